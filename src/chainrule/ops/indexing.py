"""Indexing: ``x[key]``, ``x[key] = value``, ``select narrow gather index_select``.

Reading ``x[key]`` picks elements; its derivative sends each element of the
gradient back to the place it was picked from. Where a place can be picked more
than once (integer arrays with repeats, as in the embedding lookup ``C[X]``),
those gradients add up: the backward is a scatter-add, done by one ``np.add.at``
on flat (1-D) indices, which NumPy runs on its fast path (several times faster
than ``np.add.at`` on rows; see ``scatter_add_rows``).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from .._capture import graph_break
from ..function import Function
from ..grad_mode import _GradMode
from ..tensor import Tensor
from ._matrix_sums import max_reduce

__all__ = ["select", "narrow", "gather", "index_select"]

_FULL = slice(None)
_INTP = np.dtype(np.intp)


def _wrap_dim(dim: int, ndim: int) -> int:
    """``dim`` as an axis in ``[0, ndim)`` (negative dims count from the end; 0-d takes 0, -1)."""
    n = ndim if ndim > 0 else 1
    if not -n <= dim < n:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})"
        )
    return dim % n


def _shape(shape: tuple) -> list:
    """A shape written as PyTorch writes it: [2, 3]."""
    return list(shape)


# --- the three ways of picking elements -------------------------------------------------


class Index(Function):
    """out = x[key], each element picked at most once (ints, slices, None, ..., bool masks);
    dx = zeros with grad placed back at key."""

    @staticmethod
    def forward(ctx, x, key):
        ctx.shape, ctx.key = x.shape, key
        return x[key]

    @staticmethod
    def backward(ctx, grad):
        dx = np.zeros(ctx.shape, grad.dtype)
        dx[ctx.key] = grad
        return dx, None


class IndexRows(Function):
    """out = x[i0, i1, ...], integer arrays on the leading dims (``C[X]``, ``L[range(n), y]``);
    dx = zeros with each grad row added into the row it came from (repeats add up)."""

    @staticmethod
    def forward(ctx, x, key):
        ctx.shape, ctx.key = x.shape, key
        if type(key) is tuple:
            return x[key]
        return x.take(key, axis=0)

    @staticmethod
    def backward(ctx, grad):
        shape, key = ctx.shape, ctx.key
        if type(key) is not tuple:
            return scatter_add_rows(key, grad, shape), None
        k = len(key)
        rows = np.ravel_multi_index(key, shape[:k], mode="wrap")  # wrap: negatives count back
        flat_shape = (int(np.prod(shape[:k])), *shape[k:])
        return scatter_add_rows(rows, grad, flat_shape).reshape(shape), None


class IndexAdd(Function):
    """out = x[key] for any mix of integer arrays, masks, ints and slices;
    dx = zeros with grad added at key (np.add.at, so repeats add up)."""

    @staticmethod
    def forward(ctx, x, key):
        ctx.shape, ctx.key = x.shape, key
        return x[key]

    @staticmethod
    def backward(ctx, grad):
        dx = np.zeros(ctx.shape, grad.dtype)
        np.add.at(dx, ctx.key, grad)
        return dx, None


def ids_in_range(ids: np.ndarray, size: int) -> bool:
    """Whether every integer in the non-empty ``ids`` lies in [0, size).

    For int64 one unsigned max tells, since a negative id seen as unsigned is huge.
    """
    if ids.dtype == np.int64:
        return bool(max_reduce(ids.view(np.uint64), None) < size)
    return bool(ids.min() >= 0 and ids.max() < size)


def scatter_add_rows(index: np.ndarray, grad: np.ndarray, shape: tuple) -> np.ndarray:
    """Zeros of ``shape`` with row ``grad[j]`` added into row ``index[j]`` (repeats add up).

    ``grad`` has shape ``index.shape + shape[1:]``; negative rows count from the end.
    Row ``i`` of width ``w`` is the flat range ``i * w ... i * w + w - 1``, so one 1-D
    ``np.add.at`` does it all (a negative ``i`` lands on row ``n + i``, as it should).
    """
    out = np.zeros(shape, grad.dtype)
    if index.size == 0 or out.size == 0:
        return out
    width = out.size // shape[0]
    flat = index.reshape(-1).astype(_INTP, copy=False)
    if width != 1:
        flat = (flat[:, None] * width + np.arange(width)).reshape(-1)
    np.add.at(out.reshape(-1), flat, grad.reshape(-1))
    return out


# --- reading an index -------------------------------------------------------------------


def _bad_step(step: Any) -> ValueError:
    if step == 0:
        return ValueError("slice step cannot be zero")
    return ValueError("step must be greater than zero")


def _entry(item: Any) -> Any:
    """One index entry as NumPy takes it: Tensors and lists to arrays, ranges to aranges,
    0-d integer arrays to ints; anything else that is no index raises IndexError."""
    if isinstance(item, Tensor):
        item = item.data
    elif type(item) is range:
        return np.arange(item.start, item.stop, item.step)
    elif isinstance(item, list | tuple):
        item = np.asarray(item)
        if item.size == 0:
            return item.astype(_INTP)
    elif isinstance(item, np.integer):
        return int(item)
    elif not hasattr(item, "dtype"):
        raise IndexError(
            "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are "
            f"valid indices (got {type(item).__name__})"
        )
    kind = item.dtype.kind
    if kind == "b":
        return item
    if kind not in "iu":
        raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
    if item.ndim == 0:
        return int(item)
    return item if kind == "i" else item.astype(_INTP)


def _parse(index: Any, ndim: int) -> tuple[Any, type[Function]]:
    """The NumPy key for ``index`` and the Function that reads it (see the three above):
    ``IndexRows`` when it is integer arrays on the leading dims, then only ``:`` or ``...``."""
    items = index if type(index) is tuple else (index,)
    key = []
    arrays = masks = 0
    rows = True  # so far: integer arrays, then only full slices and ellipses
    used = 0  # dims taken by the entries other than None and ...
    for item in items:
        cls = type(item)
        if cls is int:
            rows = False
        elif cls is slice:
            if item.step is not None and item.step <= 0:
                raise _bad_step(item.step)
            rows = rows and arrays > 0 and item == _FULL
        elif item is None:
            rows = False
            used -= 1
        elif item is Ellipsis:
            rows = rows and arrays > 0
            used -= 1
        elif cls is bool:
            masks += 1
        else:
            item = _entry(item)
            if type(item) is not np.ndarray:  # a 0-d integer: a basic index
                rows = False
            elif item.dtype.kind == "b":
                masks += 1
            else:
                rows = rows and arrays == len(key)
                arrays += 1
        key.append(item)
    if not arrays:
        return (key[0] if len(key) == 1 else tuple(key)), Index
    if rows and not masks and len(key) + used <= ndim:
        return (key[0] if arrays == 1 else tuple(key[:arrays])), IndexRows
    return (key[0] if len(key) == 1 else tuple(key)), IndexAdd


_OUT_OF_BOUNDS = re.compile(r"index (-?\d+) is out of bounds for axis (\d+) with size (\d+)")
_MASK = re.compile(r"along (?:axis|dimension) (\d+); size of axis is (\d+) but size of "
                   r"corresponding boolean axis is (\d+)")


def _index_error(error: Exception, shape: tuple) -> IndexError:
    """NumPy's IndexError for ``x[key]`` in PyTorch's words."""
    message = str(error)
    found = _OUT_OF_BOUNDS.search(message)
    if found:
        index, dim, size = found.groups()
        return IndexError(f"index {index} is out of bounds for dimension {dim} with size {size}")
    if "too many indices" in message or "out of bounds for array of dimension" in message:
        return IndexError(f"too many indices for tensor of dimension {len(shape)}")
    found = _MASK.search(message)
    if found:
        dim, size, mask = found.groups()
        return IndexError(
            f"The shape of the mask [{mask}] at index {dim} does not match the shape of the "
            f"indexed tensor {_shape(shape)} at index {dim}"
        )
    if message.startswith("shape mismatch: indexing arrays"):
        shapes = re.findall(r"\(([\d, ]*)\)", message)
        listed = ", ".join("[" + s.rstrip(",") + "]" for s in shapes)
        return IndexError(
            f"shape mismatch: indexing tensors could not be broadcast together with shapes {listed}"
        )
    return IndexError(message)


# --- x[key] and x[key] = value ---------------------------------------------------------------


def _getitem(self: Tensor, index: Any) -> Tensor:
    """``x[index]`` with ints, slices (step > 0), None, ..., integer/bool arrays, lists, ranges
    and int64/bool tensors, as PyTorch (and NumPy) index; the result is differentiable."""
    cls = type(index)
    try:
        if cls is int:
            return Index._apply2(self, index)
        if cls is slice and (index.step is None or index.step > 0):
            return Index._apply2(self, index)
        if cls is Tensor and index.data.dtype.kind == "i" and index.data.ndim:
            return IndexRows._apply2(self, index.data)  # C[X], the embedding lookup
        key, fn = _parse(index, self.data.ndim)
        return fn.apply(self, key)
    except IndexError as error:
        raise _index_error(error, self.data.shape) from None


class IndexPut(Function):
    """x[key] = value, in place;  d/d(value) = grad[key], the slots value was written to."""

    @staticmethod
    def forward(ctx, x, key, value):
        x[key] = value
        ctx.key, ctx.value_ndim = key, np.ndim(value)
        return x

    @staticmethod
    def backward(ctx, grad):
        dvalue = grad[ctx.key]
        if dvalue.ndim < ctx.value_ndim:  # value had extra leading 1s that broadcasting dropped
            dvalue = dvalue.reshape((1,) * (ctx.value_ndim - dvalue.ndim) + dvalue.shape)
        return None, None, dvalue


def _setitem(self: Tensor, index: Any, value: Any) -> None:
    """``x[index] = value`` in place (value: a number, array or Tensor, broadcast to the slots).

    As in PyTorch: refused on a leaf that requires grad (outside ``no_grad``); writing a
    value that requires grad into a tensor that does not makes the tensor part of the graph.
    """
    recording = _GradMode.enabled
    if recording and self._requires_grad:
        if self._ctx is None:
            raise RuntimeError(
                "a view of a leaf Variable that requires grad is being used in an in-place "
                "operation."
            )
        raise RuntimeError(
            "in-place assignment into a tensor that is already part of a graph is not supported "
            "by chainrule (the graph links tensors, not versions of them, so the gradients of its "
            "earlier uses would go astray); build the result out of place instead, e.g. with "
            "cr.where, cr.cat or cr.stack"
        )
    try:
        key, _ = _parse(index, self.data.ndim)
    except IndexError as error:
        raise _index_error(error, self.data.shape) from None
    graph_break("item assignment (x[...] = v) writes into a tensor outside an op")
    try:
        if isinstance(value, Tensor) and value._requires_grad and recording:
            out = IndexPut.apply(self.data, key, value)
            self._ctx, self._prev, self._requires_grad = out._ctx, out._prev, True
        else:
            self.data[key] = value.data if isinstance(value, Tensor) else value
    except IndexError as error:
        raise _index_error(error, self.data.shape) from None
    except ValueError as error:
        raise _setitem_error(error, self, key, value) from None


def _setitem_error(error: ValueError, self: Tensor, key: Any, value: Any) -> Exception:
    if "read-only" in str(error):
        return RuntimeError(
            "unsupported operation: more than one element of the written-to tensor refers to a "
            "single memory location. Please clone() the tensor before performing the operation."
        )
    slots = self.data[key].shape
    return RuntimeError(
        f"shape mismatch: value tensor of shape {_shape(np.shape(value))} cannot be broadcast to "
        f"indexing result of shape {_shape(slots)}"
    )


def _iter(self: Tensor) -> Any:
    """Iterate over the first dimension, as PyTorch does (each item is ``x[i]``)."""
    if self.data.ndim == 0:
        raise TypeError("iteration over a 0-d tensor")
    return (Index.apply(self, i) for i in range(self.data.shape[0]))


# --- select, narrow, gather, index_select -----------------------------------------------


def select(input: Tensor, dim: int, index: int) -> Tensor:
    """``input`` at position ``index`` of dimension ``dim``, that dimension removed."""
    shape = input.data.shape
    dim = _wrap_dim(dim, len(shape))
    if not -shape[dim] <= index < shape[dim]:
        raise IndexError(
            f"select(): index {index} out of range for tensor of size {_shape(shape)} at "
            f"dimension {dim}"
        )
    return Index.apply(input, (_FULL,) * dim + (index,))


def narrow(input: Tensor, dim: int, start: int, length: int) -> Tensor:
    """Positions ``start ... start + length - 1`` of dimension ``dim`` (a view)."""
    shape = input.data.shape
    dim = _wrap_dim(dim, len(shape))
    size = shape[dim]
    if not -size <= start <= size:
        raise IndexError(
            f"start out of range (expected to be in range of [{-size}, {size}], but got {start})"
        )
    start = start + size if start < 0 else start
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    if start + length > size:
        raise RuntimeError(
            f"start ({start}) + length ({length}) exceeds dimension size ({size})."
        )
    return Index.apply(input, (_FULL,) * dim + (slice(start, start + length),))


def _int_index(op: str, index: Any) -> np.ndarray:
    index = index.data if isinstance(index, Tensor) else np.asarray(index)
    if index.dtype.kind not in "iu":
        raise RuntimeError(f"{op}(): Expected dtype int32/int64 for index")
    return index


def _check_bounds(op: str, index: np.ndarray, dim: int, size: int) -> None:
    """PyTorch's gather and index_select take indices in [0, size) only (no negatives)."""
    if index.size and (index.min() < 0 or index.max() >= size):
        bad = index[(index < 0) | (index >= size)].flat[0]
        raise RuntimeError(
            f"{op}(): index {bad} is out of bounds for dimension {dim} with size {size}"
        )


