"""Fused ops: softmax, log_softmax, cross_entropy, nll_loss (and one_hot).

Each is one op with a closed-form backward instead of a chain of primitives:
fewer nodes, fewer temporaries, and numerically safe (the max is subtracted
before exponentiating, so logits of any magnitude give finite results).
Cross-entropy's gradient with respect to the logits is ``softmax - onehot``.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ..dtypes import FLOATING, as_dtype, int64
from ..function import Function
from ..tensor import Tensor
from ._matrix_sums import max_keepdims, sum_keepdims

__all__ = ["softmax", "log_softmax", "one_hot"]

_REDUCTIONS = ("none", "mean", "sum")


def _axis(op: str, dim: int, ndim: int) -> int:
    """``dim`` as a non-negative axis, or an IndexError naming the valid range."""
    rank = max(ndim, 1)
    if not -rank <= dim < rank:
        raise IndexError(
            f"{op}: dim {dim} is out of range for a tensor of {ndim} dimensions "
            f"(expected {-rank} <= dim <= {rank - 1})"
        )
    return dim % rank


def _floating(op: str, x: Any, dtype: Any) -> Any:
    """The input as the float array the op computes in (cast to ``dtype`` if given)."""
    if dtype is not None:
        x = x.astype(as_dtype(dtype), copy=False)
    if x.dtype not in FLOATING:
        raise RuntimeError(
            f"{op}: expected a floating point tensor, got {x.dtype} "
            "(pass dtype=cr.float32, or convert with .float())"
        )
    return x


def _input_dtype(ctx: Function, grad: np.ndarray) -> np.ndarray:
    """The gradient in the input's dtype (differs only when ``dtype=`` cast the input)."""
    dtype = ctx.input_dtype
    return grad if grad.dtype == dtype else grad.astype(dtype)


def _shifted_exp(x: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x - max, exp(x - max), sum of exp(x - max)) along ``axis`` (kept): the stable pieces."""
    shifted = x - max_keepdims(x, axis)
    exps = np.exp(shifted)
    return shifted, exps, sum_keepdims(exps, axis)


class Softmax(Function):
    """y = exp(x) / sum(exp(x));  dx = y * (g - sum(g * y))."""

    @staticmethod
    def forward(ctx, x, dim, dtype):
        ctx.input_dtype = x.dtype
        x = _floating("softmax", x, dtype)
        axis = _axis("softmax", dim, x.ndim)
        if x.ndim == 0 or x.size == 0:
            y = np.ones_like(x)
        else:
            y = x - max_keepdims(x, axis)
            np.exp(y, out=y)
            y /= sum_keepdims(y, axis)
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(y)
            ctx.axis = axis if x.ndim else None
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        gy = grad * y
        return _input_dtype(ctx, gy - y * sum_keepdims(gy, ctx.axis)), None, None


class LogSoftmax(Function):
    """y = x - log(sum(exp(x)));  dx = g - softmax(x) * sum(g)."""

    @staticmethod
    def forward(ctx, x, dim, dtype):
        ctx.input_dtype = x.dtype
        x = _floating("log_softmax", x, dtype)
        axis = _axis("log_softmax", dim, x.ndim)
        if x.ndim == 0 or x.size == 0:
            y = np.zeros_like(x)
        else:
            y, _, total = _shifted_exp(x, axis)
            y -= np.log(total)
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(y)
            ctx.axis = axis if x.ndim else None
        return y

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        grad_x = grad - np.exp(y) * sum_keepdims(grad, ctx.axis)
        return _input_dtype(ctx, grad_x), None, None


def _implicit_dim(op: str, ndim: int) -> int:
    warnings.warn(
        f"Implicit dimension choice for {op} has been deprecated. Change the call to include "
        "dim=X as an argument.",
        UserWarning,
        stacklevel=3,
    )
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:
    """exp(input) / exp(input).sum(dim, keepdim=True), computed stably (max subtracted).

    ``dtype`` casts the input first. Leaving out ``dim`` picks one with a warning, as
    PyTorch's ``F.softmax`` does.
    """
    if dim is None:
        dim = _implicit_dim("softmax", input.ndim)
    return Softmax.apply(input, dim, dtype)


def log_softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:
    """input - log(exp(input).sum(dim, keepdim=True)), computed stably (max subtracted)."""
    if dim is None:
        dim = _implicit_dim("log_softmax", input.ndim)
    return LogSoftmax.apply(input, dim, dtype)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """int64 tensor of shape tensor.shape + (num_classes,), 1 at each index, 0 elsewhere.

    ``num_classes=-1`` uses the largest index + 1. Not differentiable.
    """
    t = tensor.data if isinstance(tensor, Tensor) else np.asarray(tensor)
    if t.dtype != int64:
        raise RuntimeError(
            f"one_hot: expected a tensor of class indices with dtype int64, got {t.dtype}"
        )
    if num_classes < -1:
        raise RuntimeError(f"one_hot: num_classes must be -1 or >= 0, got {num_classes}")
    if t.size == 0:
        if num_classes == -1:
            raise RuntimeError("one_hot: cannot infer the number of classes from an empty tensor")
    else:
        low, high = int(t.min()), int(t.max())
        if low < 0:
            raise RuntimeError(f"one_hot: class values must be non-negative, got {low}")
        if num_classes == -1:
            num_classes = high + 1
        elif high >= num_classes:
            raise RuntimeError(
                f"one_hot: class value {high} is out of range for num_classes={num_classes} "
                f"(expected 0 <= value < {num_classes})"
            )
    out = np.zeros(t.shape + (num_classes,), dtype=int64)
    if t.size:
        np.put_along_axis(out, t[..., None], 1, axis=-1)
    return Tensor._make(out)


Tensor.softmax = softmax
Tensor.log_softmax = log_softmax
