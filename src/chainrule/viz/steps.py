"""What a recorded backward pass is made of: steps, terms, updates and number formatting.

``record.py`` fills these in from the engine's own pass; ``explain`` prints them
and ``explore`` draws them. A gradient is kept as a float for a ``Value`` and as
a ``Summary`` (shape and statistics, not the array) for a ``Tensor``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..backend import to_numpy
from ..tensor import Tensor
from ..value import Value
from .derivatives import value_op_key

SIGNIFICANT_DIGITS = 4


def fmt(x: float) -> str:
    """A number to 4 significant digits, always written as a float: 6.0, -0.5, 1.235e+04."""
    text = f"{x:.{SIGNIFICANT_DIGITS}g}"
    if text.lstrip("-").isdigit():
        text += ".0"
    return text


@dataclass(frozen=True)
class Summary:
    """Shape and statistics of a tensor's data or gradient (the arrays are not kept)."""

    shape: tuple[int, ...]
    mean: float
    std: float
    min: float
    max: float

    @classmethod
    def of(cls, array: Any) -> Summary:
        """Summarise an array (NumPy or CuPy)."""
        values = np.asarray(to_numpy(array), dtype=np.float64)
        if values.size == 0:
            return cls(tuple(values.shape), math.nan, math.nan, math.nan, math.nan)
        with np.errstate(all="ignore"):
            return cls(
                tuple(values.shape), float(values.mean()), float(values.std()),
                float(values.min()), float(values.max()),
            )

    @property
    def size(self) -> int:
        """The number of elements."""
        return math.prod(self.shape)

    def text(self) -> str:
        """``μ 0.01 σ 0.98 [-2.1, 3.0]`` (mean, std, [min, max]); ``all 0.5`` for a constant;
        the value itself for one element."""
        if self.size == 1:
            return fmt(self.mean)
        if self.size == 0:
            return "empty"
        if self.min == self.max:
            return f"all {fmt(self.min)}"
        return f"μ {fmt(self.mean)} σ {fmt(self.std)} [{fmt(self.min)}, {fmt(self.max)}]"


Amount = float | Summary
"""A gradient as recorded: a float for a ``Value``, a ``Summary`` for a ``Tensor``."""


def amount_text(amount: Amount | None) -> str:
    """How a recorded gradient prints (``—`` for none)."""
    if amount is None:
        return "—"
    return amount.text() if isinstance(amount, Summary) else fmt(amount)


@dataclass(frozen=True)
class Term:
    """One use of one input in one chain-rule step: ``input.grad += local × upstream``."""

    input: Any
    name: str
    position: int
    derivative: str
    """The local derivative named, ``∂e/∂a = b`` (for a tensor: the shapes line)."""
    line: str
    """The update with its numbers, ``a.grad += b.data × e.grad = -3.0 × -2.0 = 6.0``."""
    local: float | None
    """d(node)/d(input) as a number (``Value`` graphs with a known op), else None."""
    contribution: Amount | None
    """What this use adds to ``input.grad`` (None where uses of one tensor can't be told apart)."""


@dataclass(frozen=True)
class Update:
    """One input's gradient, before and after a step, as the engine holds it."""

    input: Any
    name: str
    before: Amount | None
    after: Amount | None
    delta: Amount | None
    uses: int
    """How many times the node uses this input (2 for ``a + a``)."""


@dataclass(frozen=True)
class Step:
    """The chain-rule step of one node of the backward pass."""

    node: Any
    name: str
    op: str
    upstream: Amount | None
    """The node's own gradient when its step ran (d root / d node)."""
    terms: tuple[Term, ...]
    updates: tuple[Update, ...]
    rule: str = ""
    notes: tuple[str, ...] = ()


