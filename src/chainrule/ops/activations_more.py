"""More activations: mish, softsign, hardsigmoid, hardswish, tanhshrink, each with its
local derivative beside it and PyTorch's value on each side of its breakpoints."""

from __future__ import annotations

import numpy as np

from ..function import Function
from ..tensor import Tensor
from .activations import _float_input, _sigmoid

__all__ = ["mish", "softsign", "hardsigmoid", "hardswish", "tanhshrink"]

_ONE_SIXTH = float(np.float32(1.0 / 6.0))


class Mish(Function):
    """out = x tanh(softplus(x));  d/dx = t + x sigmoid(x) (1 - t**2), t = tanh(softplus(x))."""

    @staticmethod
    def forward(ctx, x):
        t = np.tanh(np.logaddexp(0, x))
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(t + x * _sigmoid(x) * (1 - t * t))
        return x * t

    @staticmethod
    def backward(ctx, grad):
        (slope,) = ctx.saved_tensors
        return grad * slope


class Softsign(Function):
    """out = x / (1 + |x|);  d/dx = 1 / (1 + |x|) - |x| / (1 + |x|)**2, which is
    1 / (1 + |x|)**2 written as PyTorch differentiates it (nan at +-inf, as there)."""

    @staticmethod
    def forward(ctx, x):
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(x)
        return x / (1 + np.abs(x))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        a = np.abs(x)
        d = 1 + a
        with np.errstate(invalid="ignore"):
            return grad * (1 / d - a / (d * d))


class Hardsigmoid(Function):
    """out = 0 for x <= -3, 1 for x >= 3, x / 6 + 1 / 2 between;  d/dx = 1/6 strictly
    between, else 0 (also at nan)."""

    @staticmethod
    def forward(ctx, x):
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward((x > -3) & (x < 3))
        return (np.clip(x + 3, 0, 6) / 6).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (inside,) = ctx.saved_tensors
        # PyTorch's kernel multiplies by 1/6 rounded to float32, in every dtype
        return np.where(inside, grad * _ONE_SIXTH, 0).astype(grad.dtype, copy=False)


class Hardswish(Function):
    """out = x * min(max(x + 3, 0), 6) / 6;  d/dx = 0 below -3, x / 3 + 1/2 up to 3, 1 above
    (and at nan)."""

    @staticmethod
    def forward(ctx, x):
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(x)
        return x * np.clip(x + 3, 0, 6) / 6

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        slope = np.where(x < -3, 0, np.where(x <= 3, x / 3 + 0.5, 1))
        return (grad * slope).astype(grad.dtype, copy=False)


class Tanhshrink(Function):
    """out = x - tanh(x);  d/dx = tanh(x)**2."""

    @staticmethod
    def forward(ctx, x):
        t = np.tanh(x)
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(t)
        return x - t

    @staticmethod
    def backward(ctx, grad):
        (t,) = ctx.saved_tensors
        return grad * (t * t)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """input * tanh(softplus(input)) (``inplace`` is ignored)."""
    _float_input("mish", input)
    return Mish._apply1(input)


def softsign(input: Tensor) -> Tensor:
    """input / (1 + |input|)."""
    _float_input("softsign", input)
    return Softsign._apply1(input)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """A piecewise-linear sigmoid: 0 below -3, 1 above 3 (``inplace`` is ignored)."""
    _float_input("hardsigmoid", input)
    return Hardsigmoid._apply1(input)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """input * hardsigmoid(input) (``inplace`` is ignored)."""
    _float_input("hardswish", input)
    return Hardswish._apply1(input)


def tanhshrink(input: Tensor) -> Tensor:
    """input - tanh(input)."""
    _float_input("tanhshrink", input)
    return Tanhshrink._apply1(input)
