"""Elementwise ops: one-input functions (abs exp log ...), clamp, maximum/minimum, where, casts.

Each op's forward and local derivative sit side by side. Where PyTorch returns nan
or inf silently (log of a negative number, exp overflow) NumPy's RuntimeWarnings
are silenced; nowhere else.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..backend import DEFAULT_FLOAT
from ..dtypes import bool_, float32, float64
from ..function import Function
from ..tensor import Tensor
from .arithmetic import _promoted

__all__ = [
    "abs", "exp", "log", "sqrt", "tanh", "sigmoid", "relu",
    "clamp", "clip", "maximum", "minimum", "where", "clone",
]


def _floating(x: np.ndarray) -> np.ndarray:
    """PyTorch computes exp, log, ... of an int or bool tensor in the default float dtype."""
    return x if x.dtype.kind == "f" else x.astype(DEFAULT_FLOAT)


def _dtype(x: Any) -> Any:
    return getattr(x, "dtype", None)


def _not_tensor(op: str, name: str, value: Any, position: int = 1) -> TypeError:
    return TypeError(
        f"{op}(): argument '{name}' (position {position}) must be Tensor, "
        f"not {type(value).__name__}"
    )


def _broadcast_error(op: str, *arrays: Any) -> RuntimeError:
    shapes = " and ".join(str(tuple(np.shape(a))) for a in arrays)
    return RuntimeError(
        f"{op}(): shapes {shapes} cannot be broadcast together "
        "(each dimension must match or be 1)"
    )


# --- one input ---------------------------------------------------------------------------


class Abs(Function):
    """out = |x|;  d/dx = sign(x) (0 at 0 and, as PyTorch's sign, at nan)."""

    @staticmethod
    def forward(ctx, x):
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(x)
        return np.abs(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * _sign(x)


def _sign(x: np.ndarray) -> np.ndarray:
    """-1, 0 or 1 by the sign of x, and 0 at nan: PyTorch's sgn, the slope of |x|."""
    sign = np.asarray(np.sign(x))  # asarray: a 0-d input gives a scalar
    if x.dtype.kind == "f":
        np.copyto(sign, 0, where=np.isnan(x))
    return sign


class Exp(Function):
    """out = e**x;  d/dx = out."""

    @staticmethod
    def forward(ctx, x):
        with np.errstate(over="ignore"):
            out = np.exp(_floating(x))
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * out


class Log(Function):
    """out = ln(x);  d/dx = 1 / x."""

    @staticmethod
    def forward(ctx, x):
        x = _floating(x)
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):
            return grad / x


class Sqrt(Function):
    """out = sqrt(x);  d/dx = 1 / (2 * out)."""

    @staticmethod
    def forward(ctx, x):
        with np.errstate(invalid="ignore"):
            out = np.sqrt(_floating(x))
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):
            return grad / (2 * out)


class Tanh(Function):
    """out = tanh(x);  d/dx = 1 - out**2."""

    @staticmethod
    def forward(ctx, x):
        out = np.tanh(_floating(x))
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        slope = out * out
        if slope.__class__ is not np.ndarray or slope.dtype != grad.dtype:
            return grad * (1 - slope)
        np.subtract(1, slope, out=slope)  # in place: one fresh array, not three
        slope *= grad
        return slope


class Sigmoid(Function):
    """out = 1 / (1 + e**-x);  d/dx = out * (1 - out)."""

    @staticmethod
    def forward(ctx, x):
        # e**-x overflows to inf for x << 0, and 1 / (1 + inf) is the right answer, 0: stable
        # without the branches of the exp(-|x|) form, at a third of its cost.
        x = _floating(x)
        out = np.negative(x, out=np.empty_like(x))
        with np.errstate(over="ignore"):
            np.exp(out, out=out)
        out += 1
        np.reciprocal(out, out=out)
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * out * (1 - out)


class Relu(Function):
    """out = max(x, 0);  d/dx = 1 where out > 0, else 0 (0 at 0)."""

    @staticmethod
    def forward(ctx, x):
        out = np.maximum(x, 0)
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return _zero_where_not_positive(out, grad)


_SAME_SIZE_INT = {2: np.int16, 4: np.int32, 8: np.int64}


