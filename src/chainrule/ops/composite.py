"""Small linear-algebra and layout helpers: dot, outer, trace, diag, repeat, tile,
broadcast_to, broadcast_tensors, meshgrid, masked_select. Most are compositions of other
ops, whose gradients they inherit; nonzero and count_nonzero give indices and counts
(no gradient).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..function import Function
from ..tensor import Tensor
from .indexing import _wrap_dim

__all__ = ["dot", "outer", "trace", "diag", "broadcast_to", "broadcast_tensors", "meshgrid",
           "masked_select", "nonzero", "count_nonzero"]


def _vector(op: str, name: str, x: Tensor) -> None:
    if x.ndim != 1:
        raise RuntimeError(f"{op}: {name} should be 1-D, got a tensor of shape {tuple(x.shape)}")


def dot(input: Tensor, tensor: Tensor) -> Tensor:
    """The inner product of two 1-D tensors of the same length."""
    _vector("dot", "input", input)
    _vector("dot", "tensor", tensor)
    if input.shape != tensor.shape:
        n, m = input.shape[0], tensor.shape[0]
        raise RuntimeError(
            f"inconsistent tensor size, expected tensor [{n}] and src [{m}] to have the same "
            f"number of elements, but got {n} and {m} elements respectively"
        )
    return input @ tensor


def outer(input: Tensor, vec2: Tensor) -> Tensor:
    """out[i, j] = input[i] * vec2[j] for two 1-D tensors."""
    _vector("outer", "input", input)
    _vector("outer", "vec2", vec2)
    return input.unsqueeze(1) * vec2.unsqueeze(0)


def _diagonal_index(rows: int, cols: int, offset: int) -> tuple[np.ndarray, np.ndarray]:
    start_row, start_col = max(-offset, 0), max(offset, 0)
    length = max(0, min(rows - start_row, cols - start_col))
    steps = np.arange(length)
    return steps + start_row, steps + start_col


class DiagEmbed(Function):
    """out = the square matrix with x on its ``diagonal``-th diagonal, zeros elsewhere;
    dx = that diagonal of grad."""

    @staticmethod
    def forward(ctx, x, diagonal):
        n = x.shape[0] + abs(diagonal)
        ctx.index = _diagonal_index(n, n, diagonal)
        out = np.zeros((n, n), dtype=x.dtype)
        out[ctx.index] = x
        return out

    @staticmethod
    def backward(ctx, grad):
        return grad[ctx.index], None


def trace(input: Tensor) -> Tensor:
    """The sum of the main diagonal of a 2-D tensor."""
    if input.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input.ndim}")
    rows, cols = _diagonal_index(*input.shape, 0)
    return input[Tensor._make(rows), Tensor._make(cols)].sum()


def diag(input: Tensor, diagonal: int = 0) -> Tensor:
    """From a 1-D tensor, the square matrix with it on the ``diagonal``-th diagonal; from a
    2-D tensor, that diagonal as a 1-D tensor."""
    if input.ndim == 1:
        return DiagEmbed.apply(input, diagonal)
    if input.ndim == 2:
        rows, cols = _diagonal_index(*input.shape, diagonal)
        return input[Tensor._make(rows), Tensor._make(cols)]
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {input.ndim}D")


def _sizes(args: tuple) -> tuple[int, ...]:
    return tuple(args[0]) if len(args) == 1 and isinstance(args[0], Sequence) else tuple(args)


def _repeat(self: Tensor, *sizes: Any) -> Tensor:
    """This tensor tiled ``sizes`` times along each dim (leading sizes add new dims)."""
    reps = _sizes(sizes)
    if len(reps) < self.ndim:
        raise RuntimeError(
            "Number of dimensions of repeat dims can not be smaller than number of dimensions "
            "of tensor"
        )
    x = self.reshape((1,) * (len(reps) - self.ndim) + tuple(self.shape))
    # put a broadcast axis before each dim, expand it to the repeat count, merge the two
    interleaved = []
    for n in x.shape:
        interleaved += [1, n]
    expanded = []
    for r, n in zip(reps, x.shape):
        expanded += [r, n]
    out = x.reshape(interleaved).expand(*expanded)
    return out.reshape([r * n for r, n in zip(reps, x.shape)])


def _tile(self: Tensor, dims: Sequence[int]) -> Tensor:
    """``repeat`` with missing leading counts taken as 1, as ``torch.tile``."""
    reps = tuple(dims)
    return _repeat(self, *((1,) * (self.ndim - len(reps)) + reps))


def broadcast_to(input: Tensor, size: Sequence[int]) -> Tensor:
    """input expanded to ``size`` by broadcasting (a view; gradients sum back)."""
    return input.expand(*size)


def broadcast_tensors(*tensors: Tensor) -> tuple[Tensor, ...]:
    """The tensors expanded to their common broadcast shape."""
    try:
        shape = np.broadcast_shapes(*(tuple(t.shape) for t in tensors))
    except ValueError:
        shapes = ", ".join(str(tuple(t.shape)) for t in tensors)
        raise RuntimeError(f"broadcast_tensors: shapes {shapes} cannot be broadcast together"
                           ) from None
    return tuple(t.expand(*shape) for t in tensors)


def meshgrid(*tensors: Any, indexing: str = "ij") -> tuple[Tensor, ...]:
    """Coordinate grids from 1-D tensors: with ``indexing="ij"`` output k varies along
    dim k; with ``"xy"`` the first two dims are swapped (NumPy's default)."""
    if len(tensors) == 1 and isinstance(tensors[0], list | tuple):
        tensors = tuple(tensors[0])
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f'meshgrid: indexing must be one of "xy" or "ij", but received: '
                           f"{indexing}")
    for t in tensors:
        if t.ndim > 1:
            raise RuntimeError(f"meshgrid: expects all tensors to be 0- or 1-D, got one of "
                               f"shape {tuple(t.shape)}")
    vectors = [t.reshape(-1) for t in tensors]
    swap = indexing == "xy" and len(vectors) >= 2
    if swap:
        vectors[0], vectors[1] = vectors[1], vectors[0]
    shape = [v.shape[0] for v in vectors]
    grids = []
    for k, v in enumerate(vectors):
        view = [1] * len(vectors)
        view[k] = shape[k]
        grids.append(v.reshape(view).expand(*shape))
    if swap:
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)


