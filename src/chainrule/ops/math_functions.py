"""More one-input math functions: sin cos sinh cosh, square, log1p expm1, reciprocal rsqrt,
sign, each with its local derivative beside it (the rest are in ``elementwise.py``).

As PyTorch, the transcendental ones compute an int or bool tensor in the default float
dtype, while ``square`` and ``sign`` keep an integer dtype; nan and inf come out silently.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..function import Function
from ..tensor import Tensor
from .elementwise import _floating, _unary

__all__ = ["sin", "cos", "sinh", "cosh", "square", "log1p", "expm1", "reciprocal", "rsqrt",
           "sign"]

_QUIET = {"divide": "ignore", "invalid": "ignore", "over": "ignore"}


class _OfInput(Function):
    """out = rule(x) of a float x;  d/dx = slope(x) (each subclass names the two)."""

    rule: Any = None
    slope: Any = None

    @staticmethod
    def forward(ctx, x):
        x = _floating(x)
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(x)
        with np.errstate(**_QUIET):
            return type(ctx).rule(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        with np.errstate(**_QUIET):
            return grad * type(ctx).slope(x)


class _OfOutput(Function):
    """out = rule(x) of a float x;  d/dx = slope(out), written with the output."""

    rule: Any = None
    slope: Any = None

    @staticmethod
    def forward(ctx, x):
        with np.errstate(**_QUIET):
            out = type(ctx).rule(_floating(x))
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        with np.errstate(**_QUIET):
            return grad * type(ctx).slope(out)


class Sin(_OfInput):
    """out = sin(x);  d/dx = cos(x)."""

    rule, slope = staticmethod(np.sin), staticmethod(np.cos)


class Cos(_OfInput):
    """out = cos(x);  d/dx = -sin(x)."""

    rule, slope = staticmethod(np.cos), staticmethod(lambda x: -np.sin(x))


class Sinh(_OfInput):
    """out = sinh(x);  d/dx = cosh(x)."""

    rule, slope = staticmethod(np.sinh), staticmethod(np.cosh)


class Cosh(_OfInput):
    """out = cosh(x);  d/dx = sinh(x)."""

    rule, slope = staticmethod(np.cosh), staticmethod(np.sinh)


class Log1p(_OfInput):
    """out = log(1 + x), accurate for small x;  d/dx = 1 / (1 + x)."""

    rule, slope = staticmethod(np.log1p), staticmethod(lambda x: 1 / (x + 1))


class Expm1(_OfOutput):
    """out = e**x - 1, accurate for small x;  d/dx = out + 1."""

    rule, slope = staticmethod(np.expm1), staticmethod(lambda out: out + 1)


class Reciprocal(_OfOutput):
    """out = 1 / x;  d/dx = -out**2."""

    rule, slope = staticmethod(np.reciprocal), staticmethod(lambda out: -(out * out))


class Rsqrt(_OfOutput):
    """out = 1 / sqrt(x);  d/dx = -out**3 / 2."""

    rule = staticmethod(lambda x: np.reciprocal(np.sqrt(x)))
    slope = staticmethod(lambda out: -0.5 * out * out * out)


class Square(Function):
    """out = x * x;  d/dx = 2 x."""

    @staticmethod
    def forward(ctx, x):
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(x)
        with np.errstate(**_QUIET):
            return np.square(x.astype(np.int64) if x.dtype.kind == "b" else x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * (2 * x)


class Sign(Function):
    """out = -1, 0 or 1 by the sign of x (0 at nan, as PyTorch);  d/dx = 0."""

    @staticmethod
    def forward(ctx, x):
        if x.dtype.kind == "b":
            return x.copy()
        out = np.asarray(np.sign(x))
        if x.dtype.kind == "f":
            np.copyto(out, 0, where=np.isnan(x))
        return out

    @staticmethod
    def backward(ctx, grad):
        return np.zeros_like(grad)


sin = _unary("sin", Sin, "Sine elementwise (radians).")
cos = _unary("cos", Cos, "Cosine elementwise (radians).")
sinh = _unary("sinh", Sinh, "Hyperbolic sine elementwise.")
cosh = _unary("cosh", Cosh, "Hyperbolic cosine elementwise.")
square = _unary("square", Square, "input * input elementwise (an int tensor stays int).")
log1p = _unary("log1p", Log1p, "log(1 + input) elementwise, accurate near 0.")
expm1 = _unary("expm1", Expm1, "e ** input - 1 elementwise, accurate near 0.")
reciprocal = _unary("reciprocal", Reciprocal, "1 / input elementwise (inf at 0).")
rsqrt = _unary("rsqrt", Rsqrt, "1 / sqrt(input) elementwise (inf at 0, nan below).")
sign = _unary("sign", Sign, "-1, 0 or 1 by the sign of input (0 at nan); no gradient flows.")

Tensor.sin = sin
Tensor.cos = cos
Tensor.sinh = sinh
Tensor.cosh = cosh
Tensor.square = square
Tensor.log1p = log1p
Tensor.expm1 = expm1
Tensor.reciprocal = reciprocal
Tensor.rsqrt = rsqrt
Tensor.sign = sign