def _zero_where_not_positive(out: Any, grad: Any) -> Any:
    """+0 where ``out <= 0`` (also where ``grad`` is inf or nan), else ``grad`` (also where
    ``out`` is nan), as PyTorch's ``threshold_backward``: the mask becomes all-ones or
    all-zeros bits that are ANDed with ``grad``'s, several times faster than ``np.where``."""
    int_type = _SAME_SIZE_INT[grad.dtype.itemsize]
    bits = np.asarray(out <= 0).astype(int_type)  # asarray: a 0-d comparison gives a scalar
    np.subtract(bits, 1, out=bits)  # 1 (off) -> 0, 0 (on) -> -1: all bits set
    np.bitwise_and(grad.view(int_type), bits, out=bits)
    return bits.view(grad.dtype)


class Clone(Function):
    """out = a copy of x;  d/dx = 1."""

    @staticmethod
    def forward(ctx, x):
        return x.copy()

    @staticmethod
    def backward(ctx, grad):
        return grad


def abs(input: Tensor) -> Tensor:
    """|input| elementwise; its gradient is sign(input), 0 at 0."""
    if not isinstance(input, Tensor):
        raise _not_tensor("abs", "input", input)
    if input.data.dtype == bool_:
        raise NotImplementedError("abs(): not implemented for bool tensors")
    return Abs._apply1(input)


def _unary(name: str, op: type[Function], doc: str) -> Callable[[Tensor], Tensor]:
    """The public function ``name(input)`` that applies ``op`` to a Tensor."""

    def function(input: Tensor) -> Tensor:
        if not isinstance(input, Tensor):
            raise _not_tensor(name, "input", input)
        return op._apply1(input)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = doc
    return function


exp = _unary("exp", Exp, "e ** input elementwise (inf on overflow, as PyTorch).")
log = _unary("log", Log, "Natural logarithm elementwise: -inf at 0 and nan below 0, as PyTorch.")
sqrt = _unary("sqrt", Sqrt, "Square root elementwise (nan below 0, as PyTorch).")
tanh = _unary("tanh", Tanh, "Hyperbolic tangent elementwise.")
sigmoid = _unary("sigmoid", Sigmoid, "Logistic sigmoid 1 / (1 + e**-input) elementwise, "
                 "computed without overflow.")
relu = _unary("relu", Relu, "max(input, 0) elementwise; its gradient is 0 at 0.")


def clone(input: Tensor, *, memory_format: Any = None) -> Tensor:
    """A copy of input that stays in the graph (gradient passes through unchanged)."""
    if not isinstance(input, Tensor):
        raise _not_tensor("clone", "input", input)
    return Clone._apply1(input)


def contiguous(self: Tensor, memory_format: Any = None) -> Tensor:
    """self (arrays need no particular memory layout here)."""
    return self


# --- clamp, maximum, minimum, where ------------------------------------------------------


class Clamp(Function):
    """out = min(max(x, lo), hi);  d/dx = 1 where lo <= x <= hi, d/dlo = 1 where x < lo < hi,
    d/dhi = 1 where x > hi or lo > hi (PyTorch's choices at the ties)."""

    @staticmethod
    def forward(ctx, x, lo, hi):
        try:
            out = x if lo is None else np.maximum(x, lo)
            out = out if hi is None else np.minimum(out, hi)
        except ValueError:
            raise _broadcast_error("clamp", *(a for a in (x, lo, hi) if a is not None)) from None
        if any(ctx.needs_input_grad):
            ctx.save_for_backward(x, lo, hi)
        if out.dtype is float64 and all(_dtype(v) is not float64 for v in (x, lo, hi)):
            return out.astype(float32)  # an int tensor clamped by Python floats: float32
        return out

    @staticmethod
    def backward(ctx, grad):
        x, lo, hi = ctx.saved_tensors
        needs_x, needs_lo, needs_hi = ctx.needs_input_grad
        above_lo = True if lo is None else x >= lo
        below_hi = True if hi is None else x <= hi
        grad_x = np.where(above_lo & below_hi, grad, 0) if needs_x else None
        grad_lo = grad_hi = None
        if needs_lo:
            chosen = x < lo if hi is None else (x < lo) & (lo < hi)
            grad_lo = np.where(chosen, grad, 0)
        if needs_hi:
            chosen = x > hi if lo is None else (x > hi) | (lo > hi)
            grad_hi = np.where(chosen, grad, 0)
        return grad_x, grad_lo, grad_hi


