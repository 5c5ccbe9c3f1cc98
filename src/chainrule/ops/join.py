"""Joining and cutting tensors: ``cat stack`` and ``split chunk unbind``.

``cat`` and ``stack`` hand each input back its own slice of the gradient;
``split``, ``chunk`` and ``unbind`` return slices (views), whose gradients the
indexing ops place back.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..dtypes import FLOATING
from ..function import Function
from ..tensor import Tensor
from .indexing import _shape, _wrap_dim, narrow, select

__all__ = ["cat", "concat", "concatenate", "stack", "split", "chunk", "unbind"]


# --- joining --------------------------------------------------------------------------------


def _result_dtype(arrays: Sequence[np.ndarray]) -> np.dtype | None:
    """PyTorch's dtype for joining arrays of mixed dtypes (int64 with float32 is float32), or
    None when they all agree."""
    first = arrays[0].dtype
    if all(a.dtype == first for a in arrays):
        return None
    dtypes = {a.dtype for a in arrays}
    floats = [d for d in dtypes if d in FLOATING]
    return max(floats or dtypes, key=lambda d: (d.kind != "b", d.itemsize))


class Cat(Function):
    """out = the inputs joined along an existing dim;
    d/d(input i) = the slice of grad that input i filled."""

    @staticmethod
    def forward(ctx, dim, *arrays):
        dtype = _result_dtype(arrays)
        try:
            out = np.concatenate(arrays, axis=dim, dtype=dtype)
        except ValueError:  # PyTorch skips 1-D empty tensors (a legacy rule); so do we
            kept = [a for a in arrays if a.shape != (0,)]
            if not kept or len(kept) == len(arrays):
                raise
            out = np.concatenate(kept, axis=dim, dtype=dtype)
        ctx.dim = dim % out.ndim
        ctx.sizes = [a.shape[ctx.dim] if a.ndim == out.ndim else None for a in arrays]
        ctx.dtypes = [a.dtype for a in arrays]
        return out

    @staticmethod
    def backward(ctx, grad):
        lead = (slice(None),) * ctx.dim
        grads: list[Any] = [None]
        start = 0
        for need, size, dtype in zip(ctx.needs_input_grad[1:], ctx.sizes, ctx.dtypes):
            if not need:
                grads.append(None)
            elif size is None:  # a skipped 1-D empty input
                grads.append(np.zeros(0, dtype))
            else:
                part = grad[(*lead, slice(start, start + size))]
                grads.append(part if part.dtype == dtype else part.astype(dtype))
            start += size or 0
        return tuple(grads)


class Stack(Function):
    """out = the inputs stacked along a new dim;  d/d(input i) = grad at index i of that dim."""

    @staticmethod
    def forward(ctx, dim, *arrays):
        out = np.stack(arrays, axis=dim, dtype=_result_dtype(arrays))
        ctx.dim = dim % out.ndim
        ctx.dtypes = [a.dtype for a in arrays]
        return out

    @staticmethod
    def backward(ctx, grad):
        lead = (slice(None),) * ctx.dim
        grads: list[Any] = [None]
        for i, (need, dtype) in enumerate(zip(ctx.needs_input_grad[1:], ctx.dtypes)):
            part = grad[(*lead, i)] if need else None
            grads.append(part if part is None or part.dtype == dtype else part.astype(dtype))
        return tuple(grads)


def _tensor_list(op: str, tensors: Any) -> Sequence[Tensor]:
    if not isinstance(tensors, list | tuple):
        raise TypeError(
            f"{op}(): argument 'tensors' (position 1) must be tuple of Tensors, not "
            f"{type(tensors).__name__}"
        )
    for i, item in enumerate(tensors):
        if not isinstance(item, Tensor):
            raise TypeError(
                f"expected Tensor as element {i} in argument 0, but got {type(item).__name__}"
            )
    return tensors


def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join tensors along dim ``dim``; all other sizes must match (as in PyTorch, 1-D empty
    tensors are skipped)."""
    tensors = _tensor_list("cat", tensors)
    if not tensors:
        raise ValueError("cat(): expected a non-empty list of Tensors")
    try:
        return Cat.apply(dim, *tensors)
    except (ValueError, IndexError):
        raise _cat_error(tensors, dim) from None


concat = concatenate = cat