class Gather(Function):
    """out[i][j] = x[i][index[i][j]] (for dim=1);  dx = zeros with grad added at the picked
    positions (repeats add up)."""

    @staticmethod
    def forward(ctx, x, dim, index):
        ctx.shape, ctx.dim, ctx.index = x.shape, dim, index
        if index.shape != x.shape:  # PyTorch lets index be smaller in the other dims
            x = x[tuple(_FULL if d == dim else slice(0, n) for d, n in enumerate(index.shape))]
        return np.take_along_axis(x, index, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        index, dim, shape = ctx.index, ctx.dim, ctx.shape
        ndim = index.ndim
        coords = tuple(
            index if d == dim else np.arange(n).reshape([-1 if e == d else 1 for e in range(ndim)])
            for d, n in enumerate(index.shape)
        )
        flat = np.ravel_multi_index(coords, shape)
        dx = np.zeros(int(np.prod(shape)), grad.dtype)
        np.add.at(dx, np.broadcast_to(flat, index.shape).reshape(-1), grad.reshape(-1))
        return dx.reshape(shape), None, None


def gather(input: Tensor, dim: int, index: Tensor, *, sparse_grad: bool = False) -> Tensor:
    """Pick along ``dim`` at ``index`` (an int64 tensor with as many dims as ``input``):
    ``out[i][j] = input[i][index[i][j]]`` for ``dim=1``."""
    index = _int_index("gather", index)
    shape = input.data.shape
    if index.ndim != len(shape):
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    if not shape:
        return gather(input.reshape(1), 0, Tensor._make(index.reshape(1))).reshape(())
    dim = _wrap_dim(dim, len(shape))
    for d, (n, m) in enumerate(zip(index.shape, shape)):
        if d != dim and n > m:
            raise RuntimeError(
                f"Size does not match at dimension {d} expected index {_shape(index.shape)} to be "
                f"no larger than self {_shape(shape)} apart from dimension {dim}"
            )
    _check_bounds("gather", index, dim, shape[dim])
    return Gather.apply(input, dim, index)


class IndexSelect(Function):
    """out = x at positions index along dim;  dx = zeros with grad slices added back at index."""

    @staticmethod
    def forward(ctx, x, dim, index):
        ctx.shape, ctx.dim, ctx.index = x.shape, dim, index
        return x.take(index, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        shape, dim = ctx.shape, ctx.dim
        moved = (shape[dim], *shape[:dim], *shape[dim + 1:])
        rows = scatter_add_rows(ctx.index, np.moveaxis(grad, dim, 0), moved)
        return np.moveaxis(rows, 0, dim), None, None


def index_select(input: Tensor, dim: int, index: Tensor) -> Tensor:
    """The slices of ``input`` along ``dim`` at the positions in the 1-D ``index``."""
    index = _int_index("index_select", index)
    if index.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    shape = input.data.shape
    dim = _wrap_dim(dim, len(shape))
    if not shape:
        return index_select(input.reshape(1), 0, Tensor._make(index)).reshape(())
    _check_bounds("index_select", index, dim, shape[dim])
    return IndexSelect.apply(input, dim, index.reshape(-1))


Tensor.__getitem__ = _getitem
Tensor.__setitem__ = _setitem
Tensor.__iter__ = _iter
Tensor.select = select
Tensor.narrow = narrow
Tensor.gather = gather
Tensor.index_select = index_select
