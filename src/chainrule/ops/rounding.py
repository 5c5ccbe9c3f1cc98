"""Rounding (floor, ceil, round, trunc: gradient 0, as PyTorch) and products (prod, whose
gradient is the product of the other elements, exact even where some are 0)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..dtypes import as_dtype
from ..function import Function
from ..tensor import Tensor
from .elementwise import _unary
from .indexing import _wrap_dim

__all__ = ["floor", "ceil", "round", "trunc", "prod"]


class _Rounding(Function):
    """out = x rounded (the rule is the subclass's ``rule``);  d/dx = 0."""

    rule: Any = None

    @staticmethod
    def forward(ctx, x):
        return x.copy() if x.dtype.kind in "biu" else type(ctx).rule(x)

    @staticmethod
    def backward(ctx, grad):
        return np.zeros_like(grad)


class Floor(_Rounding):
    """out = the largest integer <= x;  d/dx = 0."""

    rule = staticmethod(np.floor)


class Ceil(_Rounding):
    """out = the smallest integer >= x;  d/dx = 0."""

    rule = staticmethod(np.ceil)


class Trunc(_Rounding):
    """out = x rounded toward 0;  d/dx = 0."""

    rule = staticmethod(np.trunc)


class Round(Function):
    """out = x rounded to ``decimals`` places, halves to even;  d/dx = 0."""

    @staticmethod
    def forward(ctx, x, decimals):
        return x.copy() if x.dtype.kind in "biu" else np.round(x, decimals)

    @staticmethod
    def backward(ctx, grad):
        return np.zeros_like(grad), None


floor = _unary("floor", Floor, "The largest integer <= input, elementwise (gradient 0).")
ceil = _unary("ceil", Ceil, "The smallest integer >= input, elementwise (gradient 0).")
trunc = _unary("trunc", Trunc, "input rounded toward 0, elementwise (gradient 0).")


def round(input: Tensor, *, decimals: int = 0) -> Tensor:  # noqa: A001 - PyTorch's name
    """input rounded to ``decimals`` places, halves to the even neighbour (gradient 0)."""
    return Round.apply(input, int(decimals))


def _products_of_others(x: np.ndarray, axis: int) -> np.ndarray:
    """For each element, the product of the others along ``axis``: exclusive running
    products from the left times those from the right, no division (exact at zeros)."""
    ones = np.ones_like(np.take(x, [0], axis=axis))
    left = np.cumprod(np.concatenate([ones, np.take(x, np.arange(x.shape[axis] - 1),
                                                     axis=axis)], axis=axis), axis=axis)
    flipped = np.flip(x, axis)
    right = np.cumprod(np.concatenate([ones, np.take(flipped, np.arange(x.shape[axis] - 1),
                                                      axis=axis)], axis=axis), axis=axis)
    return left * np.flip(right, axis)


class Prod(Function):
    """out = the product over ``axis`` (every element if None);  d/dx_i = the product of
    the other elements."""

    @staticmethod
    def forward(ctx, x, axis, keepdim):
        ctx.save_for_backward(x)
        ctx.axis, ctx.keepdim = axis, keepdim
        return np.prod(x, axis=axis, keepdims=keepdim)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        if x.size == 0:
            return np.zeros_like(x), None, None
        if ctx.axis is None:
            flat = x.reshape(-1)
            return (grad * _products_of_others(flat, 0)).reshape(x.shape), None, None
        if not ctx.keepdim:
            grad = np.expand_dims(grad, ctx.axis)
        return grad * _products_of_others(x, ctx.axis), None, None


def prod(input: Tensor, dim: int | None = None, keepdim: bool = False, *,
         dtype: Any = None) -> Tensor:
    """The product of the elements (along ``dim``); int and bool tensors multiply to int64
    (or to ``dtype``)."""
    if dtype is not None:
        input = input.to(as_dtype(dtype))
    elif input.dtype.kind in "biu":
        input = input.to(np.int64)
    axis = None if dim is None else _wrap_dim(dim, input.ndim)
    if input.ndim == 0:
        axis = None
    return Prod.apply(input, axis, bool(keepdim) and axis is not None)


def _round_method(self: Tensor, *, decimals: int = 0) -> Tensor:
    """self rounded to ``decimals`` places, halves to even: ``round(self, ...)``."""
    return round(self, decimals=decimals)


def _prod_method(self: Tensor, dim: int | None = None, keepdim: bool = False, *,
                 dtype: Any = None) -> Tensor:
    """The product of the elements (along ``dim``): ``prod(self, ...)``."""
    return prod(self, dim, keepdim, dtype=dtype)


Tensor.floor = floor
Tensor.ceil = ceil
Tensor.trunc = trunc
Tensor.round = _round_method
Tensor.prod = _prod_method
