"""The extremes of a tensor: max, min, amax, amin, argmax, argmin.

The gradient of a maximum flows only to the element(s) that were the maximum:
shared equally among ties for a full reduction (amax/amin, ``max()``), and to the
index returned for ``max(dim)``, as PyTorch does.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from ..dtypes import int64
from ..function import Function
from ..tensor import Tensor
from .elementwise import Clone, maximum, minimum
from .reduce import _kept, _options, _squeezed

__all__ = ["max", "min", "amax", "amin", "argmax", "argmin"]


class MaxMin(NamedTuple):
    """What ``max(input, dim)`` / ``min(input, dim)`` return, like ``torch.return_types.max``."""

    values: Tensor
    indices: Tensor


class _Extreme(Function):
    """max/min over dims (``extreme`` says which);  d/dx = 1/k at each of the k extreme
    elements of a slice, 0 elsewhere."""

    extreme: Any = None  # np.maximum.reduce or np.minimum.reduce

    @staticmethod
    def forward(ctx, x, axes, keepdim):
        out = ctx.extreme(x, axis=axes, keepdims=True)
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(x, out)
            ctx.axes, ctx.keepdim = axes, keepdim
        return _squeezed(out, axes, keepdim)

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        chosen = x == out
        if np.isnan(out).any():  # nan is the maximum and the minimum, as in PyTorch
            chosen |= np.isnan(x) & np.isnan(out)
        ties = chosen.sum(axis=ctx.axes, keepdims=True, dtype=grad.dtype)
        return chosen * (_kept(grad, ctx.axes, ctx.keepdim) / ties), None, None


class Amax(_Extreme):
    """out = max of x over dims;  d/dx = 1/k at each of the k maxima of a slice, 0 elsewhere."""

    extreme = np.maximum.reduce


class Amin(_Extreme):
    """out = min of x over dims;  d/dx = 1/k at each of the k minima of a slice, 0 elsewhere."""

    extreme = np.minimum.reduce


class _AlongDim(Function):
    """max/min along one dim, at ``indices`` found beforehand (``extreme`` says which);
    d/dx = 1 at the index returned, 0 elsewhere."""

    extreme: Any = None  # np.maximum.reduce or np.minimum.reduce

    @staticmethod
    def forward(ctx, x, indices, dim, keepdim):
        ctx.shape, ctx.indices, ctx.dim, ctx.keepdim = x.shape, indices, dim, keepdim
        return ctx.extreme(x, axis=dim, keepdims=keepdim)

    @staticmethod
    def backward(ctx, grad):
        full = np.zeros(ctx.shape, dtype=grad.dtype)
        grad = grad if ctx.keepdim else np.expand_dims(grad, ctx.dim)
        np.put_along_axis(full, ctx.indices, grad, axis=ctx.dim)
        return full, None, None, None


class MaxAlongDim(_AlongDim):
    """out = max of x along dim (at ``indices``);  d/dx = 1 at that index, 0 elsewhere."""

    extreme = np.maximum.reduce


class MinAlongDim(_AlongDim):
    """out = min of x along dim (at ``indices``);  d/dx = 1 at that index, 0 elsewhere."""

    extreme = np.minimum.reduce


def _check_nonempty(op: str, input: Tensor, axes: tuple[int, ...] | None) -> None:
    shape = input.data.shape
    if axes is None and input.data.size == 0:
        raise RuntimeError(
            f"{op}(): Expected reduction dim to be specified for input.numel() == 0. "
            "Specify the reduction dim with the 'dim' argument."
        )
    for a in axes or ():
        if shape[a] == 0:
            raise IndexError(f"{op}(): Expected reduction dim {a} to have non-zero size.")


def _extreme_along(op: str, input: Tensor, dim: Any, keepdim: bool, keepdims: Any,
                   axis: Any) -> MaxMin:
    """(values, indices) of the max/min along one dim; the gradient goes to the index chosen."""
    if isinstance(dim, tuple | list):
        raise TypeError(f"{op}(): argument 'dim' must be int, not {type(dim).__name__}")
    axes, keepdim = _options(op, input, dim, keepdim, keepdims, axis)
    _check_nonempty(op, input, axes)
    data = input.data
    if data.ndim == 0:
        return MaxMin(Clone.apply(input), Tensor._make(np.zeros((), int64)))
    (d,) = axes
    if op == "max":
        indices = data.argmax(axis=d, keepdims=True).astype(int64, copy=False)
        values = MaxAlongDim.apply(input, indices, d, keepdim)
    else:
        indices = data.argmin(axis=d, keepdims=True).astype(int64, copy=False)
        values = MinAlongDim.apply(input, indices, d, keepdim)
    return MaxMin(values, Tensor._make(indices if keepdim else np.squeeze(indices, axis=d)))


def max(input: Tensor, dim: Any = None, keepdim: bool = False, *, other: Any = None,
        keepdims: bool | None = None, axis: Any = None) -> Any:
    """``max(input)``: the largest element (0-d; ties share the gradient equally).
    ``max(input, dim, keepdim=False)``: ``MaxMin(values, indices)`` along ``dim`` (the
    gradient goes to the index returned). ``max(input, other)``: ``maximum(input, other)``."""
    if isinstance(dim, Tensor) or other is not None:
        return maximum(input, dim if other is None else other)
    if dim is None and axis is None:
        axes, keepdim = _options("max", input, None, keepdim, keepdims, None)
        _check_nonempty("max", input, None)
        return Amax.apply(input, axes, False)
    return _extreme_along("max", input, dim, keepdim, keepdims, axis)


def min(input: Tensor, dim: Any = None, keepdim: bool = False, *, other: Any = None,
        keepdims: bool | None = None, axis: Any = None) -> Any:
    """``min(input)``: the smallest element (0-d; ties share the gradient equally).
    ``min(input, dim, keepdim=False)``: ``MaxMin(values, indices)`` along ``dim`` (the
    gradient goes to the index returned). ``min(input, other)``: ``minimum(input, other)``."""
    if isinstance(dim, Tensor) or other is not None:
        return minimum(input, dim if other is None else other)
    if dim is None and axis is None:
        axes, keepdim = _options("min", input, None, keepdim, keepdims, None)
        _check_nonempty("min", input, None)
        return Amin.apply(input, axes, False)
    return _extreme_along("min", input, dim, keepdim, keepdims, axis)


def amax(input: Tensor, dim: Any = (), keepdim: bool = False, *,
         keepdims: bool | None = None, axis: Any = None) -> Tensor:
    """The maximum over ``dim`` (an int or a tuple; every dim by default); ties in a slice
    share its gradient equally."""
    axes, keepdim = _options("amax", input, dim, keepdim, keepdims, axis)
    _check_nonempty("amax", input, axes)
    return Amax.apply(input, axes, keepdim)


def amin(input: Tensor, dim: Any = (), keepdim: bool = False, *,
         keepdims: bool | None = None, axis: Any = None) -> Tensor:
    """The minimum over ``dim`` (an int or a tuple; every dim by default); ties in a slice
    share its gradient equally."""
    axes, keepdim = _options("amin", input, dim, keepdim, keepdims, axis)
    _check_nonempty("amin", input, axes)
    return Amin.apply(input, axes, keepdim)


def _arg_extreme(op: str, find: Any, input: Tensor, dim: Any, keepdim: bool) -> Tensor:
    if isinstance(dim, tuple | list):
        raise TypeError(f"{op}(): argument 'dim' must be int, not {type(dim).__name__}")
    axes, keepdim = _options(op, input, dim, keepdim, None, None)
    data = input.data
    if axes is None:
        if data.size == 0:
            raise IndexError(
                f"{op}(): Expected reduction dim to be specified for input.numel() == 0."
            )
        index = np.asarray(find(data), dtype=int64)
        return Tensor._make(index.reshape((1,) * data.ndim) if keepdim else index)
    _check_nonempty(op, input, axes)
    if data.ndim == 0:
        return Tensor._make(np.zeros((), int64))
    return Tensor._make(np.asarray(find(data, axis=axes[0], keepdims=keepdim), dtype=int64))


def argmax(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """The index (int64) of the first maximum along ``dim``, or in the flattened input when
    ``dim`` is None. Not differentiable."""
    return _arg_extreme("argmax", np.argmax, input, dim, keepdim)


def argmin(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """The index (int64) of the first minimum along ``dim``, or in the flattened input when
    ``dim`` is None. Not differentiable."""
    return _arg_extreme("argmin", np.argmin, input, dim, keepdim)


Tensor.max = max
Tensor.min = min
Tensor.amax = amax
Tensor.amin = amin
Tensor.argmax = argmax
Tensor.argmin = argmin