@dataclass
class Recording:
    """A recorded backward pass: the graph's order, node names and the steps in engine order."""

    root: Any
    kind: str
    """``"value"`` or ``"tensor"``."""
    order: list[Any]
    """The topological order (inputs first): the forward pass."""
    ids: dict[Any, str]
    names: dict[Any, str]
    seed: Amount
    steps: list[Step] = field(default_factory=list)
    grads: dict[Any, Amount] = field(default_factory=dict)
    """Every node's gradient at the end of the pass (d root / d node)."""

    def op(self, node: Any) -> str:
        """The name of the operation that made ``node`` (``""`` for a leaf)."""
        return node_op(node)

    def data(self, node: Any) -> Amount:
        """The node's forward value (a float, or a ``Summary`` of a tensor's data)."""
        return node.data if isinstance(node, Value) else Summary.of(node.data)

    def forward_line(self, node: Any) -> str:
        """How the forward pass computed ``node``, with its numbers."""
        return forward_line(node, self.names)


def node_op(node: Any) -> str:
    """The operation that made ``node``: ``*``, ``tanh``, ``Matmul``; ``""`` for a leaf."""
    if isinstance(node, Value):
        return node._op
    ctx = getattr(node, "_ctx", None)
    return "" if ctx is None else type(ctx).__name__


_INFIX = ("+", "-", "*", "/", "**")


def forward_line(node: Any, names: Mapping[Any, str]) -> str:
    """``e = a * b = 2.0 * -3.0 = -6.0`` (tensors: ``n5 = Matmul(x, W) → (32, 200)``)."""
    name = names[node]
    if isinstance(node, Tensor):
        shape = tuple(node.data.shape)
        if node._ctx is None:
            return f"{name}: a leaf of shape {shape}, {node.data.dtype}"
        inputs = node._ctx.inputs or node._prev
        args = ", ".join(
            names.get(x, "tensor") if isinstance(x, Tensor) else repr(x)
            for x in inputs
            if isinstance(x, Tensor) or type(x) in (int, float)
        )
        return f"{name} = {node_op(node)}({args}) → shape {shape}"
    if not node._prev:
        return f"{name} = {fmt(node.data)}"
    op, result = node._op, fmt(node.data)
    operands = node._prev
    symbols = [names[x] for x in operands]
    numbers = [fmt(x.data) for x in operands]
    if op in _INFIX and len(operands) == 2:
        return (f"{name} = {symbols[0]} {op} {symbols[1]} = "
                f"{numbers[0]} {op} {numbers[1]} = {result}")
    if value_op_key(op) == "**n" and len(operands) == 1:
        return f"{name} = {symbols[0]}{op} = {numbers[0]}{op} = {result}"
    if op == "neg" and len(operands) == 1:
        return f"{name} = -{symbols[0]} = -({numbers[0]}) = {result}"
    return (f"{name} = {op or 'op'}({', '.join(symbols)}) = "
            f"{op or 'op'}({', '.join(numbers)}) = {result}")


def name_nodes(order: list[Any], names: Mapping[str, Any] | None) -> tuple[dict, dict]:
    ids = {node: f"n{index}" for index, node in enumerate(order)}
    given = {node: name for name, node in (names or {}).items()}
    labels = {}
    for node in order:
        label = given.get(node) or (node.label if isinstance(node, Value) else "")
        labels[node] = label or ids[node]
    for node, name in given.items():
        labels.setdefault(node, name)
    return ids, labels

def accumulation_notes(updates: list[Update]) -> list[str]:
    notes = []
    for update in updates:
        if update.uses > 1:
            notes.append(
                f"{update.name} is used {update.uses} times here: each use adds its own term "
                f"into {update.name}.grad (+=), {amount_text(update.before)} → "
                f"{amount_text(update.after)}. Assigning (=) instead would lose all but one."
            )
        elif update.before is not None and not _is_zero(update.before):
            notes.append(
                f"{update.name}.grad already held {amount_text(update.before)} from another use: "
                f"this step adds to it (+=), giving {amount_text(update.after)}"
            )
    return notes


def _is_zero(amount: Amount) -> bool:
    if isinstance(amount, Summary):
        return amount.size > 0 and amount.min == 0 and amount.max == 0
    return amount == 0
