"""Record a ``Tensor`` graph's backward pass: shapes and statistics of the gradients flowing.

The engine hands a non-leaf's gradient on through ``_pending`` and frees the
graph after each step unless the pass retains it; the recorder retains it (so
the inputs can still be read) and keeps, for every node, the gradient it holds
so far, to tell what each step added.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import engine
from ..backend import array_module
from ..tensor import Tensor, _BackwardPass
from .derivatives import tensor_rule, tensor_shape_line
from .steps import Recording, Step, Summary, Term, Update, accumulation_notes, name_nodes


def record_tensor(root: Tensor, names: Mapping[str, Any] | None) -> Recording:
    """Record ``root``'s backward pass (see ``record_backward``); the graph is retained."""
    if not root.requires_grad:
        raise RuntimeError(
            "cannot record the backward pass: the root tensor does not require grad "
            "and has no grad_fn"
        )
    if root.data.size != 1:
        raise RuntimeError(
            f"cannot record the backward pass of a tensor of shape {tuple(root.shape)}: "
            "the root must have one element (a loss), as for backward() with no gradient"
        )
    order = engine.topological_order(root)
    for node in order:
        if node._ctx is not None and node._ctx.inputs is None:
            raise RuntimeError(
                "cannot record the backward pass: this graph was freed by an earlier "
                "backward(); build it again, or call backward(retain_graph=True)"
            )
    ids, labels = name_nodes(order, names)
    for node in order:
        node._pending = None
        if node._ctx is None or node._retains_grad:
            node.grad = None
    seed = array_module(root.device).ones_like(root.data)  # as Tensor.backward seeds
    recording = Recording(root, "tensor", order, ids, labels, seed=Summary.of(seed))
    current: dict[Any, Any] = {root: seed}
    finals: dict[Any, Summary] = {}
    if root._ctx is None:
        root._accumulate_leaf(seed)
    else:
        root._pending = seed

        def on_step(node: Tensor) -> None:
            if node._ctx is not None:
                recording.steps.append(_tensor_step(node, current, labels, finals))

        previous = _BackwardPass.retain_graph
        _BackwardPass.retain_graph = True
        try:
            engine.propagate(order, on_step)
        finally:
            _BackwardPass.retain_graph = previous
    for node in order:
        if node._ctx is None:
            finals[node] = Summary.of(node.grad.data) if node.grad is not None else None
    recording.grads = finals
    return recording


def _tensor_step(node: Tensor, current: dict, labels: Mapping[Any, str],
                 finals: dict) -> Step:
    ctx = node._ctx
    op = type(ctx).__name__
    grad = current.pop(node, None)
    upstream = None if grad is None else Summary.of(grad)
    finals[node] = upstream
    inputs, needs = ctx.inputs, ctx.needs_input_grad
    graph_inputs = [
        (position, x) for position, x in enumerate(inputs)
        if isinstance(x, Tensor) and needs[position]
    ]
    if grad is None:
        return Step(node, labels[node], op, None, (), (), tensor_rule(type(ctx)),
                    (f"no gradient reached {labels[node]}: the engine passes nothing on",))
    arg_names = [
        (labels.get(x) or f"input{position}") if isinstance(x, Tensor) else f"arg{position}"
        for position, x in enumerate(inputs)
    ]
    shapes = [tuple(x.data.shape) if isinstance(x, Tensor) else None for x in inputs]
    updates = []
    deltas = {}
    for x in dict.fromkeys(x for _, x in graph_inputs):
        before = current.get(x)
        if x._ctx is None:
            after = None if x.grad is None else x.grad.data.copy()  # .grad grows in place
        else:
            after = x._pending
        current[x] = after
        delta = after if before is None else None if after is None else after - before
        deltas[x] = None if delta is None else Summary.of(delta)
        uses = sum(1 for _, y in graph_inputs if y is x)
        updates.append(Update(
            x, labels[x], None if before is None else Summary.of(before),
            None if after is None else Summary.of(after), deltas[x], uses,
        ))
    terms = []
    for position, x in graph_inputs:
        uses = sum(1 for _, y in graph_inputs if y is x)
        contribution = deltas[x] if uses == 1 else None
        shape_line = tensor_shape_line(op, position, arg_names, shapes, tuple(grad.shape))
        line = f"{labels[x]}.grad += d{labels[x]}"
        if contribution is not None:
            line += f" = {contribution.text()}"
        terms.append(Term(x, labels[x], position, shape_line, line, None, contribution))
    notes = accumulation_notes(updates)
    return Step(node, labels[node], op, upstream, tuple(terms), tuple(updates),
                tensor_rule(type(ctx)), tuple(notes))
