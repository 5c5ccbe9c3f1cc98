"""random_split and split: sizes (PyTorch's rounding rule, checked against
torch.utils.data.random_split), disjointness, coverage, determinism, kinds."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch.utils.data as tud
from hypothesis import given, settings
from hypothesis import strategies as st

import chainrule as cr
from chainrule.data import Subset, TensorDataset, random_split, split

FRACTIONS = [
    (0.8, 0.1, 0.1), (0.7, 0.2, 0.1), (0.6, 0.3, 0.1), (0.5, 0.5), (0.1,) * 10,
    (1 / 3, 1 / 3, 1 / 3), (0.25, 0.25, 0.5), (0.9, 0.1), (1.0,),
]


def _torch_lengths(n, lengths):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return [len(s) for s in tud.random_split(range(n), list(lengths))]


def _our_lengths(n, lengths):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return [len(s) for s in random_split(range(n), list(lengths))]


@settings(max_examples=50, deadline=None)
@given(n=st.integers(0, 300), fractions=st.sampled_from(FRACTIONS))
def test_fraction_lengths_match_torch(n, fractions):
    assert _our_lengths(n, fractions) == _torch_lengths(n, fractions)


@settings(max_examples=30, deadline=None)
@given(weights=st.lists(st.integers(1, 9), min_size=1, max_size=6), n=st.integers(0, 200))
def test_random_fractions_match_torch(weights, n):
    fractions = [w / sum(weights) for w in weights]
    if not (abs(sum(fractions) - 1) < 1e-9 and sum(fractions) <= 1):
        fractions[-1] = 1 - sum(fractions[:-1])
    assert _our_lengths(n, fractions) == _torch_lengths(n, fractions)


def test_rounding_rule_by_hand():
    # floor(10 * 1/3) = 3 each, one left over goes to the first part
    assert _our_lengths(10, [1 / 3] * 3) == [4, 3, 3]
    # floor(11 * 0.25) = 2, floor(11 * 0.25) = 2, floor(11 * 0.5) = 5; 2 left: first, second
    assert _our_lengths(11, [0.25, 0.25, 0.5]) == [3, 3, 5]


def test_random_split_is_a_disjoint_cover_and_seeded():
    ds = TensorDataset(cr.arange(50))
    parts = random_split(ds, [30, 15, 5], generator=cr.Generator().manual_seed(3))
    assert all(isinstance(p, Subset) for p in parts)
    assert [len(p) for p in parts] == [30, 15, 5]
    ids = [p[list(range(len(p)))][0].tolist() for p in parts]
    flat = [i for part in ids for i in part]
    assert sorted(flat) == list(range(50)) and flat != list(range(50))
    again = random_split(ds, [30, 15, 5], generator=cr.Generator().manual_seed(3))
    other = random_split(ds, [30, 15, 5], generator=cr.Generator().manual_seed(4))
    assert [p.indices for p in again] == [p.indices for p in parts]
    assert [p.indices for p in other] != [p.indices for p in parts]


def test_random_split_errors():
    with pytest.raises(ValueError, match="Sum of input lengths"):
        random_split(range(10), [3, 3])
    with pytest.raises(ValueError, match="not between 0 and 1"):
        random_split(range(10), [1.5, -0.5])
    with pytest.raises(ValueError, match="integer sizes"):
        random_split(range(10), [0.5, 0.2])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        parts = random_split(range(2), [0.9, 0.05, 0.05])  # floors [1, 0, 0], +1 to the first
    assert [len(p) for p in parts] == [2, 0, 0]
    assert [str(w.message) for w in caught] == [
        f"Length of split at index {i} is 0. This might result in an empty dataset."
        for i in (1, 2)
    ]


@settings(max_examples=30, deadline=None)
@given(n=st.integers(0, 200), fractions=st.sampled_from([f for f in FRACTIONS if len(f) == 3]),
       seed=st.integers(0, 1000))
def test_split_sizes_disjoint_and_complete(n, fractions, seed):
    X = np.arange(n * 2, dtype=np.float64).reshape(n, 2)
    y = np.arange(n)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parts = split(X, y, fractions, seed=seed)
    assert [len(py) for _, py in parts] == _torch_lengths(n, fractions)
    for px, py in parts:
        assert isinstance(px, np.ndarray) and isinstance(py, np.ndarray)
        np.testing.assert_array_equal(px[:, 0], 2 * py)  # rows stay paired with their labels
    flat = np.concatenate([py for _, py in parts])
    assert sorted(flat.tolist()) == list(range(n))


def test_split_seeds_and_shuffle_off():
    X, y = np.arange(100.0)[:, None], np.arange(100)
    a = split(X, y, seed=1)
    b = split(X, y, seed=1)
    c = split(X, y, seed=2)
    for (ax, ay), (bx, by) in zip(a, b):
        np.testing.assert_array_equal(ax, bx)
        np.testing.assert_array_equal(ay, by)
    assert not np.array_equal(a[0][1], c[0][1])
    assert not np.array_equal(a[0][1], np.arange(80))
    (_, tr), (_, va), (_, te) = split(X, y, shuffle=False)
    np.testing.assert_array_equal(tr, np.arange(80))
    np.testing.assert_array_equal(va, np.arange(80, 90))
    np.testing.assert_array_equal(te, np.arange(90, 100))


def test_split_returns_tensors_for_tensors():
    X, y = cr.randn(20, 3), cr.arange(20)
    (xt, yt), (xv, yv), (xs, ys) = split(X, y, (0.5, 0.25, 0.25), seed=0)
    assert all(isinstance(t, cr.Tensor) for t in (xt, yt, xv, yv, xs, ys))
    assert xt.shape == (10, 3) and xt.dtype == cr.float32 and yv.dtype == cr.int64
    np.testing.assert_array_equal(xt.numpy(), X.numpy()[yt.numpy()])


def test_split_errors():
    with pytest.raises(ValueError, match="same number of rows"):
        split(np.zeros((5, 2)), np.zeros(4))
    with pytest.raises(ValueError, match="three numbers"):
        split(np.zeros((5, 2)), np.zeros(5), (0.5, 0.5))
    with pytest.raises(ValueError, match="three numbers"):
        split(np.zeros((5, 2)), np.zeros(5), (0.5, 0.2, 0.2))

