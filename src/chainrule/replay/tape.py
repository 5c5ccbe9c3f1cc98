"""A recorded forward pass as a tape of ops, replayed forward and backward without the graph.

``build_tape`` turns a ``Recorder``'s entries into ``Step``s. Each argument of each op
is resolved to where its value comes from on a later call:

- a *slot*: a call's input (slots ``0 .. n_inputs - 1``) or an earlier step's output;
- a *tensor*: a parameter, buffer or other tensor that lives outside the call, whose
  ``.data`` is read afresh at every replay (so an optimizer's in-place updates, or a
  ``.data`` rebound by ``Module.to``, are seen);
- a *literal*: a number, string, ``None``, a shape, which the recording guarantees
  is the same on every call with the same input shapes.

An argument that is none of these (an array computed in Python from the inputs, a
tensor made outside an op) makes the pass unreplayable, and ``build_tape`` says why.

``Tape.run`` replays the steps' forwards into a list of arrays and returns the output
as one Tensor whose ``grad_fn`` is a single ``TapeBackward`` node: its backward runs
the steps' backwards in reverse, routing each gradient to the slot or outside tensor it
belongs to, and hands the engine the gradients of the call's inputs and of the outside
tensors that require grad, which the engine accumulates as for any other op.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..broadcast import unbroadcast
from ..function import Function, _as_array
from ..grad_mode import _GradMode
from ..tensor import Tensor
from .recorder import Recorder

_new = object.__new__
_ndarray = np.ndarray


class Step:
    """One op of the tape: its class, its argument template and where gradients go."""

    __slots__ = ("op", "template", "from_slots", "from_tensors", "needs", "routes")

    def __init__(self, op: type, template: list, from_slots: tuple, from_tensors: tuple,
                 needs: tuple, routes: tuple) -> None:
        self.op = op
        self.template = template  # the arguments, literals in place
        self.from_slots = from_slots  # (position, slot)
        self.from_tensors = from_tensors  # (position, tensor)
        self.needs = needs  # ctx.needs_input_grad, as recorded
        self.routes = routes  # (position, to_slot, index, shape, dtype): where gradients go


class Tape:
    """The steps of a recorded forward, with what a replay needs to check and return."""

    def __init__(self, steps: list[Step], n_inputs: int, output: Any,
                 output_slots: tuple[tuple[int, bool], ...], grad_targets: tuple[Any, ...],
                 leaves: tuple[tuple[Tensor, bool], ...]) -> None:
        self.steps = steps
        self.n_inputs = n_inputs
        self.output = output  # a slot (one tensor), or the structure (see _structure)
        self.output_slots = output_slots  # (slot, requires_grad) of each output tensor
        self.grad_targets = grad_targets  # input positions (ints) or outside tensors
        self.leaves = leaves  # outside tensors with their recorded requires_grad
        self.positions: tuple[int, ...] | None = None  # of the tensors among a call's args

    def still_valid(self) -> bool:
        """False once an outside tensor's ``requires_grad`` differs from the recording's."""
        for tensor, requires_grad in self.leaves:
            if tensor._requires_grad is not requires_grad:
                return False
        return True

    def run(self, inputs: tuple[Tensor, ...]) -> Tensor:
        """Replay the forward on ``inputs`` (tensors of the recorded shapes and dtypes)."""
        values = [x.data for x in inputs]
        contexts = []
        for step in self.steps:
            args = step.template.copy()
            for position, slot in step.from_slots:
                args[position] = values[slot]
            for position, tensor in step.from_tensors:
                args[position] = tensor.data
            op = step.op
            ctx = _new(op)
            ctx.needs_input_grad = step.needs
            out = op.forward(ctx, *args)
            if out.__class__ is not _ndarray:
                out = _as_array(out)
            values.append(out)
            contexts.append(ctx)
        grad = _GradMode.enabled and any(needs for slot, needs in self.output_slots
                                         if slot >= self.n_inputs)
        node = None
        if grad:
            node = _new(TapeBackward)
            node.tape = self
            node.saved_tensors = (contexts,)
            targets = tuple(inputs[t] if t.__class__ is int else t for t in self.grad_targets)
            node.inputs = targets
            node.needs_input_grad = (True,) * len(targets)
        if self.output.__class__ is int:  # one tensor: the node is its grad_fn
            if self.output < self.n_inputs:
                return inputs[self.output]  # the input itself, as the forward returned it
            out = values[self.output]
            return Tensor._make(out, True, node, targets) if grad else Tensor._make(out)
        return _outputs(self, inputs, values, node)


class TapeOutput(Function):
    """One of several tensors a replay returns: its gradient is kept for the replay's node
    (``TapeBackward``, reached through a 0-d hub tensor), which runs once for all of them."""

    @staticmethod
    def forward(ctx: Any, *args: Any) -> Any:  # built by a replay, never applied
        raise RuntimeError("TapeOutput is made by a replay, not applied")

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        grads = ctx.node.output_grads
        earlier = grads[ctx.index]
        grads[ctx.index] = grad if earlier is None else earlier + grad
        return np.zeros((), grad.dtype)


def _outputs(tape: Tape, inputs: tuple[Tensor, ...], values: list[Any], node: Any) -> Any:
    """The structure of output tensors of a replay; with ``node``, each computed one that
    requires grad links to it through a shared 0-d hub tensor; an input returned as it is
    comes back as itself."""
    made = []
    hub = None
    if node is not None:
        node.output_grads = [None] * len(tape.output_slots)
        hub = Tensor._make(np.zeros(()), True, node, node.inputs)
    for index, (slot, needs) in enumerate(tape.output_slots):
        if slot < tape.n_inputs:
            made.append(inputs[slot])
            continue
        if hub is None or not needs:
            made.append(Tensor._make(values[slot]))
            continue
        ctx = _new(TapeOutput)
        ctx.node, ctx.index, ctx.inputs, ctx.needs_input_grad = node, index, (hub,), (True,)
        made.append(Tensor._make(values[slot], True, ctx, (hub,)))
    return _rebuild(tape.output, iter(made))


def _rebuild(structure: Any, tensors: Any) -> Any:
    kind, content = structure
    if kind == "tensor":
        return next(tensors)
    if kind == "constant":
        return content
    items = [_rebuild(item, tensors) for item in content]
    return tuple(items) if kind == "tuple" else items


class TapeBackward(Function):
    """The one graph node of a replayed forward: the steps' backwards, in reverse."""

    tape: Tape

    @staticmethod
    def forward(ctx: Any, *args: Any) -> Any:  # built by Tape.run, never applied
        raise RuntimeError("TapeBackward is made by a replay, not applied")

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        tape = ctx.tape
        (contexts,) = ctx.saved_tensors
        steps = tape.steps
        n_inputs = tape.n_inputs
        pending: list[Any] = [None] * (n_inputs + len(steps))
        if tape.output.__class__ is int:
            pending[tape.output] = grad
        else:  # several outputs: their gradients were kept by their TapeOutput nodes
            for (slot, _), g in zip(tape.output_slots, ctx.output_grads):
                if g is not None and slot >= n_inputs:
                    pending[slot] = g if pending[slot] is None else pending[slot] + g
            ctx.output_grads = [None] * len(tape.output_slots)
        target_grads: list[Any] = [None] * len(tape.grad_targets)
        for i in range(len(steps) - 1, -1, -1):
            g = pending[n_inputs + i]
            if g is None:
                continue
            pending[n_inputs + i] = None
            step = steps[i]
            grads = step.op.backward(contexts[i], g)
            if type(grads) is not tuple:
                grads = (grads,)
            if len(grads) != len(step.template):
                raise RuntimeError(
                    f"function {step.op.__name__}Backward returned an incorrect number of "
                    f"gradients (expected {len(step.template)}, got {len(grads)})"
                )
            for position, to_slot, index, shape, dtype in step.routes:
                g = grads[position]
                if g is None:
                    continue
                if g.__class__ is not _ndarray and not hasattr(g, "shape"):
                    g = np.asarray(g, dtype=dtype)
                if g.shape != shape:
                    g = unbroadcast(g, shape)
                if to_slot:
                    earlier = pending[index]
                    pending[index] = g if earlier is None else earlier + g
                else:
                    earlier = target_grads[index]
                    target_grads[index] = g if earlier is None else earlier + g
        return tuple(target_grads)


