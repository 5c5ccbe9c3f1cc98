"""Sorting: sort, argsort, topk. The values are differentiable: each gradient entry goes
back to the element that landed in its place (a take along the dim, undone by a put)."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from ..function import Function
from ..tensor import Tensor
from .indexing import _wrap_dim

__all__ = ["sort", "argsort", "topk"]


class SortResult(NamedTuple):
    """``(values, indices)`` of ``sort`` and ``topk``, as PyTorch's return types."""

    values: Tensor
    indices: Tensor


class TakeAlong(Function):
    """out = x taken at ``indices`` along ``axis``;  dx = zeros with grad put back there."""

    @staticmethod
    def forward(ctx, x, indices, axis):
        ctx.shape, ctx.indices, ctx.axis = x.shape, indices, axis
        return np.take_along_axis(x, indices, axis)

    @staticmethod
    def backward(ctx, grad):
        grad_x = np.zeros(ctx.shape, grad.dtype)
        np.put_along_axis(grad_x, ctx.indices, grad, ctx.axis)
        return grad_x, None, None


def _order(data: np.ndarray, axis: int, descending: bool, stable: bool) -> np.ndarray:
    """The indices that sort ``data`` along ``axis``; ties keep their order when ``stable``
    (descending too: the sort runs on the negated keys). nan counts as the largest value."""
    kind = "stable" if stable else None
    if not descending:
        return np.argsort(data, axis=axis, kind=kind)
    keys = -data if data.dtype.kind == "f" else -data.astype(np.int64)
    order = np.argsort(keys, axis=axis, kind=kind)
    if data.dtype.kind == "f":  # argsort put the nans (the largest) last: move them first
        nan = np.isnan(np.take_along_axis(data, order, axis))
        if nan.any():
            order = np.take_along_axis(order, np.argsort(~nan, axis=axis, kind="stable"), axis)
    return order


def sort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False
         ) -> SortResult:
    """``(values, indices)`` of input sorted along ``dim`` (nan counts as the largest)."""
    if input.ndim == 0:
        return SortResult(TakeAlong.apply(input.reshape(1), np.zeros(1, np.int64), 0)
                          .reshape(()), Tensor._make(np.zeros((), np.int64)))
    axis = _wrap_dim(dim, input.ndim)
    order = _order(input.data, axis, descending, stable).astype(np.int64)
    return SortResult(TakeAlong.apply(input, order, axis), Tensor._make(order))


def argsort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False
            ) -> Tensor:
    """The indices that sort input along ``dim`` (int64, no gradient)."""
    return sort(input, dim, descending, stable).indices


def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True
         ) -> SortResult:
    """``(values, indices)`` of the ``k`` largest (or smallest) entries along ``dim``,
    in order (``sorted`` is accepted; the result is always sorted)."""
    axis = _wrap_dim(dim, input.ndim)
    size = input.shape[axis] if input.ndim else 1
    if not 0 <= k <= size:
        raise RuntimeError(f"selected index k out of range: k = {k} for dim of size {size}")
    if input.ndim == 0:
        return sort(input)
    order = _order(input.data, axis, largest, True).astype(np.int64)
    order = np.take(order, np.arange(k), axis=axis)
    return SortResult(TakeAlong.apply(input, order, axis), Tensor._make(order))


def _sort_method(self: Tensor, dim: int = -1, descending: bool = False,
                 stable: bool = False) -> SortResult:
    """``(values, indices)`` of self sorted along ``dim``: ``sort(self, ...)``."""
    return sort(self, dim, descending, stable)


def _argsort_method(self: Tensor, dim: int = -1, descending: bool = False,
                    stable: bool = False) -> Tensor:
    """The indices that sort self along ``dim``: ``argsort(self, ...)``."""
    return argsort(self, dim, descending, stable)


def _topk_method(self: Tensor, k: int, dim: int = -1, largest: bool = True,
                 sorted: bool = True) -> Any:
    """``(values, indices)`` of the ``k`` largest (or smallest): ``topk(self, ...)``."""
    return topk(self, k, dim, largest, sorted)


Tensor.sort = _sort_method
Tensor.argsort = _argsort_method
Tensor.topk = _topk_method
