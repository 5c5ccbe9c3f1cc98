"""``pad``: padding (or, with negative amounts, cropping) the last dims of a tensor.

``pad`` lists (before, after) amounts from the last dim backwards, as PyTorch's does.
Each padded dim is an index map from output positions to input positions:

- ``constant``: the input where it lies, ``value`` elsewhere (negative amounts crop);
- ``reflect``: mirrored about the edge element (which is not repeated);
- ``replicate``: the edge element repeated;
- ``circular``: wrapped around.

The gradient of a non-constant mode adds each output position's gradient back into the
input position it was read from (``np.add.at`` along the dim).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..function import Function
from ..tensor import Tensor
from .elementwise import _not_tensor

__all__ = ["pad"]

_MODES = ("constant", "reflect", "replicate", "circular")


def _source(size: int, before: int, after: int, mode: str) -> np.ndarray:
    """For each output position of a dim of ``size`` padded by (before, after), the input
    position it reads."""
    positions = np.arange(-before, size + after)
    if mode == "replicate":
        return np.clip(positions, 0, size - 1)
    if mode == "circular":
        return positions % size
    period = 2 * (size - 1)  # reflect
    folded = np.abs(positions) % period if period else np.zeros_like(positions)
    return np.where(folded < size, folded, period - folded)


class Pad(Function):
    """out = the input read through one index map per padded dim (see the module docstring);
    d/dinput = the gradient added back along the same maps."""

    @staticmethod
    def forward(ctx, x, amounts, mode, value):
        dims = len(amounts)
        if mode == "constant":
            shape = list(x.shape)
            inner, outer = [], []
            for k, (before, after) in enumerate(amounts):
                axis = x.ndim - 1 - k
                shape[axis] = x.shape[axis] + before + after
                inner.append(slice(max(-before, 0), x.shape[axis] - max(-after, 0)))
                outer.append(slice(max(before, 0), shape[axis] - max(after, 0)))
            out = np.full(shape, value, dtype=x.dtype)
            lead = (slice(None),) * (x.ndim - dims)
            out[lead + tuple(reversed(outer))] = x[lead + tuple(reversed(inner))]
            ctx.slices = (lead + tuple(reversed(inner)), lead + tuple(reversed(outer)))
        else:
            out = x
            maps = []
            for k, (before, after) in enumerate(amounts):
                axis = x.ndim - 1 - k
                source = _source(x.shape[axis], before, after, mode)
                out = out.take(source, axis=axis)
                maps.append((axis, source, x.shape[axis]))
            ctx.maps = maps
        ctx.mode, ctx.shape = mode, x.shape
        return out

    @staticmethod
    def backward(ctx, grad):
        if ctx.mode == "constant":
            inner, outer = ctx.slices
            grad_x = np.zeros(ctx.shape, dtype=grad.dtype)
            grad_x[inner] = grad[outer]
            return grad_x, None, None, None
        for axis, source, size in reversed(ctx.maps):
            moved = np.moveaxis(grad, axis, 0)
            folded = np.zeros((size,) + moved.shape[1:], dtype=grad.dtype)
            np.add.at(folded, source, moved)
            grad = np.moveaxis(folded, 0, axis)
        return grad, None, None, None


def pad(input: Tensor, pad: Any, mode: str = "constant", value: float | None = None) -> Tensor:
    """Pad the last ``len(pad) // 2`` dims of ``input``: ``pad`` is (before, after) for the
    last dim, then for the one before it, and so on; ``mode`` is 'constant' (with ``value``,
    0 by default; negative amounts crop), 'reflect', 'replicate' or 'circular'."""
    if not isinstance(input, Tensor):
        raise _not_tensor("pad", "input", input)
    amounts = [int(p) for p in pad]
    if len(amounts) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    dims = len(amounts) // 2
    if dims > input.ndim:
        raise RuntimeError(f"Padding length should be less than or equal to two times the "
                           f"input dimension but got padding length {len(amounts)} and input "
                           f"of dimension {input.ndim}")
    if mode not in _MODES:
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    pairs = tuple((amounts[2 * k], amounts[2 * k + 1]) for k in range(dims))
    if mode == "constant":
        for k, (before, after) in enumerate(pairs):
            if input.shape[input.ndim - 1 - k] + before + after < 0:
                raise RuntimeError(f"The input size {input.shape[input.ndim - 1 - k]}, plus "
                                   f"negative padding {before} and {after} resulted in a "
                                   "negative output size, which is invalid.")
        return Pad.apply(input, pairs, mode, 0.0 if value is None else value)
    _check_non_constant(input, pairs, mode, len(amounts))
    return Pad.apply(input, pairs, mode, None)


def _check_non_constant(input: Tensor, pairs: tuple, mode: str, length: int) -> None:
    """PyTorch's limits for reflect, replicate and circular padding."""
    dims = len(pairs)
    if dims > 3 or input.ndim not in (dims + 1, dims + 2):
        raise NotImplementedError(
            f"Padding size {length} is not supported for {input.ndim}D input tensor.\n"
            "Supported combinations for non-constant padding:\n"
            "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
            "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
            "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)"
        )
    for k, (before, after) in enumerate(pairs):
        axis = input.ndim - 1 - k
        size = input.shape[axis]
        if min(before, after) < 0:
            raise RuntimeError(f"{mode} padding does not support negative amounts, got "
                               f"({before}, {after})")
        if mode == "reflect" and max(before, after) >= size:
            raise RuntimeError(
                f"Argument #4: Padding size should be less than the corresponding input "
                f"dimension, but got: padding ({before}, {after}) at dimension {axis} of input "
                f"{list(input.shape)}"
            )
        if mode == "circular" and max(before, after) > size:
            raise RuntimeError("Padding value causes wrapping around more than once.")
        if mode == "replicate" and size == 0:
            raise RuntimeError("replicate padding of an empty dimension is not possible")
