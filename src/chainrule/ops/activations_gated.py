"""Activations with a second operand: prelu (a learned slope for negative inputs, per
channel), glu (one half of the input gating the other) and softmin."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..function import Function
from ..tensor import Tensor
from .activations import _float_input
from .arithmetic import neg
from .elementwise import sigmoid
from .fused import _implicit_dim, softmax
from .join import chunk

__all__ = ["glu", "prelu", "softmin"]


class Prelu(Function):
    """out = x for x > 0, w x otherwise, with w the weight of x's channel (dim 1);
    d/dx = 1 or w alike, d/dw = the sum over each channel of x where x <= 0."""

    @staticmethod
    def forward(ctx, x, weight):
        w = weight.reshape((1, -1) + (1,) * (x.ndim - 2)) if weight.size > 1 else weight.reshape(())
        positive = x > 0
        if any(ctx.needs_input_grad):
            ctx.save_for_backward(x, w, positive)
            ctx.weight_shape = weight.shape
        return np.where(positive, x, w * x).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        x, w, positive = ctx.saved_tensors
        needs_x, needs_w = ctx.needs_input_grad
        grad_x = grad_w = None
        if needs_x:
            grad_x = np.where(positive, grad, w * grad).astype(grad.dtype, copy=False)
        if needs_w:
            per_element = np.where(positive, 0, x * grad)
            if w.size > 1:
                axes = (0, *range(2, x.ndim))
                grad_w = per_element.sum(axis=axes).reshape(ctx.weight_shape)
            else:
                grad_w = np.asarray(per_element.sum(), grad.dtype).reshape(ctx.weight_shape)
        return grad_x, grad_w


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """input where positive, weight * input elsewhere; ``weight`` is one slope (a scalar or
    a 1-element tensor) or one per channel (dim 1 of ``input``)."""
    _float_input("prelu", input)
    if weight.ndim > 1:
        raise RuntimeError(
            f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = {weight.ndim}"
        )
    channels = input.shape[1] if input.ndim >= 2 else 1
    if weight.numel() != 1 and weight.numel() != channels:
        raise RuntimeError(
            "Mismatch of parameter numbers and input channel size. Found parameter numbers = "
            f"{weight.numel()} and channel size = {channels}."
        )
    return Prelu._apply2(input, weight)


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """The gated linear unit: ``a * sigmoid(b)``, with ``a`` and ``b`` the two halves of
    ``input`` along ``dim``."""
    _float_input("glu", input)
    if input.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    axis = dim % input.ndim
    if input.shape[axis] % 2:
        raise RuntimeError(
            f"Halving dimension must be even, but dimension {axis} is size "
            f"{input.shape[axis]}"
        )
    first, second = chunk(input, 2, axis)
    return first * sigmoid(second)


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
            dtype: Any = None) -> Tensor:
    """softmax(-input) along ``dim``: weights that favour the smallest entries."""
    if dim is None:
        dim = _implicit_dim("softmin", input.ndim)
    return softmax(neg(input), dim, dtype)