class Maximum(Function):
    """out = max(a, b);  d/da = 1 where a > b, d/db = 1 where b > a, 1/2 each on a tie."""

    @staticmethod
    def forward(ctx, a, b):
        try:
            out = np.maximum(a, b)
        except ValueError:
            raise _broadcast_error("maximum", a, b) from None
        if any(ctx.needs_input_grad):
            ctx.save_for_backward(a, b)
        return _promoted(out, a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return _split(grad, a, b, ctx.needs_input_grad)


class Minimum(Function):
    """out = min(a, b);  d/da = 1 where a < b, d/db = 1 where b < a, 1/2 each on a tie."""

    @staticmethod
    def forward(ctx, a, b):
        try:
            out = np.minimum(a, b)
        except ValueError:
            raise _broadcast_error("minimum", a, b) from None
        if any(ctx.needs_input_grad):
            ctx.save_for_backward(a, b)
        return _promoted(out, a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return _split(grad, b, a, ctx.needs_input_grad)


def _split(grad: np.ndarray, win: Any, lose: Any, needs: tuple) -> tuple:
    """The gradient of max(win, lose) (min with the roles swapped): each side keeps it unless
    the other side wins; a tie halves it. With a nan both sides keep it, as PyTorch."""
    tie = win == lose
    half = grad * 0.5
    grad_win = np.where(win < lose, 0, np.where(tie, half, grad)) if needs[0] else None
    grad_lose = np.where(lose < win, 0, np.where(tie, half, grad)) if needs[1] else None
    return grad_win, grad_lose


class Where(Function):
    """out = a where condition else b;  d/da = condition, d/db = not condition."""

    @staticmethod
    def forward(ctx, condition, a, b):
        try:
            out = np.where(condition, a, b)
        except ValueError:
            raise _broadcast_error("where", condition, a, b) from None
        ctx.condition = condition
        return _promoted(out, a, b)

    @staticmethod
    def backward(ctx, grad):
        condition = ctx.condition
        _, needs_a, needs_b = ctx.needs_input_grad
        grad_a = np.where(condition, grad, 0) if needs_a else None
        grad_b = np.where(condition, 0, grad) if needs_b else None
        return None, grad_a, grad_b


def clamp(input: Tensor, min: Any = None, max: Any = None) -> Tensor:
    """Each element limited to [min, max] (numbers or tensors, broadcast); when min > max every
    element becomes max. The gradient passes where min <= input <= max, bounds included."""
    if not isinstance(input, Tensor):
        raise _not_tensor("clamp", "input", input)
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    # A NumPy scalar bound is a number, as in PyTorch: it must not promote float32 to float64.
    min = min.item() if isinstance(min, np.generic) else min
    max = max.item() if isinstance(max, np.generic) else max
    return Clamp.apply(input, min, max)


clip = clamp


def maximum(input: Tensor, other: Tensor) -> Tensor:
    """Elementwise maximum with broadcasting; a tie splits the gradient equally."""
    if not isinstance(input, Tensor):
        raise _not_tensor("maximum", "input", input)
    if not isinstance(other, Tensor):
        raise _not_tensor("maximum", "other", other, 2)
    return Maximum.apply(input, other)


def minimum(input: Tensor, other: Tensor) -> Tensor:
    """Elementwise minimum with broadcasting; a tie splits the gradient equally."""
    if not isinstance(input, Tensor):
        raise _not_tensor("minimum", "input", input)
    if not isinstance(other, Tensor):
        raise _not_tensor("minimum", "other", other, 2)
    return Minimum.apply(input, other)


def where(condition: Any, input: Any, other: Any) -> Tensor:
    """input where condition (a bool tensor or array) is True, else other, with broadcasting.
    Each side receives the gradient only where it was selected."""
    cond = condition.data if isinstance(condition, Tensor) else np.asarray(condition)
    if cond.dtype != bool_:
        raise RuntimeError(
            "where expected condition to be a boolean tensor, but got a tensor with dtype "
            f"{cond.dtype}"
        )
    return Where.apply(cond, input, other)


def _where_method(self: Tensor, condition: Any, y: Any) -> Tensor:
    """self where condition is True, else y (``torch.Tensor.where``)."""
    return where(condition, self, y)


Tensor.abs = Tensor.__abs__ = abs
Tensor.exp = exp
Tensor.log = log
Tensor.sqrt = sqrt
Tensor.tanh = tanh
Tensor.sigmoid = sigmoid
Tensor.relu = relu
Tensor.clamp = Tensor.clip = clamp
Tensor.maximum = maximum
Tensor.minimum = minimum
Tensor.where = _where_method
Tensor.clone = clone
Tensor.contiguous = contiguous
