"""The local derivatives, named: what the explorer writes beside each chain-rule step.

One table for the scalar ``Value`` ops: for each op and each operand, the
derivative of the result with respect to that operand as a formula over the
node names (``∂e/∂a = b``) and as a number. One function for the ``Tensor`` ops:
the shapes flowing through a step (``dW = xᵀ @ dout: (30, 32) @ (32, 200) →
(30, 200)``). Nothing here computes a gradient for the engine; the recorder
only uses these to name and check what the engine did.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..value import _float_power


@dataclass(frozen=True)
class LocalDerivative:
    """d(out)/d(operand) for one operand of one op.

    ``formula`` is written over the placeholders ``{a}`` ``{b}`` (the operands),
    ``{o}`` (the result), ``{n}`` and ``{n1}`` (a number exponent and that
    minus one); ``code``, when given, is the form used in the update line
    (``a.grad += {code} × out.grad``), otherwise ``formula`` is used there too.
    ``value(a, b, o, n)`` computes it from the data.
    """

    formula: str
    value: Callable[[float, float | None, float, float | None], float]
    code: str | None = None


def _const(c: float) -> Callable[..., float]:
    return lambda a, b, o, n: c


def _power_by_number(a: float, b: float | None, o: float, n: float | None) -> float:
    return 0.0 if n == 0 else n * _float_power(a, n - 1)


VALUE_DERIVATIVES: dict[str, tuple[LocalDerivative, ...]] = {
    "+": (LocalDerivative("1", _const(1.0)), LocalDerivative("1", _const(1.0))),
    "-": (LocalDerivative("1", _const(1.0)), LocalDerivative("-1", _const(-1.0))),
    "*": (
        LocalDerivative("{b}", lambda a, b, o, n: b),
        LocalDerivative("{a}", lambda a, b, o, n: a),
    ),
    "/": (
        LocalDerivative("1/{b}", lambda a, b, o, n: 1.0 / b),
        LocalDerivative("-{a}/{b}²", lambda a, b, o, n: -o / b),
    ),
    "**n": (LocalDerivative("{n}·{a}^{n1}", _power_by_number),),
    "**": (
        LocalDerivative("{b}·{a}^({b} - 1)", lambda a, b, o, n: b * _float_power(a, b - 1)),
        LocalDerivative("{a}^{b}·ln {a}", lambda a, b, o, n: o * math.log(a), "{o}·ln {a}"),
    ),
    "exp": (LocalDerivative("exp({a}) = {o}", lambda a, b, o, n: o, "{o}"),),
    "log": (LocalDerivative("1/{a}", lambda a, b, o, n: 1.0 / a),),
    "tanh": (LocalDerivative("1 - {o}²", lambda a, b, o, n: 1.0 - o * o),),
    "sigmoid": (LocalDerivative("{o}·(1 - {o})", lambda a, b, o, n: o * (1.0 - o)),),
    "ReLU": (
        LocalDerivative("1 if {o} > 0 else 0", lambda a, b, o, n: 1.0 if o > 0 else 0.0),
    ),
    "neg": (LocalDerivative("-1", _const(-1.0)),),
}
"""The local derivative of every ``Value`` op, per operand, keyed by the op's name
(``"**n"`` stands for every power by a number: ``"**2"``, ``"**-1"``, ...)."""


def value_op_key(op: str) -> str:
    """The ``VALUE_DERIVATIVES`` key of a ``Value``'s ``_op`` (``"**3"`` → ``"**n"``)."""
    if op.startswith("**") and op != "**":
        return "**n"
    return op


def fill(template: str, names: dict[str, str], data: bool = False) -> str:
    """Put node names (or ``name.data``, with ``data=True``) into a formula template."""
    if data:
        names = {k: v if k in ("n", "n1") else f"{v}.data" for k, v in names.items()}
    return template.format(**names)


def as_factor(text: str) -> str:
    """``text`` ready to be multiplied: parenthesised unless it is one name or number."""
    return text if all(c not in text for c in " +-/·^²(") or _is_number(text) else f"({text})"


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# --- tensors: the shapes flowing through one step ----------------------------------------


def _shape(shape: Sequence[int]) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def _transposed(shape: Sequence[int]) -> tuple[int, ...]:
    return (*shape[:-2], shape[-1], shape[-2])


def tensor_shape_line(
    op: str,
    position: int,
    names: Sequence[str],
    shapes: Sequence[tuple[int, ...] | None],
    out_shape: tuple[int, ...],
) -> str:
    """How the gradient's shape goes from ``dout`` to input ``position`` of a Tensor op.

    ``names`` and ``shapes`` describe every argument of the op (``None`` for a
    non-tensor argument). Matrix products and ``Linear`` spell out their
    products; any other op maps ``dout``'s shape to the input's, noting when the
    engine sums the gradient over broadcast axes.
    """
    name, shape = names[position], shapes[position]
    d_in, out = f"d{name}", _shape(out_shape)
    if op == "Matmul" and all(s is not None and len(s) >= 2 for s in shapes[:2]):
        (a, b), (sa, sb) = names[:2], shapes[:2]
        if position == 0:
            return (f"{d_in} = dout @ {b}ᵀ: {out} @ {_shape(_transposed(sb))} → "
                    f"{_shape(sa)}")
        return f"{d_in} = {a}ᵀ @ dout: {_shape(_transposed(sa))} @ {out} → {_shape(sb)}"
    if op == "Linear" and shapes[1] is not None and len(out_shape) >= 1:
        x, w = names[:2]
        rows = (math.prod(out_shape[:-1]), out_shape[-1])
        if position == 0:
            return f"{d_in} = dout @ {w}: {out} @ {_shape(shapes[1])} → {_shape(shape)}"
        if position == 1 and shapes[0] is not None:
            x_rows = (math.prod(shapes[0][:-1]), shapes[0][-1])
            return (f"{d_in} = doutᵀ @ {x}: {_shape(rows[::-1])} @ {_shape(x_rows)} → "
                    f"{_shape(shape)}")
        return f"{d_in} = dout summed over rows: {out} → {_shape(shape)}"
    line = f"{d_in} = dout · ∂out/∂{name}: {out} → {_shape(shape)}"
    if shape is not None and tuple(shape) != tuple(out_shape) and op in _BROADCASTING:
        line += " (summed over broadcast axes)"
    return line


_BROADCASTING = frozenset(
    {"Add", "Sub", "Mul", "Div", "Pow", "Maximum", "Minimum", "Where", "Expand"}
)


def tensor_rule(op_class: type) -> str:
    """The op's math in one line, from its ``Function`` docstring (``out = a * b;  d/da = b``)."""
    doc = op_class.__doc__ or ""
    text = " ".join(doc.split())
    return text if text and not text.startswith("Base class") else ""
