"""Max and average pooling over 2-D windows (and 1-D, as a height of 1), as PyTorch's.

Windows are views of the padded input (``sliding_window_view``, strided and dilated);
``ceil_mode`` adds the partial windows at the end (never one that starts in the right
padding). Max pooling takes the first maximum of each window (a nan counts as the
maximum) and sends the gradient there; average pooling spreads it evenly, over the
window's cells inside the padded input (``count_include_pad``) or inside the input.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..function import Function
from ..tensor import Tensor
from ._windows import KernelCells, int_tuple
from .elementwise import _not_tensor

__all__ = ["avg_pool1d", "avg_pool2d", "max_pool1d", "max_pool2d"]


def _one(op: str, name: str, value: Any) -> int:
    return int_tuple(op, name, value, 1)[0]


def _out_size(size: int, kernel: int, stride: int, pad: int, dilation: int,
              ceil_mode: bool) -> int:
    span = dilation * (kernel - 1) + 1
    steps = (size + 2 * pad - span) / stride
    out = (math.ceil(steps) if ceil_mode else math.floor(steps)) + 1
    if ceil_mode and (out - 1) * stride >= size + pad:
        out -= 1  # the last window would start in the right padding
    return out


class _Geometry:
    """Where the windows of one pooling call lie (and, for averages, their divisors)."""

    divisor: Any = 1

    def __init__(self, op: str, shape: tuple[int, ...], kernel: tuple[int, int],
                 stride: tuple[int, int], padding: tuple[int, int], dilation: tuple[int, int],
                 ceil_mode: bool) -> None:
        self.kernel, self.stride, self.padding, self.dilation = kernel, stride, padding, dilation
        h, w = self.size = shape[-2:]
        for k, p, d in zip(kernel, padding, dilation):
            if p > (d * (k - 1) + 1) // 2:
                raise RuntimeError(
                    f"{op}: pad should be at most half of effective kernel size, but got "
                    f"pad={p}, kernel_size={k} and dilation={d}"
                )
        self.out = tuple(_out_size(n, k, s, p, d, ceil_mode)
                         for n, k, s, p, d in zip((h, w), kernel, stride, padding, dilation))
        if min(self.out) <= 0:
            raise RuntimeError(
                f"{op}: output size is too small: the input of spatial size ({h}, {w}) gives "
                f"({self.out[0]}, {self.out[1]})"
            )
        self.cells = KernelCells(stride, dilation, self.out)
        # padded extent: enough for every window, and at least the padded input
        self.padded = tuple(max(n + 2 * p, (o - 1) * s + d * (k - 1) + 1)
                            for n, p, o, s, d, k in zip((h, w), padding, self.out, stride,
                                                        dilation, kernel))

    def pad(self, x: np.ndarray, value: float) -> np.ndarray:
        (pt, pl), (hp, wp) = self.padding, self.padded
        h, w = x.shape[-2:]
        widths = ((0, 0),) * (x.ndim - 2) + ((pt, hp - h - pt), (pl, wp - w - pl))
        return np.pad(x, widths, constant_values=value) if any(sum(p) for p in widths) else x

    def windows(self, xp: np.ndarray) -> np.ndarray:
        """(..., Ho, Wo, kH, kW) view of the padded input's windows."""
        (kh, kw), (sh, sw), (dh, dw), (ho, wo) = self.kernel, self.stride, self.dilation, self.out
        span = ((kh - 1) * dh + 1, (kw - 1) * dw + 1)
        windows = sliding_window_view(xp, span, axis=(-2, -1))
        return windows[..., :(ho - 1) * sh + 1:sh, :(wo - 1) * sw + 1:sw, ::dh, ::dw]

    def first_inside(self) -> np.ndarray:
        """(Ho, Wo): the kernel cell (as i * kW + j) of each window's first cell inside the
        input (not in the padding)."""
        firsts = []
        for o, s, p, d in zip(self.out, self.stride, self.padding, self.dilation):
            before = np.maximum(p - np.arange(o) * s, 0)  # padding cells before the input
            firsts.append(-(-before // d))
        return firsts[0][:, None] * self.kernel[1] + firsts[1][None, :]

    def crop(self, padded: np.ndarray) -> np.ndarray:
        """The input's part of a padded-input-shaped array."""
        (pt, pl), (h, w) = self.padding, self.size
        return padded[..., pt:pt + h, pl:pl + w]

    def scatter(self, shape: tuple[int, ...], cells: np.ndarray) -> np.ndarray:
        """Add ``cells`` (..., Ho, Wo, kH, kW) back into an input-shaped array."""
        out = np.zeros(shape[:-2] + self.padded, dtype=cells.dtype)
        for i in range(self.kernel[0]):
            for j in range(self.kernel[1]):
                out[self.cells(i, j)] += cells[..., i, j]
        return self.crop(out)


class MaxPool2d(Function):
    """out = the maximum of each window; d/dinput = the gradient at that maximum, added up
    where windows share it. As PyTorch scans a window (row by row, padding skipped) it
    keeps the first maximum, or the last nan: a nan is always the maximum."""

    @staticmethod
    def forward(ctx, x, geometry):
        xp = geometry.pad(x, -np.inf)
        # A nan anywhere makes the sum nan (so do +inf and -inf together): then the slower
        # scan that lets a nan win is needed.
        with np.errstate(invalid="ignore"):
            nan_aware = bool(np.isnan(np.add.reduce(x, axis=None)))
        best, where = MaxPool2d._scan(xp, geometry, x.dtype, nan_aware)
        ctx.geometry, ctx.shape, ctx.where = geometry, x.shape, where
        return best

    @staticmethod
    def _scan(xp: np.ndarray, geometry: _Geometry, dtype: np.dtype,
              nan_aware: bool) -> tuple[np.ndarray, np.ndarray]:
        """Each window's maximum and its kernel cell (i * kW + j), cell by cell."""
        (kh, kw), (ho, wo) = geometry.kernel, geometry.out
        best = np.full(xp.shape[:-2] + (ho, wo), -np.inf, dtype=dtype)
        index_type = np.uint8 if kh * kw <= 256 else np.int64
        where = np.array(np.broadcast_to(geometry.first_inside().astype(index_type),
                                         best.shape))
        take = np.empty(best.shape, dtype=bool)
        for i in range(kh):
            for j in range(kw):
                cells = xp[geometry.cells(i, j)]
                np.greater(cells, best, out=take)
                if nan_aware:
                    take |= np.isnan(cells)
                np.copyto(best, cells, where=take)
                np.copyto(where, i * kw + j, where=take, casting="unsafe")
        return best, where

    @staticmethod
    def backward(ctx, grad):
        geometry, where = ctx.geometry, ctx.where
        kh, kw = geometry.kernel
        grad_xp = np.zeros(ctx.shape[:-2] + geometry.padded, dtype=grad.dtype)
        for i in range(kh):
            for j in range(kw):
                target = grad_xp[geometry.cells(i, j)]
                np.add(target, grad, out=target, where=where == i * kw + j)
        return geometry.crop(grad_xp), None

    @staticmethod
    def indices(ctx: Any) -> np.ndarray:
        """The flat (H * W) input index of each window's maximum, as PyTorch returns it."""
        geometry, where = ctx.geometry, ctx.where
        kw, (sh, sw), (dh, dw) = geometry.kernel[1], geometry.stride, geometry.dilation
        (pt, pl), w = geometry.padding, ctx.shape[-1]
        ho, wo = geometry.out
        where = where.astype(np.int64)
        rows = np.arange(ho)[:, None] * sh - pt + (where // kw) * dh
        cols = np.arange(wo)[None, :] * sw - pl + (where % kw) * dw
        return (rows * w + cols).astype(np.int64)


class MaxPoolTiles(Function):
    """``MaxPool2d`` where the windows tile the input (stride = kernel, no padding or
    dilation): one reduction forward; backward, each tile's gradient goes to its first
    maximum, found cell by cell. A nan in the input falls back to ``MaxPool2d``'s scan."""

    @staticmethod
    def forward(ctx, x, geometry):
        (kh, kw), (ho, wo) = geometry.kernel, geometry.out
        tiles = x[..., :ho * kh, :wo * kw].reshape(x.shape[:-2] + (ho, kh, wo, kw))
        out = tiles[..., 0, :, 0].copy()
        for i in range(kh):
            for j in range(kw):
                if i or j:
                    np.maximum(out, tiles[..., i, :, j], out=out)  # nan propagates
        ctx.geometry, ctx.shape, ctx.tiles, ctx.out = geometry, x.shape, tiles, out
        with np.errstate(invalid="ignore"):  # inf + -inf: nan, which only costs a rescan
            ctx.nan = bool(np.isnan(np.add.reduce(out, axis=None)))
        if ctx.nan:  # where a nan sits decides which cell gets the gradient
            ctx.where = MaxPool2d._scan(x, geometry, x.dtype, nan_aware=True)[1]
        return out

    @staticmethod
    def backward(ctx, grad):
        if ctx.nan:
            return MaxPool2d.backward(ctx, grad)
        (kh, kw), (ho, wo) = ctx.geometry.kernel, ctx.geometry.out
        tiles, out = ctx.tiles, ctx.out
        grad_tiles = np.zeros(tiles.shape, dtype=grad.dtype)
        found = np.zeros(out.shape, dtype=bool)
        hit = np.empty(out.shape, dtype=bool)
        for i in range(kh):
            for j in range(kw):
                np.equal(tiles[..., i, :, j], out, out=hit)
                hit &= ~found
                found |= hit
                np.copyto(grad_tiles[..., i, :, j], grad, where=hit)
        grad_x = grad_tiles.reshape(grad.shape[:-2] + (ho * kh, wo * kw))
        if grad_x.shape != ctx.shape:
            whole = np.zeros(ctx.shape, dtype=grad.dtype)
            whole[..., :ho * kh, :wo * kw] = grad_x
            grad_x = whole
        return grad_x, None


class AvgPool2d(Function):
    """out = the sum of each window over its divisor; d/dinput = the gradient over the
    divisor, spread over the window's cells (added up where windows overlap)."""

    @staticmethod
    def forward(ctx, x, geometry):
        windows = geometry.windows(geometry.pad(x, 0.0))
        out = (windows.sum(axis=(-2, -1)) / geometry.divisor).astype(x.dtype, copy=False)
        ctx.geometry, ctx.shape = geometry, x.shape
        return out

    @staticmethod
    def backward(ctx, grad):
        geometry = ctx.geometry
        share = (grad / geometry.divisor).astype(grad.dtype, copy=False)
        cells = np.broadcast_to(share[..., None, None], share.shape + geometry.kernel)
        return geometry.scatter(ctx.shape, cells), None


def _divisors(geometry: _Geometry, size: tuple[int, int], count_include_pad: bool,
              divisor_override: int | None) -> Any:
    """Each window's divisor: an override, or its cells inside the padded input (clipped at
    its end, as PyTorch counts) or inside the input itself."""
    if divisor_override is not None:
        if divisor_override == 0:
            raise RuntimeError("divisor must be not zero")
        return divisor_override
    counts = []
    for n, k, s, p, o in zip(size, geometry.kernel, geometry.stride, geometry.padding,
                             geometry.out):
        start = np.arange(o) * s - p
        end = np.minimum(start + k, n + p)
        if not count_include_pad:
            start, end = np.maximum(start, 0), np.minimum(end, n)
        counts.append(end - start)
    return np.multiply.outer(counts[0], counts[1]).astype(np.float64)


def _pool_input(op: str, input: Any, dims: int) -> None:
    if not isinstance(input, Tensor):
        raise _not_tensor(op, "input", input)
    if input.dtype.kind != "f":
        raise RuntimeError(f"{op}: expected a floating point input, got {input.dtype}")
    if input.ndim not in (dims + 1, dims + 2):
        raise RuntimeError(f"{op}: Expected {dims + 1}D or {dims + 2}D input, got input of "
                           f"size: {list(input.shape)}")


def max_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = False
               ) -> Any:
    """The maximum over each (dilated) window of ``input`` (N, C, H, W) or (C, H, W);
    with ``return_indices``, also each maximum's flat H * W index."""
    op = "max_pool2d"
    _pool_input(op, input, 2)
    kernel = int_tuple(op, "kernel_size", kernel_size, 2)
    stride = kernel if stride is None or stride == [] else int_tuple(op, "stride", stride, 2)
    geometry = _Geometry(op, input.shape, kernel, stride, int_tuple(op, "padding", padding, 2),
                         int_tuple(op, "dilation", dilation, 2), ceil_mode)
    (ho, wo), (h, w) = geometry.out, geometry.size
    tiles = (stride == kernel and geometry.dilation == (1, 1) and geometry.padding == (0, 0)
             and ho * kernel[0] <= h and wo * kernel[1] <= w and not return_indices)
    out = (MaxPoolTiles if tiles else MaxPool2d)._apply2(input, geometry)
    if not return_indices:
        return out
    ctx = out._ctx if out._ctx is not None else _forward_context(input, geometry)
    return out, Tensor._make(MaxPool2d.indices(ctx))


def _forward_context(input: Tensor, geometry: _Geometry) -> Any:
    ctx = object.__new__(MaxPool2d)
    ctx.needs_input_grad = (False, False)
    MaxPool2d.forward(ctx, input.data, geometry)
    return ctx


def avg_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int | None = None) -> Tensor:
    """The mean over each window of ``input`` (N, C, H, W) or (C, H, W)."""
    op = "avg_pool2d"
    _pool_input(op, input, 2)
    kernel = int_tuple(op, "kernel_size", kernel_size, 2)
    stride = kernel if stride is None or stride == [] else int_tuple(op, "stride", stride, 2)
    geometry = _Geometry(op, input.shape, kernel, stride, int_tuple(op, "padding", padding, 2),
                         (1, 1), ceil_mode)
    geometry.divisor = _divisors(geometry, input.shape[-2:], count_include_pad,
                                 divisor_override)
    return AvgPool2d._apply2(input, geometry)


def max_pool1d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = False
               ) -> Any:
    """``max_pool2d`` over (N, C, L) or (C, L), as a height of 1."""
    op = "max_pool1d"
    _pool_input(op, input, 1)
    stride = None if stride is None or stride == [] else (1, _one(op, "stride", stride))
    result = max_pool2d(input.unsqueeze(-2), (1, _one(op, "kernel_size", kernel_size)), stride,
                        (0, _one(op, "padding", padding)), (1, _one(op, "dilation", dilation)),
                        ceil_mode, return_indices)
    if return_indices:
        out, indices = result
        return out.squeeze(-2), indices.squeeze(-2)
    return result.squeeze(-2)


def avg_pool1d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True) -> Tensor:
    """``avg_pool2d`` over (N, C, L) or (C, L), as a height of 1."""
    op = "avg_pool1d"
    _pool_input(op, input, 1)
    stride = None if stride is None or stride == [] else (1, _one(op, "stride", stride))
    out = avg_pool2d(input.unsqueeze(-2), (1, _one(op, "kernel_size", kernel_size)), stride,
                     (0, _one(op, "padding", padding)), ceil_mode, count_include_pad)
    return out.squeeze(-2)
