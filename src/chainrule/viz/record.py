"""Record the backward pass exactly as the engine performs it, one step per node.

``record_backward(root)`` runs the engine's own pass (``engine.propagate``)
with an ``on_step`` hook. After each node's chain-rule step the hook reads the
gradients the engine has just written into the node's inputs and compares them
with what they held before, so every number in a recording is one the engine
produced: the explorer page and ``explain`` show the library's pass, never a
re-derivation of it. The local derivatives are named from ``derivatives.py``
and checked against the engine's numbers.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from .. import engine
from ..tensor import Tensor
from ..value import Value, _leaf_backward
from .derivatives import VALUE_DERIVATIVES, as_factor, fill, value_op_key
from .record_tensor import record_tensor
from .steps import (
    Recording,
    Step,
    Term,
    Update,
    accumulation_notes,
    fmt,
    name_nodes,
)


def record_backward(root: Value | Tensor, names: Mapping[str, Any] | None = None) -> Recording:
    """Run ``root``'s backward pass through the engine and record every step.

    The pass starts clean: every gradient in the graph (leaves included) is
    reset first, so afterwards each ``.grad`` holds d root / d node from this
    one pass, exactly as after a single ``backward()`` on a fresh graph. A
    tensor graph is kept (as with ``retain_graph=True``), so ``backward()`` can
    still be called on it. ``names`` optionally maps names to nodes (tensors
    have no labels; ``names=dict(model.named_parameters())`` names the weights).

    Returns a ``Recording`` whose ``steps`` are the nodes the engine stepped
    through (every non-leaf, in reverse topological order), each with the
    chain-rule line of each of its inputs.
    """
    if isinstance(root, Value):
        return _record_value(root, names)
    if isinstance(root, Tensor):
        return record_tensor(root, names)
    raise TypeError(
        f"cannot record the backward pass of {type(root).__name__}: "
        "expected a chainrule Value or Tensor"
    )


# --- Value ----------------------------------------------------------------------------------


def _record_value(root: Value, names: Mapping[str, Any] | None) -> Recording:
    order = engine.topological_order(root)
    ids, labels = name_nodes(order, names)
    for node in order:
        node.grad = 0.0
    root.grad = 1.0  # what Value.backward seeds before calling engine.propagate
    recording = Recording(root, "value", order, ids, labels, seed=1.0)
    current = {node: node.grad for node in order}

    def on_step(node: Value) -> None:
        if node._prev:
            recording.steps.append(_value_step(node, current, labels))

    engine.propagate(order, on_step)
    recording.grads = {node: node.grad for node in order}
    return recording


def _value_step(node: Value, current: dict, labels: Mapping[Any, str]) -> Step:
    upstream = node.grad  # complete: every use of node was stepped through before it
    operands = node._prev
    updates = []
    for operand in dict.fromkeys(operands):
        before, after = current[operand], operand.grad
        current[operand] = after
        updates.append(Update(operand, labels[operand], before, after, after - before,
                              operands.count(operand)))
    terms = _value_terms(node, upstream, labels)
    notes = []
    if node._rule is _leaf_backward:
        terms = None
        notes.append(f"{labels[node]} has no backward rule: the engine passes nothing on")
    elif terms is None or not _terms_agree(terms, updates):
        terms = None
        notes.append(f"no named derivative for op {node._op!r}: numbers as the engine left them")
    if terms is None:
        terms = _measured_terms(node, upstream, updates, labels)
    notes.extend(accumulation_notes(updates))
    return Step(node, labels[node], node._op, upstream, tuple(terms), tuple(updates),
                notes=tuple(notes))


def _value_terms(node: Value, upstream: float, labels: Mapping[Any, str]) -> list[Term] | None:
    operands = node._prev
    rules = VALUE_DERIVATIVES.get(value_op_key(node._op))
    if rules is None or len(rules) != len(operands):
        return None
    a = operands[0].data
    b = operands[1].data if len(operands) == 2 else None
    n = node._arg
    slots = {"a": labels[operands[0]], "o": labels[node], "n": "", "n1": ""}
    if len(operands) == 2:
        slots["b"] = labels[operands[1]]
    if n is not None:
        slots["n"], slots["n1"] = _number(n), _number(n - 1)
    out = labels[node]
    terms = []
    for position, (operand, rule) in enumerate(zip(operands, rules)):
        try:
            local = float(rule.value(a, b, node.data, n))
        except (ValueError, ZeroDivisionError, OverflowError):
            return None
        formula = fill(rule.formula, slots)
        shown = formula if _is_plain_number(formula) else f"{formula} = {fmt(local)}"
        contribution = local * upstream
        name = labels[operand]
        code = as_factor(fill(rule.code or rule.formula, slots, data=True))
        line = (f"{name}.grad += {code} × {out}.grad = {fmt(local)} × {fmt(upstream)} "
                f"= {fmt(contribution)}")
        terms.append(Term(operand, name, position, f"∂{out}/∂{name} = {shown}", line, local,
                          contribution))
    return terms


def _number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e15 else fmt(x)


def _is_plain_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _terms_agree(terms: list[Term], updates: list[Update]) -> bool:
    """Whether the named derivatives add up to what the engine added to each input."""
    for update in updates:
        total = sum(t.contribution for t in terms if t.input is update.input)
        scale = max(abs(update.before), abs(update.after), abs(total), 1.0)
        if not math.isclose(total, update.delta, rel_tol=1e-9, abs_tol=1e-12 * scale):
            return False
    return True


def _measured_terms(node: Any, upstream: float, updates: list[Update],
                    labels: Mapping[Any, str]) -> list[Term]:
    out = labels[node]
    terms = []
    by_input = {update.input: update for update in updates}
    for position, operand in enumerate(node._prev):
        update = by_input[operand]
        share = update.delta / update.uses
        local = share / upstream if upstream not in (0.0, math.inf, -math.inf) else None
        name = labels[operand]
        shown = f"∂{out}/∂{name}" + ("" if local is None else f" = {fmt(local)}")
        line = f"{name}.grad += {fmt(share)}"
        terms.append(Term(operand, name, position, shown, line, local, share))
    return terms
