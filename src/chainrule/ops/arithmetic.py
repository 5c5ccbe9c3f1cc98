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
    """out = a ** b;  d/da = b * a**(b - 1), d/db = out * log(a)."""

    @staticmethod
    def forward(ctx, a, b):
        out = np.power(a, b)
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, b, out = ctx.saved_tensors
        needs_a, needs_b = ctx.needs_input_grad
        grad_a = grad * b * np.power(a, b - 1) if needs_a else None
        grad_b = None
        if needs_b:
            with np.errstate(divide="ignore", invalid="ignore"):
                log_a = np.where(a > 0, np.log(np.where(a > 0, a, 1)), np.nan)
            # PyTorch's convention: where out == 0 (a == 0, b > 0) the derivative is 0.
            grad_b = grad * np.where(out == 0, 0, out * log_a)
        return grad_a, grad_b


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
