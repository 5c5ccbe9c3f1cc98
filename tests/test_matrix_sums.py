"""Row and column sums and row maxima at BLAS speed give NumPy's (and PyTorch's) values."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from chainrule.ops._matrix_sums import (
    add_reduce,
    max_keepdims,
    max_reduce,
    max_rows,
    ones,
    sum_columns,
    sum_keepdims,
    sum_rows,
)

SHAPES = [(1, 1), (3, 27), (32, 27), (64, 10), (200, 33), (257, 5), (5, 300), (0, 4)]


def _matrix(shape: tuple[int, int], dtype: type, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sums_match_torch(shape, dtype):
    a = _matrix(shape, dtype)
    rtol = 1e-5 if dtype == np.float32 else 1e-12
    rows, columns = sum_rows(a), sum_columns(a)
    assert rows.dtype == dtype and columns.dtype == dtype
    assert rows.shape == (shape[0],) and columns.shape == (shape[1],)
    np.testing.assert_allclose(rows, torch.from_numpy(a).sum(dim=1).numpy(), rtol=rtol,
                               atol=rtol)
    np.testing.assert_allclose(columns, torch.from_numpy(a).sum(dim=0).numpy(), rtol=rtol,
                               atol=rtol)


@pytest.mark.parametrize("shape", [s for s in SHAPES if s[0] and s[1]])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_row_maxima_are_exact(shape, dtype):
    a = _matrix(shape, dtype, seed=1)
    np.testing.assert_array_equal(max_rows(a), a.max(axis=1))


def test_non_contiguous_and_integer_matrices():
    a = _matrix((40, 70), np.float64)[::2, ::3]  # strided view
    np.testing.assert_allclose(sum_rows(a), a.sum(axis=1), rtol=1e-12)
    np.testing.assert_allclose(sum_columns(a), a.sum(axis=0), rtol=1e-12)
    np.testing.assert_array_equal(max_rows(a.T), a.T.max(axis=1))
    counts = np.arange(12, dtype=np.int64).reshape(3, 4)  # not BLAS: NumPy's reduction
    np.testing.assert_array_equal(sum_rows(counts), [6, 22, 38])
    np.testing.assert_array_equal(sum_columns(counts), [12, 15, 18, 21])
    assert sum_rows(counts).dtype == np.int64


def test_nan_and_inf_propagate():
    a = np.ones((80, 4), np.float32)
    a[3, 1], a[7, 2], a[9, 0] = np.nan, np.inf, -np.inf
    rows, columns, maxima = sum_rows(a), sum_columns(a), max_rows(a)
    assert np.isnan(rows[3]) and rows[7] == np.inf and rows[9] == -np.inf
    assert np.isnan(columns[1]) and columns[2] == np.inf and columns[0] == -np.inf
    assert np.isnan(maxima[3]) and maxima[7] == np.inf and maxima[9] == 1
    assert np.all(rows[10:] == 4) and np.all(maxima[10:] == 1)


def test_ones_are_cached_and_read_only():
    first = ones(7, np.dtype(np.float32))
    assert ones(7, np.dtype(np.float32)) is first
    assert ones(7, np.dtype(np.float64)) is not first
    with pytest.raises(ValueError):
        first[0] = 2


@pytest.mark.parametrize("shape", [(7,), (70, 9), (9, 70), (4, 5, 6)])
def test_keepdims_forms_match_numpy_along_every_axis(shape):
    a = _matrix((1, int(np.prod(shape))), np.float64, seed=2).reshape(shape)
    for axis in [*range(len(shape)), None]:
        np.testing.assert_allclose(sum_keepdims(a, axis), a.sum(axis=axis, keepdims=True),
                                   rtol=1e-12)
        if axis is not None:
            np.testing.assert_array_equal(max_keepdims(a, axis), a.max(axis=axis, keepdims=True))


class _OtherArray(np.ndarray):
    """Stands in for another array library's array (CuPy's): not a NumPy ndarray, and its
    ufuncs have no ``reduce``; its ``sum`` and ``max`` methods work."""

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if method != "__call__":
            raise TypeError(f"{ufunc.__name__}.{method} is not supported")
        plain = [np.asarray(x) if isinstance(x, _OtherArray) else x for x in inputs]
        return np.asarray(ufunc(*plain, **kwargs)).view(_OtherArray)

    def sum(self, *args, **kwargs):
        return np.asarray(np.asarray(self).sum(*args, **kwargs)).view(_OtherArray)

    def max(self, *args, **kwargs):
        return np.asarray(np.asarray(self).max(*args, **kwargs)).view(_OtherArray)


def test_other_array_types_reduce_with_their_own_methods():
    a = _matrix((70, 9), np.float32, seed=3)
    other = a.view(_OtherArray)
    for got, expected in [
        (sum_rows(other), a.sum(axis=1)),
        (sum_columns(other), a.sum(axis=0)),
        (max_rows(other), a.max(axis=1)),
        (sum_keepdims(other, 0), a.sum(axis=0, keepdims=True)),
        (max_keepdims(other, 1), a.max(axis=1, keepdims=True)),
        (add_reduce(other, None), a.sum()),
        (max_reduce(other, 0), a.max(axis=0)),
    ]:
        assert isinstance(got, _OtherArray)  # its own method ran, not BLAS or ufunc.reduce
        np.testing.assert_allclose(np.asarray(got), expected, rtol=1e-5)
