"""Arithmetic with broadcasting: + - * / ** and negation.

Gradients come back in the broadcast shape; the engine sums them back to each
input's shape (``broadcast.unbroadcast``), so no op here deals with broadcasting.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..function import Function
from ..tensor import Tensor

__all__ = ["add", "sub", "mul", "div", "neg", "pow"]


_FLOAT64 = np.dtype(np.float64)


def _promoted(out: np.ndarray, a: Any, b: Any) -> np.ndarray:
    """PyTorch's result dtype: an int tensor with a Python float gives float32, not float64."""
    if out.dtype is not _FLOAT64 or getattr(a, "dtype", None) is _FLOAT64:
        return out
    if getattr(b, "dtype", None) is _FLOAT64:
        return out
    return out.astype(np.float32)


class Add(Function):
    """out = a + b;  d/da = 1, d/db = 1."""

    @staticmethod
    def forward(ctx, a, b):
        return _promoted(a + b, a, b)

    @staticmethod
    def backward(ctx, grad):
        return grad, grad


class Sub(Function):
    """out = a - b;  d/da = 1, d/db = -1."""

    @staticmethod
    def forward(ctx, a, b):
        return _promoted(a - b, a, b)

    @staticmethod
    def backward(ctx, grad):
        return grad, -grad if ctx.needs_input_grad[1] else None


class Mul(Function):
    """out = a * b;  d/da = b, d/db = a."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return _promoted(a * b, a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        needs_a, needs_b = ctx.needs_input_grad
        return (grad * b if needs_a else None), (grad * a if needs_b else None)


class Div(Function):
    """out = a / b;  d/da = 1 / b, d/db = -a / b**2 = -out / b."""

    @staticmethod
    def forward(ctx, a, b):
        out = _promoted(np.true_divide(a, b), a, b)
        ctx.save_for_backward(b, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        b, out = ctx.saved_tensors
        needs_a, needs_b = ctx.needs_input_grad
        grad_a = grad / b if needs_a else None
        grad_b = -grad * out / b if needs_b else None
        return grad_a, grad_b


class Neg(Function):
    """out = -x;  d/dx = -1."""

    @staticmethod
    def forward(ctx, x):
        return -x

    @staticmethod
    def backward(ctx, grad):
        return -grad


class Pow(Function):
    """out = a ** b;  d/da = b * a**(b - 1) (0 where b == 0), d/db = out * log(a) (0 where
    a == 0 and b >= 0), as PyTorch."""

    @staticmethod
    def forward(ctx, a, b):
        out = _promoted(_power(a, b), a, b)
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, b, out = ctx.saved_tensors
        needs_a, needs_b = ctx.needs_input_grad
        grad_a = grad_b = None
        if needs_a:
            with np.errstate(divide="ignore", invalid="ignore"):
                if isinstance(b, np.ndarray):  # PyTorch's 0 where b == 0, also at a = 0 or nan
                    grad_a = np.where(b == 0, 0, grad * b * np.power(a, b - 1))
                elif b == 0:
                    grad_a = np.zeros_like(grad)
                else:
                    grad_a = grad * b * _power(a, b - 1)
        if needs_b:
            with np.errstate(divide="ignore", invalid="ignore"):
                log_a = np.log(a)  # -inf at 0, nan below
            if not isinstance(a, np.ndarray):  # a number: it must not promote float32
                log_a = float(log_a)
            # PyTorch's convention: where a == 0 and b >= 0 the derivative is 0.
            grad_b = grad * np.where((a == 0) & (b >= 0), 0, out * log_a)
        return grad_a, grad_b


def _power(a: Any, b: Any) -> Any:
    """a ** b as PyTorch computes it: a number exponent of -0.5 is 1 / sqrt(a) (-inf at -0.0,
    nan at -inf), where the C pow gives inf and 0. (NumPy already matches PyTorch's other
    shortcuts: 0.5 is sqrt, -1 reciprocal, 0 gives 1 even at nan.)"""
    if not isinstance(b, np.ndarray) and b == -0.5:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.reciprocal(np.sqrt(a))
    return np.power(a, b)


def add(input: Any, other: Any, *, alpha: float = 1) -> Tensor:
    """input + alpha * other, with broadcasting."""
    if alpha != 1:
        other = Mul.apply(other, alpha)
    return Add._apply2(input, other)


def sub(input: Any, other: Any, *, alpha: float = 1) -> Tensor:
    """input - alpha * other, with broadcasting."""
    if alpha != 1:
        other = Mul.apply(other, alpha)
    return Sub._apply2(input, other)


def mul(input: Any, other: Any) -> Tensor:
    """Elementwise product, with broadcasting."""
    return Mul._apply2(input, other)


def div(input: Any, other: Any) -> Tensor:
    """Elementwise true division, with broadcasting."""
    return Div._apply2(input, other)


def neg(input: Tensor) -> Tensor:
    """-input."""
    return Neg._apply1(input)


def pow(input: Any, exponent: Any) -> Tensor:
    """input ** exponent elementwise, with broadcasting."""
    return Pow.apply(input, exponent)


def _radd(self: Tensor, other: Any) -> Tensor:
    return Add._apply2(other, self)


def _rsub(self: Tensor, other: Any) -> Tensor:
    return Sub._apply2(other, self)


def _rmul(self: Tensor, other: Any) -> Tensor:
    return Mul._apply2(other, self)


def _rtruediv(self: Tensor, other: Any) -> Tensor:
    return Div._apply2(other, self)


def _rpow(self: Tensor, other: Any) -> Tensor:
    return Pow.apply(other, self)


Tensor.__add__ = Tensor.add = add
Tensor.__radd__ = _radd
Tensor.__sub__ = Tensor.sub = sub
Tensor.__rsub__ = _rsub
Tensor.__mul__ = Tensor.mul = mul
Tensor.__rmul__ = _rmul
Tensor.__truediv__ = Tensor.div = Tensor.divide = div
Tensor.__rtruediv__ = _rtruediv
Tensor.__neg__ = Tensor.neg = neg
Tensor.__pow__ = Tensor.pow = pow
Tensor.__rpow__ = _rpow
