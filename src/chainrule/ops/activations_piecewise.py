"""Piecewise activations: celu, hardshrink, softshrink, threshold, each with its local
derivative beside it and PyTorch's choice at the breakpoints and at nan."""

from __future__ import annotations

import numpy as np

from ..function import Function
from ..tensor import Tensor
from .activations import _float_input

__all__ = ["celu", "hardshrink", "softshrink", "threshold"]


class Celu(Function):
    """out = max(x, 0) + min(0, alpha (e**(x / alpha) - 1));
    d/dx = 1 for x > 0, e**(x / alpha) for x <= 0 (so a nan input passes the gradient)."""

    @staticmethod
    def forward(ctx, x, alpha):
        negative = np.minimum(x, 0) / alpha  # expm1 of a clipped input: no overflow
        with np.errstate(over="ignore"):  # only for alpha < 0, where PyTorch gives inf too
            out = np.maximum(x, 0) + alpha * np.expm1(negative)
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(x, negative)
        return out.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        x, negative = ctx.saved_tensors
        with np.errstate(over="ignore", invalid="ignore"):
            slope = np.where(x <= 0, np.exp(negative), 1).astype(grad.dtype, copy=False)
            return grad * slope, None


class Shrink(Function):
    """hardshrink: out = x outside [-lambd, lambd], else 0;
    softshrink: out = x - lambd above lambd, x + lambd below -lambd, else 0 (signed).
    d/dx = 0 inside [-lambd, lambd], else 1 (also at nan)."""

    @staticmethod
    def forward(ctx, x, lambd, soft):
        inside = (x >= -lambd) & (x <= lambd)
        if soft:  # x * 0 inside: -0 for a negative x, as PyTorch gives
            with np.errstate(invalid="ignore"):  # inf * 0, never picked
                out = np.where(x > lambd, x - lambd, np.where(x < -lambd, x + lambd, x * 0))
        else:
            out = np.where(inside, 0, x)
        out = out.astype(x.dtype, copy=False)
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(inside)
        return out

    @staticmethod
    def backward(ctx, grad):
        (inside,) = ctx.saved_tensors
        return np.where(inside, 0, grad).astype(grad.dtype, copy=False), None, None


class Threshold(Function):
    """out = value where x <= threshold, else x;  d/dx = 0 where x <= threshold, else 1
    (a nan input is kept, and passes the gradient)."""

    @staticmethod
    def forward(ctx, x, threshold, value):
        below = x <= threshold
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(below)
        return np.where(below, np.asarray(value, x.dtype), x)

    @staticmethod
    def backward(ctx, grad):
        (below,) = ctx.saved_tensors
        return np.where(below, 0, grad).astype(grad.dtype, copy=False), None, None


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """max(0, input) + min(0, alpha * (exp(input / alpha) - 1)) (``inplace`` is ignored)."""
    _float_input("celu", input)
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    return Celu._apply2(input, float(alpha))


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """input where |input| > lambd, else 0."""
    _float_input("hardshrink", input)
    return Shrink._apply3(input, float(lambd), False)


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """input - lambd above lambd, input + lambd below -lambd, else 0 (``lambd`` >= 0)."""
    _float_input("softshrink", input)
    if lambd < 0:
        dtype = input.data.dtype
        name = {"float16": "Half", "float32": "Float", "float64": "Double"}.get(dtype.name,
                                                                                 dtype.name)
        raise RuntimeError(f"lambda must be in range [0, {np.finfo(dtype).max:g}] for input "
                           f"dtype {name}, but found {lambd:g}")
    return Shrink._apply3(input, float(lambd), True)


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """``value`` where input <= threshold, input elsewhere (``inplace`` is ignored)."""
    _float_input("threshold", input)
    return Threshold._apply3(input, float(threshold), float(value))
