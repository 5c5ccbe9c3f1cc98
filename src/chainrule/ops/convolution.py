"""2-D convolution (``conv2d``, and ``conv1d`` as a convolution of height 1), by im2col.

For each sample, the cells of the zero-padded input that each kernel cell sees at every
output position are laid out as a matrix, ``cols`` (a row per input channel and kernel
cell, a column per output position; built by one strided slice copy per kernel cell), so
that for each group of channels

    out[n] = weight.reshape(out_channels, -1) @ cols[n]                 (BLAS, per sample)
    d/dweight = sum over n of grad[n] @ cols[n].T,   d/dcols[n] = weight_matrix.T @ grad[n]

and d/dinput adds each kernel cell's slice of d/dcols back into the padded input (col2im:
one strided slice-add per kernel cell). The output comes out in (N, C, H, W) order.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..function import Function
from ..tensor import Tensor
from ._windows import KernelCells, int_tuple
from .elementwise import _not_tensor

__all__ = ["conv1d", "conv2d"]


def _ints(name: str, value: Any, count: int = 2) -> tuple[int, ...]:
    """A convolution's int-or-tuple argument as ``count`` ints (exactly that many)."""
    return int_tuple("conv", name, value, count, widen_one=False)


class Conv2d(Function):
    """out[n, o] = sum over the group's channels c and kernel positions (i, j) of
    w[o, c, i, j] * x_padded[n, c, i * dilation + stride * h, j * dilation + stride * w],
    plus bias[o]."""

    @staticmethod
    def forward(ctx, x, weight, bias, stride, padding, dilation, groups):
        n, c, h, w = x.shape
        o, cg, kh, kw = weight.shape
        (pt, pb), (pl, pr) = padding
        ho = (h + pt + pb - dilation[0] * (kh - 1) - 1) // stride[0] + 1
        wo = (w + pl + pr - dilation[1] * (kw - 1) - 1) // stride[1] + 1
        if ho <= 0 or wo <= 0:
            raise RuntimeError(
                f"conv2d: the input of spatial size ({h}, {w}) (padded: ({h + pt + pb}, "
                f"{w + pl + pr})) is smaller than the dilated kernel ("
                f"{dilation[0] * (kh - 1) + 1}, {dilation[1] * (kw - 1) + 1})"
            )
        xp = np.pad(x, ((0, 0), (0, 0), (pt, pb), (pl, pr))) if pt or pb or pl or pr else x
        cells = KernelCells(stride, dilation, (ho, wo))
        # cols[n, c, i, j] = the input cells kernel cell (i, j) of every window sees: copied
        # slice by slice, so that each sample's (C * kH * kW, Ho * Wo) block is one matrix
        cols = np.empty((n, c, kh, kw, ho, wo), dtype=x.dtype)
        for i in range(kh):
            for j in range(kw):
                cols[:, :, i, j] = xp[cells(i, j)]
        og = o // groups
        block = cg * kh * kw
        cols = cols.reshape(n, groups, block, ho * wo)
        matrices = weight.reshape(groups, og, block)
        out = np.empty((n, groups, og, ho * wo), dtype=np.result_type(x, weight))
        for g in range(groups):
            np.matmul(matrices[g], cols[:, g], out=out[:, g])
        out = out.reshape(n, o, ho, wo)
        if bias is not None:
            out += bias.reshape(-1, 1, 1)
        needs_x, needs_w = ctx.needs_input_grad[:2]
        if needs_x or needs_w:
            ctx.save_for_backward(cols if needs_w else None, matrices if needs_x else None)
            ctx.geometry = (x.shape, weight.shape, xp.shape, cells, padding, groups)
        return out

    @staticmethod
    def backward(ctx, grad):
        cols, matrices = ctx.saved_tensors
        x_shape, w_shape, padded, cells, padding, groups = ctx.geometry
        needs_x, needs_w, needs_b = ctx.needs_input_grad[:3]
        n, c, h, w = x_shape
        o, cg, kh, kw = w_shape
        og = o // groups
        ho, wo = cells.out
        rows = grad.reshape(n, groups, og, ho * wo)
        grad_x = grad_w = grad_b = None
        if needs_w:  # the sum over samples of grad[n] (og, Ho*Wo) @ cols[n].T, per group
            grad_w = np.stack([
                np.matmul(rows[:, g], cols[:, g].transpose(0, 2, 1)).sum(axis=0)
                for g in range(groups)]).reshape(w_shape)
        if needs_b:
            grad_b = grad.sum(axis=(0, 2, 3))
        if needs_x:
            grad_cols = np.empty((n, groups, cg * kh * kw, ho * wo), dtype=grad.dtype)
            for g in range(groups):
                np.matmul(matrices[g].T, rows[:, g], out=grad_cols[:, g])
            grad_cols = grad_cols.reshape(n, c, kh, kw, ho, wo)
            grad_xp = np.zeros(padded, dtype=grad.dtype)
            for i in range(kh):
                for j in range(kw):
                    grad_xp[cells(i, j)] += grad_cols[:, :, i, j]
            (pt, _), (pl, _) = padding
            grad_x = grad_xp[:, :, pt:pt + h, pl:pl + w]
        return grad_x, grad_w, grad_b, None, None, None, None


