"""``norm``: vector p-norms over some or all dims, with PyTorch's gradient conventions
(0 where the norm is 0; the inf-norm's gradient shared among the tied largest entries)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..dtypes import as_dtype
from ..function import Function
from ..tensor import Tensor
from .reduce import _dims, _kept

__all__ = ["norm"]

_QUIET = {"divide": "ignore", "invalid": "ignore", "over": "ignore"}


class VectorNorm(Function):
    """out = (sum |x|**p) ** (1/p) over ``axes`` (p = 1, 2, inf, -inf, 0 or any other);
    d/dx = sign(x) |x|**(p-1) / out**(p-1), 0 where x or out is 0; for p = inf the
    largest entries share the gradient equally."""

    @staticmethod
    def forward(ctx, x, p, axes, keepdim):
        a = np.abs(x)
        with np.errstate(**_QUIET):
            if p == 2:
                out = np.sqrt(np.add.reduce(a * a, axis=axes, keepdims=True))
            elif p == 1:
                out = np.add.reduce(a, axis=axes, keepdims=True)
            elif p == math.inf:
                out = np.maximum.reduce(a, axis=axes, keepdims=True)
            elif p == -math.inf:
                out = np.minimum.reduce(a, axis=axes, keepdims=True)
            elif p == 0:
                out = np.add.reduce(a != 0, axis=axes, keepdims=True).astype(x.dtype)
            else:
                out = np.add.reduce(a ** p, axis=axes, keepdims=True) ** (1.0 / p)
        ctx.save_for_backward(x, out)
        ctx.p, ctx.axes, ctx.keepdim = p, axes, keepdim
        return out if keepdim else _drop(out, axes)

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        p = ctx.p
        grad = _kept(grad, ctx.axes, ctx.keepdim)
        sign = np.sign(x)
        with np.errstate(**_QUIET):
            if p == 0:
                return np.zeros_like(x), None, None, None
            if p == 1:
                return grad * sign, None, None, None
            if p in (math.inf, -math.inf):
                picked = np.abs(x) == out
                count = np.add.reduce(picked, axis=ctx.axes, keepdims=True)
                return grad * sign * picked / count, None, None, None
            if p == 2:
                slope = x / out
            else:
                slope = sign * np.abs(x) ** (p - 1) / out ** (p - 1)
            return grad * np.where((out == 0) | (x == 0), 0, slope), None, None, None


def _drop(out: np.ndarray, axes: Any) -> np.ndarray:
    return out.reshape(()) if axes is None else np.squeeze(out, axis=axes)


def norm(input: Tensor, p: float | str | None = "fro", dim: Any = None, keepdim: bool = False,
         dtype: Any = None) -> Tensor:
    """The p-norm of input's entries over ``dim`` (every dim if None): p = "fro" or 2
    (Euclidean), 1, inf, -inf, 0 (the count of nonzeros) or any other number."""
    if p is None or p == "fro":
        p = 2
    elif isinstance(p, str):
        raise RuntimeError(f"norm: p={p!r} (a matrix norm) is not supported; use a number or "
                           "'fro'")
    if dtype is not None:
        input = input.to(as_dtype(dtype))
    if input.dtype.kind != "f":
        raise RuntimeError(f"norm(): input dtype should be floating point, but got {input.dtype}")
    axes = _dims("norm", dim, input.ndim)
    if axes == ():
        axes = None
    if p in (math.inf, -math.inf) and input.numel() == 0:
        raise RuntimeError("linalg.vector_norm cannot compute the inf norm on an empty tensor "
                           "because the operation does not have an identity")
    return VectorNorm.apply(input, float(p), axes, bool(keepdim))


def _norm_method(self: Tensor, p: float | str | None = "fro", dim: Any = None,
                 keepdim: bool = False, dtype: Any = None) -> Tensor:
    """The p-norm of self over ``dim``: ``norm(self, ...)``."""
    return norm(self, p, dim, keepdim, dtype)


Tensor.norm = _norm_method
