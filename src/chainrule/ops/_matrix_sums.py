"""Sums and maxima along one axis of a float matrix, at BLAS speed.

NumPy's ``np.add.reduce(a, axis=...)`` on a C-ordered (N, C) matrix is slow when the rows
are short (a few dozen classes, as in a classifier's logits): it runs a separate inner loop
per row. A matrix-vector product with a vector of ones is one BLAS call that sums every row
(or every column) at once, 2-8x faster from a few dozen rows up; likewise the maximum of
each short row is faster over the transposed copy, reduced down its columns.

The ops call these for their per-row and per-column sums: cross-entropy, softmax and
log_softmax over the classes, a Linear layer's bias gradient, BatchNorm's statistics, and
``sum``/``mean``/``var``/``std`` over one axis of a matrix. They fall back to NumPy's
reductions for anything that is not a float32/float64 NumPy matrix. BLAS adds in another
order than NumPy's pairwise summation, so results may differ in the last bits, as
PyTorch's own sums do.
"""

from __future__ import annotations

import numpy as np

_BLAS_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))
_ONES: dict[tuple[int, np.dtype], np.ndarray] = {}
_MAX_CACHED = 64
_SHORT_ROW = 32  # up to this many columns, a row maximum is faster over the transpose


def ones(n: int, dtype: np.dtype) -> np.ndarray:
    """A read-only vector of ``n`` ones of ``dtype``, cached (a handful of sizes recur)."""
    key = (n, dtype)
    vector = _ONES.get(key)
    if vector is None:
        if len(_ONES) >= _MAX_CACHED:
            _ONES.clear()
        vector = np.ones(n, dtype)
        vector.flags.writeable = False
        _ONES[key] = vector
    return vector


Axes = int | tuple[int, ...] | None


def add_reduce(a: np.ndarray, axis: Axes, keepdims: bool = False) -> np.ndarray:
    """``np.add.reduce`` for a NumPy array (no ``ndarray.sum`` wrapper); the array's own
    ``sum`` method for other array types (CuPy's ufuncs need not have ``reduce``)."""
    if a.__class__ is np.ndarray:
        return np.add.reduce(a, axis=axis, keepdims=keepdims)
    return a.sum(axis=axis, keepdims=keepdims)


def max_reduce(a: np.ndarray, axis: int, keepdims: bool = False) -> np.ndarray:
    """``np.maximum.reduce`` for a NumPy array; the array's own ``max`` method otherwise."""
    if a.__class__ is np.ndarray:
        return np.maximum.reduce(a, axis=axis, keepdims=keepdims)
    return a.max(axis=axis, keepdims=keepdims)


def _blas_matrix(a: np.ndarray) -> bool:
    return a.__class__ is np.ndarray and a.ndim == 2 and a.dtype in _BLAS_FLOATS


def sum_rows(a: np.ndarray) -> np.ndarray:
    """The sum of each row of the (N, C) matrix ``a``: shape (N,)."""
    if _blas_matrix(a):
        return np.matmul(a, ones(a.shape[1], a.dtype))
    return add_reduce(a, 1)


def sum_columns(a: np.ndarray) -> np.ndarray:
    """The sum of each column of the (N, C) matrix ``a``: shape (C,)."""
    if _blas_matrix(a):
        return np.matmul(ones(a.shape[0], a.dtype), a)
    return add_reduce(a, 0)


def max_rows(a: np.ndarray) -> np.ndarray:
    """The maximum of each row of the non-empty (N, C) matrix ``a``: shape (N,)."""
    n, c = a.shape
    if c <= _SHORT_ROW and n >= 2 * _SHORT_ROW and a.__class__ is np.ndarray:
        return np.maximum.reduce(np.ascontiguousarray(a.T), axis=0)
    return max_reduce(a, 1)


def sum_keepdims(a: np.ndarray, axis: int | None) -> np.ndarray:
    """``a.sum(axis=axis, keepdims=True)``, by BLAS along either axis of a float matrix."""
    return sum_over(a, None if axis is None else (axis,), True)


def max_keepdims(a: np.ndarray, axis: int) -> np.ndarray:
    """``a.max(axis=axis, keepdims=True)`` of a non-empty ``a``; fast for short rows."""
    if a.ndim == 2 and axis == 1:
        return max_rows(a)[:, None]
    return max_reduce(a, axis, True)


def sum_over(a: np.ndarray, axes: tuple[int, ...] | None, keepdims: bool) -> np.ndarray:
    """``a.sum(axis=axes, keepdims=keepdims)``, by BLAS for one axis of a float matrix."""
    if axes is not None and len(axes) == 1 and _blas_matrix(a):
        if axes[0] == 0:
            total = sum_columns(a)
            return total[None] if keepdims else total
        total = sum_rows(a)
        return total[:, None] if keepdims else total
    return add_reduce(a, axes, keepdims)