def _cat_error(tensors: Sequence[Tensor], dim: int) -> Exception:
    shapes = [x.data.shape for x in tensors if x.data.shape != (0,)] or [(0,)]
    for i, shape in enumerate(shapes):
        if not shape:
            return RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    dim = _wrap_dim(dim, len(shapes[0]))
    for i, shape in enumerate(shapes[1:], 1):
        if len(shape) != len(shapes[0]):
            return RuntimeError(
                f"Tensors must have same number of dimensions: got {len(shapes[0])} and "
                f"{len(shape)}"
            )
        for d, (want, got) in enumerate(zip(shapes[0], shape)):
            if d != dim and want != got:
                return RuntimeError(
                    f"Sizes of tensors must match except in dimension {dim}. Expected size {want} "
                    f"but got size {got} for tensor number {i} in the list. Shapes: "
                    f"{_shape(shapes[0])} (tensor 0) and {_shape(shape)} (tensor {i})."
                )
    return RuntimeError(f"cat(): cannot join tensors of shapes {[_shape(s) for s in shapes]}")


def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Stack tensors of equal shape along a new dim ``dim``."""
    tensors = _tensor_list("stack", tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    try:
        return Stack.apply(dim, *tensors)
    except (ValueError, IndexError):
        shapes = [x.data.shape for x in tensors]
        _wrap_dim(dim, len(shapes[0]) + 1)  # raises IndexError for dim out of range
        i = next(i for i, shape in enumerate(shapes) if shape != shapes[0])
        raise RuntimeError(
            f"stack expects each tensor to be equal size, but got {_shape(shapes[0])} at entry 0 "
            f"and {_shape(shapes[i])} at entry {i}"
        ) from None


# --- splitting ------------------------------------------------------------------------------


def split(tensor: Tensor, split_size_or_sections: int | Sequence[int], dim: int = 0
          ) -> tuple[Tensor, ...]:
    """Cut ``tensor`` along ``dim`` into pieces of ``split_size`` (the last may be smaller) or
    of the sizes in a list (which must add up to the dim's size). Each piece is a view."""
    shape = tensor.data.shape
    if not shape:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    dim = _wrap_dim(dim, len(shape))
    size = shape[dim]
    if isinstance(split_size_or_sections, list | tuple):
        sizes = list(split_size_or_sections)
        if any(n < 0 for n in sizes):
            raise RuntimeError(
                "split_with_sizes expects split_sizes have only non-negative entries, but got "
                f"split_sizes={sizes}"
            )
        if sum(sizes) != size:
            raise RuntimeError(
                f"split_with_sizes expects split_sizes to sum exactly to {size} (input tensor's "
                f"size at dimension {dim}), but got split_sizes={sizes}"
            )
    else:
        step = operator.index(split_size_or_sections)
        if step < 0:
            raise RuntimeError(
                f"split expects split_size be non-negative, but got split_size={step}"
            )
        if step == 0 and size != 0:
            raise RuntimeError(
                "split_size can only be 0 if dimension size is 0, but got dimension size of "
                f"{size}"
            )
        sizes = [min(step, size - start) for start in range(0, size, step)] if size else [0]
    starts = np.cumsum([0, *sizes[:-1]]).tolist()
    return tuple(narrow(tensor, dim, s, n) for s, n in zip(starts, sizes))


def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    """Cut ``input`` along ``dim`` into at most ``chunks`` equal pieces (the last may be
    smaller, and fewer pieces may come back, as in PyTorch)."""
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    shape = input.data.shape
    if not shape:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    size = shape[_wrap_dim(dim, len(shape))]
    if size == 0:
        return split(input, [0] * chunks, dim)
    return split(input, -(-size // chunks), dim)


def unbind(input: Tensor, dim: int = 0) -> tuple[Tensor, ...]:
    """The slices of ``input`` along ``dim``, that dim removed from each."""
    shape = input.data.shape
    if not shape:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    dim = _wrap_dim(dim, len(shape))
    return tuple(select(input, dim, i) for i in range(shape[dim]))


def _split_method(self: Tensor, split_size: int | Sequence[int], dim: int = 0
                  ) -> tuple[Tensor, ...]:
    """``tensor.split(split_size, dim=0)``: ``split`` as a method, with PyTorch's names."""
    return split(self, split_size, dim)


Tensor.split = _split_method
Tensor.chunk = chunk
Tensor.unbind = unbind