def masked_select(input: Tensor, mask: Any) -> Tensor:
    """The entries of input where the bool ``mask`` (broadcast with input) is True, as 1-D."""
    mask = mask if isinstance(mask, Tensor) else Tensor._make(np.asarray(mask))
    if mask.dtype != np.bool_:
        raise RuntimeError(f"masked_select: expected BoolTensor for mask, got {mask.dtype}")
    input, mask = broadcast_tensors(input, mask)
    return input[mask.data]


def nonzero(input: Tensor, *, as_tuple: bool = False) -> Any:
    """The indices of the nonzero entries: an (n, ndim) int64 tensor, or with ``as_tuple``
    one 1-D tensor per dim."""
    data = input.data if input.ndim else input.data.reshape(1)
    where = np.nonzero(data)
    if as_tuple:
        return tuple(Tensor._make(w.astype(np.int64)) for w in where)
    return Tensor._make(np.stack(where, axis=1).astype(np.int64) if input.ndim
                        else np.zeros((len(where[0]), 0), np.int64))


def count_nonzero(input: Tensor, dim: Any = None) -> Tensor:
    """How many entries are nonzero (along ``dim``, an int or a tuple): int64."""
    axes = None if dim is None else tuple(
        _wrap_dim(d, input.ndim) for d in (dim if isinstance(dim, tuple | list) else (dim,)))
    return Tensor._make(np.asarray(np.count_nonzero(input.data, axis=axes), dtype=np.int64))


def _masked_select_method(self: Tensor, mask: Any) -> Tensor:
    """The entries of self where ``mask`` is True, as 1-D: ``masked_select``."""
    return masked_select(self, mask)


def _nonzero_method(self: Tensor, *, as_tuple: bool = False) -> Any:
    """The indices of the nonzero entries: ``nonzero(self, ...)``."""
    return nonzero(self, as_tuple=as_tuple)


def _broadcast_to_method(self: Tensor, size: Sequence[int]) -> Tensor:
    """self expanded to ``size`` by broadcasting: ``broadcast_to(self, size)``."""
    return broadcast_to(self, size)


Tensor.dot = dot
Tensor.outer = outer
Tensor.trace = trace
Tensor.diag = diag
Tensor.repeat = _repeat
Tensor.tile = _tile
Tensor.broadcast_to = _broadcast_to_method
Tensor.masked_select = _masked_select_method
Tensor.nonzero = _nonzero_method
Tensor.count_nonzero = count_nonzero
