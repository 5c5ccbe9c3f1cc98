"""Shape ops: the same elements seen in another shape.

Reshaping, transposing and expanding move no numbers: in NumPy they are views,
and their derivative just undoes the move on the gradient (reshape it back, apply
the inverse permutation; for ``expand`` the engine's ``unbroadcast`` sums the
gradient over the broadcast dims). Joining and cutting (``cat stack split chunk
unbind``) live in ``join.py``.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from math import prod
from typing import Any

import numpy as np

from ..broadcast import broadcast_view
from ..function import Function
from ..tensor import Tensor
from .indexing import _shape, _wrap_dim

__all__ = [
    "reshape", "flatten", "squeeze", "unsqueeze", "transpose", "swapaxes", "swapdims",
    "permute", "t",
]


class Reshape(Function):
    """out = x with a new shape (same elements in the same order);  dx = grad reshaped back."""

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x.shape
        return x.reshape(shape)

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.shape), None


class View(Reshape):
    """out = x seen with a new shape, never copied;  dx = grad reshaped back."""

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x.shape
        if x.flags.c_contiguous:  # always possible without a copy
            return x.reshape(shape)
        return np.reshape(x, shape, copy=False)  # ValueError when only a copy could do it


class Flatten(Reshape):
    """out = x with dims start_dim..end_dim merged into one;  dx = grad reshaped back."""


class Squeeze(Reshape):
    """out = x without (some of) its size-1 dims;  dx = grad reshaped back."""


class Unsqueeze(Reshape):
    """out = x with a new size-1 dim;  dx = grad reshaped back."""


class Contiguous(Function):
    """out = x laid out row-major in memory;  dx = grad."""

    @staticmethod
    def forward(ctx, x):
        return np.ascontiguousarray(x)

    @staticmethod
    def backward(ctx, grad):
        return grad


class Transpose(Function):
    """out = x with dims dim0 and dim1 swapped;  dx = grad with them swapped back."""

    @staticmethod
    def forward(ctx, x, dim0, dim1):
        ctx.dims = dim0, dim1
        return x.swapaxes(dim0, dim1)

    @staticmethod
    def backward(ctx, grad):
        return grad.swapaxes(*ctx.dims), None, None


class Permute(Function):
    """out = x with its dims reordered (out dim i is x dim dims[i]);
    dx = grad reordered by the inverse permutation."""

    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return x.transpose(dims)

    @staticmethod
    def backward(ctx, grad):
        n = grad.ndim
        return grad.transpose(np.argsort([d % n for d in ctx.dims])), None


class Expand(Function):
    """out = x repeated along its size-1 (and new leading) dims, a view with no copy;
    dx = grad summed over those dims (done by the engine's unbroadcast)."""

    @staticmethod
    def forward(ctx, x, shape):
        return broadcast_view(x, shape)

    @staticmethod
    def backward(ctx, grad):
        return grad, None


# --- arguments ------------------------------------------------------------------------------


def _sizes(op: str, sizes: Sequence[Any]) -> tuple[int, ...]:
    """Sizes given as ``f(2, 3)`` or ``f((2, 3))`` / ``f([2, 3])``, as a tuple of ints."""
    if len(sizes) == 1 and isinstance(sizes[0], tuple | list):
        sizes = sizes[0]
    try:
        return tuple(map(operator.index, sizes))
    except TypeError:
        pos, bad = next((i, s) for i, s in enumerate(sizes) if not hasattr(s, "__index__"))
        raise TypeError(
            f"{op}(): argument 'shape' (position 1) must be tuple of ints, but found element of "
            f"type {type(bad).__name__} at pos {pos}"
        ) from None


def _shape_problem(shape: tuple[int, ...], numel: int) -> str | None:
    """Why ``shape`` cannot hold ``numel`` elements (PyTorch's words), or None if it can."""
    for i, n in enumerate(shape):
        if n < -1:
            return f"invalid shape dimension {n} at index {i} of shape {_shape(shape)}"
    if shape.count(-1) > 1:
        return "only one dimension can be inferred"
    known = prod(n for n in shape if n != -1)
    if -1 in shape and known == 0:
        if numel == 0:
            return (
                f"cannot reshape tensor of 0 elements into shape {_shape(shape)} because the "
                "unspecified dimension size -1 can be any value and is ambiguous"
            )
        return f"shape '{_shape(shape)}' is invalid for input of size {numel}"
    if (known != numel) if -1 not in shape else (numel % known):
        return f"shape '{_shape(shape)}' is invalid for input of size {numel}"
    return None


def _reshaped(fn: type[Function], input: Tensor, shape: tuple[int, ...]) -> Tensor:
    if shape and min(shape) < -1:  # NumPy would read any negative size as -1
        raise RuntimeError(_shape_problem(shape, input.data.size))
    try:
        return fn.apply(input, shape)
    except ValueError:
        problem = _shape_problem(shape, input.data.size)
        if problem is None:  # the shape fits: only View refuses, when it would need a copy
            problem = (
                "view size is not compatible with input tensor's size and stride (at least one "
                "dimension spans across two contiguous subspaces). Use .reshape(...) instead. "
                f"(input shape {_shape(input.data.shape)}, view shape {_shape(shape)})"
            )
        raise RuntimeError(problem) from None


# --- reshaping ------------------------------------------------------------------------------


def reshape(input: Tensor, shape: Sequence[int]) -> Tensor:
    """The elements of ``input`` in a new shape (one size may be -1: inferred); a view when
    possible, otherwise a copy."""
    return _reshaped(Reshape, input, _sizes("reshape", (shape,)))


def _reshape_method(self: Tensor, *shape: Any) -> Tensor:
    """``x.reshape(2, 3)`` or ``x.reshape((2, 3))``: see ``reshape``."""
    return _reshaped(Reshape, self, _sizes("reshape", shape))


def _view(self: Tensor, *shape: Any) -> Tensor:
    """``x.view(2, 3)`` / ``x.view((2, -1))``: the same data in a new shape, never copied
    (RuntimeError when the memory layout does not allow it: use ``reshape`` then)."""
    return _reshaped(View, self, _sizes("view", shape))


def _view_as(self: Tensor, other: Tensor) -> Tensor:
    """``self.view(other.shape)``."""
    return _reshaped(View, self, other.data.shape)


def _reshape_as(self: Tensor, other: Tensor) -> Tensor:
    """``self.reshape(other.shape)``."""
    return _reshaped(Reshape, self, other.data.shape)


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge dims ``start_dim`` to ``end_dim`` (inclusive) into one."""
    shape = input.data.shape
    if not shape:
        return Flatten.apply(input, (1,))
    start, end = _wrap_dim(start_dim, len(shape)), _wrap_dim(end_dim, len(shape))
    if start > end:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if start == end:
        return input
    return Flatten._apply2(input, (*shape[:start], prod(shape[start:end + 1]), *shape[end + 1:]))


def squeeze(input: Tensor, dim: int | Sequence[int] | None = None) -> Tensor:
    """Remove size-1 dims: all of them, or those among ``dim`` (an int or a tuple)."""
    shape = input.data.shape
    if dim is None:
        return Squeeze.apply(input, tuple(n for n in shape if n != 1))
    dims = [_wrap_dim(d, len(shape)) for d in (dim if isinstance(dim, tuple | list) else (dim,))]
    if len(set(dims)) != len(dims):
        repeated = next(d for d in dims if dims.count(d) > 1)
        raise RuntimeError(f"dim {repeated} appears multiple times in the list of dims")
    return Squeeze.apply(input, tuple(n for i, n in enumerate(shape) if n != 1 or i not in dims))


def unsqueeze(input: Tensor, dim: int) -> Tensor:
    """Insert a size-1 dim at position ``dim`` (in ``[-ndim - 1, ndim]``)."""
    shape = input.data.shape
    dim = _wrap_dim(dim, len(shape) + 1)
    return Unsqueeze.apply(input, (*shape[:dim], 1, *shape[dim:]))


def _contiguous(self: Tensor) -> Tensor:
    """``self`` if laid out row-major in memory, else a row-major copy."""
    if self.data.flags.c_contiguous:
        return self
    return Contiguous.apply(self)


# --- reordering dims ------------------------------------------------------------------------


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:
    """Swap dims ``dim0`` and ``dim1`` (a view)."""
    ndim = input.data.ndim
    dim0, dim1 = _wrap_dim(dim0, ndim), _wrap_dim(dim1, ndim)
    if ndim == 0:
        return Permute.apply(input, ())
    return Transpose.apply(input, dim0, dim1)


swapaxes = swapdims = transpose


def permute(input: Tensor, dims: Sequence[int]) -> Tensor:
    """Reorder the dims: dim ``i`` of the result is dim ``dims[i]`` of ``input`` (a view)."""
    dims = _sizes("permute", (dims,))
    try:
        return Permute.apply(input, dims)
    except (ValueError, IndexError):
        raise _permute_error(dims, input.data.ndim) from None


def _permute_method(self: Tensor, *dims: Any) -> Tensor:
    """``x.permute(2, 0, 1)`` or ``x.permute((2, 0, 1))``: see ``permute``."""
    return permute(self, _sizes("permute", dims))


def _permute_error(dims: tuple[int, ...], ndim: int) -> Exception:
    if len(dims) != ndim:
        return RuntimeError(
            "permute(): number of dimensions in the tensor input does not match the length of "
            f"the desired ordering of dimensions i.e. input.dim() = {ndim} is not equal to "
            f"len(dims) = {len(dims)}"
        )
    wrapped = [_wrap_dim(d, ndim) for d in dims]  # raises IndexError for one out of range
    if len(set(wrapped)) != len(wrapped):
        return RuntimeError("permute(): duplicate dims are not allowed.")
    return RuntimeError(f"permute(): invalid dims {list(dims)} for a tensor with {ndim} dims")


def t(input: Tensor) -> Tensor:
    """Transpose a tensor of at most 2 dims (0-d and 1-d come back unchanged)."""
    ndim = input.data.ndim
    if ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {ndim}D")
    return Permute.apply(input, tuple(range(ndim - 1, -1, -1)))


def _T(self: Tensor) -> Tensor:  # noqa: N802 - PyTorch's name
    """All dims reversed (the transpose of a matrix)."""
    return Permute.apply(self, tuple(range(self.data.ndim - 1, -1, -1)))


def _mT(self: Tensor) -> Tensor:  # noqa: N802 - PyTorch's name
    """The last two dims swapped (a batch of matrices, each transposed)."""
    if self.data.ndim < 2:
        raise RuntimeError(
            "tensor.mT is only supported on matrices or batches of matrices. "
            f"Got {self.data.ndim}-D tensor."
        )
    return Transpose.apply(self, -2, -1)


def _expand(self: Tensor, *sizes: Any) -> Tensor:
    """``x.expand(2, 3)``: ``x`` repeated along its size-1 dims and new leading dims, with no
    copy (-1 keeps a dim's size)."""
    if not sizes:
        raise TypeError('expand() missing 1 required positional arguments: "size"')
    sizes = _sizes("expand", sizes)
    shape = self.data.shape
    lead = len(sizes) - len(shape)
    if lead < 0:
        raise RuntimeError(
            f"expand(): the number of sizes provided ({len(sizes)}) must be greater or equal to "
            f"the number of dimensions in the tensor ({len(shape)}); sizes {list(sizes)}, "
            f"tensor shape {_shape(shape)}"
        )
    target = list(sizes)
    for i in range(lead):
        if sizes[i] < 0:
            raise RuntimeError(
                f"The expanded size of the tensor ({sizes[i]}) isn't allowed in a leading, "
                f"non-existing dimension {i}"
            )
    for i, have in enumerate(shape, lead):
        want = sizes[i]
        if want == -1:
            target[i] = have
        elif want != have and (have != 1 or want < 0):
            raise RuntimeError(
                f"The expanded size of the tensor ({want}) must match the existing size ({have}) "
                f"at non-singleton dimension {i}.  Target sizes: {list(sizes)}.  "
                f"Tensor sizes: {_shape(shape)}"
            )
    return Expand.apply(self, tuple(target))


def _expand_as(self: Tensor, other: Tensor) -> Tensor:
    """``self.expand(other.shape)``."""
    return _expand(self, other.data.shape)


Tensor.reshape = _reshape_method
Tensor.view = _view
Tensor.view_as = _view_as
Tensor.reshape_as = _reshape_as
Tensor.flatten = flatten
Tensor.squeeze = squeeze
Tensor.unsqueeze = unsqueeze
Tensor.contiguous = _contiguous
Tensor.transpose = transpose
Tensor.swapaxes = swapaxes
Tensor.swapdims = swapdims
Tensor.permute = _permute_method
Tensor.t = t
Tensor.T = property(_T)
Tensor.mT = property(_mT)
Tensor.expand = _expand
Tensor.expand_as = _expand_as