def _literal_reason(value: Any) -> str | None:
    """Why ``value`` cannot be a literal of the tape (None if it can)."""
    if isinstance(value, (np.ndarray, np.generic)) or hasattr(value, "__array_interface__") \
            or hasattr(value, "__cuda_array_interface__"):
        return (f"an op received an array ({type(value).__name__}) computed outside the "
                "recorded ops, which a replay would not recompute")
    if isinstance(value, (tuple, list)):
        for item in value:
            reason = _literal_reason(item)
            if reason is not None:
                return reason
        if any(isinstance(item, Tensor) for item in value):
            return "an op received tensors inside a tuple or list"
    if isinstance(value, dict):
        return "an op received a dict"
    return None


def build_tape(recorder: Recorder, inputs: tuple[Tensor, ...], output: Any,
               outside_arrays: dict[int, Tensor]) -> Tape | str:
    """The tape of ``recorder``'s pass, or the reason it cannot be replayed.

    ``outside_arrays`` maps ``id(array)`` to the tensor (a parameter or buffer of the
    module) whose ``.data`` that array is, for ops that receive the array itself.
    """
    if recorder.broken is not None:
        return recorder.broken
    slot_of: dict[int, int] = {}
    shape_of: list[tuple[int, ...]] = []
    dtype_of: list[np.dtype] = []
    for slot, x in enumerate(inputs):
        slot_of[id(x)] = slot
        slot_of[id(x.data)] = slot
        shape_of.append(x.data.shape)
        dtype_of.append(x.data.dtype)
    made = {id(t) for t in recorder.made_outside_ops} - recorder.constants
    created = {id(t) for t in recorder.created}
    # An op may receive a constant's array itself (an index, a mask): its tensor is known.
    outside_arrays = {**{id(t.data): t for t in recorder.created if not t._requires_grad},
                      **outside_arrays}
    n_inputs = len(inputs)
    targets: list[Any] = []
    target_index: dict[tuple[str, int], int] = {}
    leaves: dict[int, tuple[Tensor, bool]] = {}
    steps: list[Step] = []
    for op, args, out in recorder.entries:
        ctx = out._ctx
        needs = ctx.needs_input_grad if ctx is not None else (False,) * len(args)
        template: list[Any] = list(args)
        from_slots, from_tensors, routes = [], [], []
        for position, arg in enumerate(args):
            slot = slot_of.get(id(arg))
            outside = None
            if slot is None and isinstance(arg, Tensor):
                if id(arg) in made:
                    return ("a tensor made outside the recorded ops (by detach(), argmax(), a "
                            "comparison or a cast) feeds an op; its value would be frozen")
                if id(arg) in created and arg._requires_grad:
                    return "the forward creates a tensor that requires grad"
                outside = arg
            elif slot is None:
                outside = outside_arrays.get(id(arg))
                if outside is None:
                    reason = _literal_reason(arg)
                    if reason is not None:
                        return f"{op.__name__}: {reason}"
                    continue
            template[position] = None
            if outside is None:
                from_slots.append((position, slot))
            else:
                from_tensors.append((position, outside))
                leaves[id(outside)] = (outside, outside._requires_grad)
            if not needs[position]:
                continue
            if slot is not None and slot >= n_inputs:
                routes.append((position, True, slot, shape_of[slot], dtype_of[slot]))
                continue
            key = ("input", slot) if outside is None else ("tensor", id(outside))
            index = target_index.get(key)
            if index is None:
                index = target_index[key] = len(targets)
                targets.append(slot if outside is None else outside)
            data = inputs[slot].data if outside is None else outside.data
            routes.append((position, False, index, data.shape, data.dtype))
        slot_of[id(out)] = len(shape_of)
        slot_of[id(out.data)] = len(shape_of)
        shape_of.append(out.data.shape)
        dtype_of.append(out.data.dtype)
        steps.append(Step(op, template, tuple(from_slots), tuple(from_tensors), tuple(needs),
                          tuple(routes)))
    tensors: list[Tensor] = []
    structure = _structure(output, tensors)
    if isinstance(structure, str):
        return structure
    output_slots = []
    for tensor in tensors:
        slot = slot_of.get(id(tensor))
        if slot is None or id(tensor) in made or (slot < n_inputs and tensor is not inputs[slot]):
            return "the forward's output is not computed by a recorded op"
        output_slots.append((slot, tensor._requires_grad))
    single = isinstance(output, Tensor)
    return Tape(steps, n_inputs, output_slots[0][0] if single else structure,
                tuple(output_slots), tuple(targets), tuple(leaves.values()))


def _structure(output: Any, tensors: list[Tensor]) -> Any:
    """The shape of a forward's result: tensors (collected into ``tensors``) in tuples and
    lists, and constants (None, numbers, strings); or why it cannot be rebuilt."""
    if isinstance(output, Tensor):
        tensors.append(output)
        return ("tensor", None)
    if output is None or isinstance(output, (bool, int, float, str)):
        return ("constant", output)
    if type(output) in (tuple, list):
        items = [_structure(item, tensors) for item in output]
        for item in items:
            if isinstance(item, str):
                return item
        return (type(output).__name__, items)
    return f"the forward returned {type(output).__name__}, not tensors in tuples or lists"