def _padding(padding: Any, kernel: tuple[int, int], dilation: tuple[int, int],
             stride: tuple[int, int]) -> tuple[tuple[int, int], tuple[int, int]]:
    """((top, bottom), (left, right)) from an int, a pair, ``'valid'`` or ``'same'``."""
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0), (0, 0)
        if padding != "same":
            raise ValueError(f"Invalid padding string {padding!r}, should be one of "
                             "{'valid', 'same'}")
        if any(s != 1 for s in stride):
            raise ValueError("padding='same' is not supported for strided convolutions")
        total = [d * (k - 1) for k, d in zip(kernel, dilation)]
        return tuple((t // 2, t - t // 2) for t in total)  # the odd one extra at the end
    top, left = _ints("padding", padding)
    if top < 0 or left < 0:
        raise RuntimeError("conv2d: negative padding is not supported")
    return (top, top), (left, left)


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """2-D convolution (cross-correlation, as in PyTorch) of ``input`` (N, C_in, H, W) or
    (C_in, H, W) with ``weight`` (C_out, C_in / groups, kH, kW), plus ``bias`` (C_out)."""
    for position, (name, value) in enumerate((("input", input), ("weight", weight)), start=1):
        if not isinstance(value, Tensor):
            raise _not_tensor("conv2d", name, value, position)
    if weight.ndim != 4:
        raise RuntimeError(f"conv2d: weight must be 4-D (out_channels, in_channels / groups, "
                           f"kH, kW), got shape {tuple(weight.shape)}")
    unbatched = input.ndim == 3
    if input.ndim not in (3, 4):
        raise RuntimeError(f"Expected 3D (unbatched) or 4D (batched) input to conv2d, but got "
                           f"input of size: {list(input.shape)}")
    stride, dilation = _ints("stride", stride), _ints("dilation", dilation)
    if min(stride) <= 0:
        raise RuntimeError("non-positive stride is not supported")
    if min(dilation) <= 0:
        raise RuntimeError("dilation should be greater than zero")
    if not isinstance(groups, int) or groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    x = input.unsqueeze(0) if unbatched else input
    channels, out_channels = x.shape[1], weight.shape[0]
    if channels != weight.shape[1] * groups:
        raise RuntimeError(
            f"Given groups={groups}, weight of size {list(weight.shape)}, expected input"
            f"{list(x.shape)} to have {weight.shape[1] * groups} channels, but got {channels} "
            "channels instead"
        )
    if out_channels % groups:
        raise RuntimeError(f"conv2d: out_channels ({out_channels}) must be divisible by "
                           f"groups ({groups})")
    if bias is not None and tuple(bias.shape) != (out_channels,):
        raise RuntimeError(f"conv2d: bias must have shape ({out_channels},), got "
                           f"{tuple(bias.shape)}")
    if x.dtype != weight.dtype or (bias is not None and bias.dtype != weight.dtype):
        raise RuntimeError(f"conv2d: input ({x.dtype}) and weight ({weight.dtype}) (and bias) "
                           "must have the same dtype")
    pads = _padding(padding, tuple(weight.shape[2:]), dilation, stride)
    out = Conv2d.apply(x, weight, bias, stride, pads, dilation, groups)
    return out.squeeze(0) if unbatched else out


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """1-D convolution of ``input`` (N, C_in, L) or (C_in, L) with ``weight``
    (C_out, C_in / groups, k): ``conv2d`` over a height of 1."""
    for position, (name, value) in enumerate((("input", input), ("weight", weight)), start=1):
        if not isinstance(value, Tensor):
            raise _not_tensor("conv1d", name, value, position)
    if input.ndim not in (2, 3):
        raise RuntimeError(f"Expected 2D (unbatched) or 3D (batched) input to conv1d, but got "
                           f"input of size: {list(input.shape)}")
    if weight.ndim != 3:
        raise RuntimeError(f"conv1d: weight must be 3-D (out_channels, in_channels / groups, "
                           f"k), got shape {tuple(weight.shape)}")
    one = _ints("stride", stride, 1), _ints("dilation", dilation, 1)
    pad = padding if isinstance(padding, str) else (0, _ints("padding", padding, 1)[0])
    out = conv2d(input.unsqueeze(-2), weight.unsqueeze(-2), bias, (1, one[0][0]), pad,
                 (1, one[1][0]), groups)
    return out.squeeze(-2)

