"""Ops that mask, reorder or accumulate elements: masked_fill, tril, triu, flip, roll,
cumsum. Each backward sends every gradient entry back to the element it came from.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..dtypes import as_dtype
from ..function import Function
from ..tensor import Tensor
from .indexing import _wrap_dim

__all__ = ["masked_fill", "tril", "triu", "flip", "roll", "cumsum"]


class MaskedFill(Function):
    """out = value where mask, else x;  d/dx = 0 where mask, else 1."""

    @staticmethod
    def forward(ctx, x, mask, value):
        ctx.mask = mask
        return np.where(mask, np.asarray(value, dtype=x.dtype), x)

    @staticmethod
    def backward(ctx, grad):
        return np.where(ctx.mask, np.zeros((), grad.dtype), grad), None, None


def masked_fill(input: Tensor, mask: Any, value: Any) -> Tensor:
    """input with ``value`` wherever the bool ``mask`` (broadcast to input's shape) is True;
    no gradient flows to the filled places."""
    mask = mask.data if isinstance(mask, Tensor) else np.asarray(mask)
    if mask.dtype != np.bool_:
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype "
                           f"{mask.dtype}")
    try:
        fits = np.broadcast_shapes(mask.shape, input.shape) == tuple(input.shape)
    except ValueError:
        fits = False
    if not fits:
        raise RuntimeError(
            f"masked_fill: the mask of shape {tuple(mask.shape)} does not broadcast to the "
            f"input's shape {tuple(input.shape)}"
        )
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise RuntimeError(
                "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                f"{value.ndim} dimension(s)."
            )
        value = value.item()
    return MaskedFill.apply(input, mask, value)


class Triangle(Function):
    """out = x with the entries on one side of a diagonal zeroed;  dx = grad, likewise."""

    @staticmethod
    def forward(ctx, x, diagonal, lower):
        ctx.diagonal, ctx.lower = diagonal, lower
        return np.tril(x, diagonal) if lower else np.triu(x, diagonal)

    @staticmethod
    def backward(ctx, grad):
        keep = np.tril if ctx.lower else np.triu
        return keep(grad, ctx.diagonal), None, None


def _triangle(op: str, input: Tensor, diagonal: int, lower: bool) -> Tensor:
    if input.ndim < 2:
        raise RuntimeError(f"{op}: input tensor must have at least 2 dimensions")
    return Triangle.apply(input, int(diagonal), lower)


def tril(input: Tensor, diagonal: int = 0) -> Tensor:
    """The lower triangle of the last two dims (on and below ``diagonal``); zeros above."""
    return _triangle("tril", input, diagonal, True)


def triu(input: Tensor, diagonal: int = 0) -> Tensor:
    """The upper triangle of the last two dims (on and above ``diagonal``); zeros below."""
    return _triangle("triu", input, diagonal, False)


def _dims(dims: int | Sequence[int], ndim: int) -> tuple[int, ...]:
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    axes = tuple(_wrap_dim(d, ndim) for d in dims)
    if len(set(axes)) != len(axes):
        raise RuntimeError(f"dims has duplicates, original flip dims size={len(dims)}, "
                           f"but unique flip dims size={len(set(axes))}")
    return axes


class Flip(Function):
    """out = x reversed along ``axes``;  dx = grad reversed the same way."""

    @staticmethod
    def forward(ctx, x, axes):
        ctx.axes = axes
        return np.flip(x, axes).copy()

    @staticmethod
    def backward(ctx, grad):
        return np.flip(grad, ctx.axes), None


def flip(input: Tensor, dims: int | Sequence[int]) -> Tensor:
    """input with the order of its entries reversed along each of ``dims``."""
    return Flip.apply(input, _dims(dims, input.ndim))


class Roll(Function):
    """out = x shifted cyclically by ``shifts`` along ``axes``;  dx = grad shifted back."""

    @staticmethod
    def forward(ctx, x, shifts, axes):
        ctx.shifts, ctx.axes = shifts, axes
        return np.roll(x, shifts, axes)

    @staticmethod
    def backward(ctx, grad):
        back = tuple(-s for s in ctx.shifts) if ctx.axes is not None else -ctx.shifts
        return np.roll(grad, back, ctx.axes), None, None


def roll(input: Tensor, shifts: int | Sequence[int],
         dims: int | Sequence[int] | None = None) -> Tensor:
    """input shifted cyclically by ``shifts`` along ``dims`` (flattened if None)."""
    if dims is None:
        if not isinstance(shifts, int):
            raise RuntimeError("roll: shifts must be an int when dims is not given")
        return Roll.apply(input, shifts, None)
    shifts = (shifts,) if isinstance(shifts, int) else tuple(shifts)
    axes = (dims,) if isinstance(dims, int) else tuple(dims)
    if len(shifts) != len(axes):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, "
                           f"dims:{len(axes)}")
    return Roll.apply(input, shifts, tuple(_wrap_dim(d, input.ndim) for d in axes))


class Cumsum(Function):
    """out_i = x_0 + ... + x_i along ``axis``;  dx_i = grad_i + ... + grad_last (the
    reversed cumulative sum of grad)."""

    @staticmethod
    def forward(ctx, x, axis, dtype):
        ctx.axis, ctx.source = axis, x.dtype
        if dtype is None and x.dtype.kind in "biu":
            dtype = np.int64
        if x.ndim == 0:  # a 0-d tensor's running sum is itself
            return x.astype(dtype or x.dtype)
        return np.cumsum(x, axis=axis, dtype=dtype)

    @staticmethod
    def backward(ctx, grad):
        if grad.ndim == 0:
            return grad.astype(ctx.source), None, None
        reverse_sums = np.flip(np.cumsum(np.flip(grad, ctx.axis), axis=ctx.axis), ctx.axis)
        return reverse_sums.astype(ctx.source, copy=False), None, None


def cumsum(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    """Running sums along ``dim``; int and bool inputs sum to int64 (or to ``dtype``)."""
    axis = _wrap_dim(dim, input.ndim)
    return Cumsum.apply(input, axis, None if dtype is None else as_dtype(dtype))


def _masked_fill_method(self: Tensor, mask: Any, value: Any) -> Tensor:
    """self with ``value`` where ``mask`` is True: ``masked_fill(self, ...)``."""
    return masked_fill(self, mask, value)


def _flip_method(self: Tensor, *dims: Any) -> Tensor:
    """self reversed along the given dims: ``flip(self, dims)``."""
    return flip(self, dims[0] if len(dims) == 1 and not isinstance(dims[0], int) else dims)


Tensor.masked_fill = _masked_fill_method
Tensor.tril = tril
Tensor.triu = triu
Tensor.flip = _flip_method
Tensor.roll = roll
Tensor.cumsum = cumsum
