"""TensorDataset, Subset, DataLoader and default_collate.

Coverage: every index exactly once per epoch, with and without shuffle and
drop_last; determinism for a seeded generator; batch shapes and dtypes; the
per-sample path for generic map-style datasets.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import chainrule as cr
from chainrule.data import DataLoader, Subset, TensorDataset, default_collate


def _indexed(n: int, width: int = 3) -> TensorDataset:
    """X row i is (i, i + 0.5, ...) and y[i] = i, so a batch tells which indices it holds."""
    X = np.arange(n, dtype=np.float32)[:, None] + 0.5 * np.arange(width, dtype=np.float32)
    return TensorDataset(cr.tensor(X), cr.tensor(np.arange(n)))


def _epoch_indices(loader: DataLoader) -> list[list[int]]:
    return [yb.tolist() for _, yb in loader]


# --- TensorDataset ---------------------------------------------------------------------------


def test_tensor_dataset_rows_and_len():
    ds = _indexed(7)
    assert len(ds) == 7
    x, y = ds[4]
    assert isinstance(x, cr.Tensor) and isinstance(y, cr.Tensor)
    np.testing.assert_array_equal(x.numpy(), [4.0, 4.5, 5.0])
    assert y.item() == 4 and y.shape == ()
    xb, yb = ds[[6, 0, 2]]
    assert xb.shape == (3, 3) and yb.tolist() == [6, 0, 2]
    assert ds[-1][1].item() == 6


def test_tensor_dataset_accepts_arrays_and_keeps_dtype():
    ds = TensorDataset(np.zeros((4, 2), dtype=np.float64), np.arange(4))
    x, y = ds[1]
    assert x.dtype == cr.float64 and y.dtype == cr.int64


def test_tensor_dataset_size_mismatch_is_a_clear_error():
    with pytest.raises(ValueError, match=r"Size mismatch.*\[5, 4\]"):
        TensorDataset(cr.zeros(5, 2), cr.zeros(4))
    with pytest.raises(ValueError, match="at least one"):
        TensorDataset()
    with pytest.raises(ValueError, match="0-d"):
        TensorDataset(cr.tensor(1.0))


def test_tensor_dataset_index_out_of_range():
    with pytest.raises(IndexError):
        _indexed(3)[3]


# --- DataLoader: coverage, order, shapes ---------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(n=st.integers(0, 40), batch_size=st.integers(1, 12), shuffle=st.booleans(),
       drop_last=st.booleans(), seed=st.integers(0, 2**32))
def test_every_index_once_per_epoch(n, batch_size, shuffle, drop_last, seed):
    gen = cr.Generator().manual_seed(seed)
    loader = DataLoader(_indexed(n), batch_size, shuffle, drop_last=drop_last, generator=gen)
    for _ in range(2):
        batches = _epoch_indices(loader)
        assert len(batches) == len(loader)
        sizes = [len(b) for b in batches]
        flat = [i for b in batches for i in b]
        if drop_last:
            assert len(loader) == n // batch_size
            assert all(size == batch_size for size in sizes)
            assert len(flat) == len(set(flat)) == n - n % batch_size
        else:
            assert len(loader) == -(-n // batch_size)
            assert sorted(flat) == list(range(n))
            assert all(size == batch_size for size in sizes[:-1])
        if not shuffle:
            assert flat == list(range(len(flat)))


def test_batch_contents_shapes_and_dtypes():
    loader = DataLoader(_indexed(10, width=3), batch_size=4)
    batches = list(loader)
    assert [tuple(xb.shape) for xb, _ in batches] == [(4, 3), (4, 3), (2, 3)]
    assert [tuple(yb.shape) for _, yb in batches] == [(4,), (4,), (2,)]
    xb, yb = batches[1]
    assert xb.dtype == cr.float32 and yb.dtype == cr.int64
    np.testing.assert_array_equal(xb.numpy()[:, 0], yb.numpy())
    np.testing.assert_array_equal(xb.numpy()[:, 2], yb.numpy() + 1.0)


def test_batches_are_copies_not_views_of_the_dataset():
    ds = _indexed(6)
    xb, _ = next(iter(DataLoader(ds, batch_size=3)))
    xb.data[:] = -1
    assert ds.tensors[0].numpy().min() == 0.0


def test_seeded_generator_gives_the_same_epochs_and_seeds_differ():
    def run(seed):
        loader = DataLoader(_indexed(50), 8, shuffle=True,
                            generator=cr.Generator().manual_seed(seed))
        return [_epoch_indices(loader) for _ in range(3)]

    first, again, other = run(123), run(123), run(124)
    assert first == again
    assert first != other
    # each epoch is a fresh order, and shuffling does change the order
    assert first[0] != first[1]
    assert [i for b in first[0] for i in b] != list(range(50))


def test_default_generator_follows_manual_seed():
    loader = DataLoader(_indexed(30), 7, shuffle=True)
    cr.manual_seed(5)
    a = _epoch_indices(loader)
    cr.manual_seed(5)
    assert _epoch_indices(loader) == a


def test_loader_argument_errors():
    ds = _indexed(4)
    for bad in (0, -1, 2.0, True):
        with pytest.raises(ValueError, match="batch_size should be a positive integer"):
            DataLoader(ds, bad)
    with pytest.raises(TypeError, match="map-style"):
        DataLoader(iter(range(3)))
    with pytest.raises(TypeError, match="generator"):
        DataLoader(ds, 2, shuffle=True, generator=42)
    with pytest.raises(TypeError, match="shuffle"):
        DataLoader(ds, 2, shuffle="yes")


def test_batch_size_none_yields_single_samples():
    samples = list(DataLoader(_indexed(3), batch_size=None))
    assert [y.item() for _, y in samples] == [0, 1, 2]
    assert len(DataLoader(_indexed(3), batch_size=None)) == 3


def test_batch_keeps_the_graph_when_data_requires_grad():
    X = cr.randn(6, 2, requires_grad=True)
    ds = TensorDataset(X, cr.arange(6))
    xb, _ = next(iter(DataLoader(ds, batch_size=4)))
    xb.sum().backward()
    np.testing.assert_array_equal(X.grad.numpy(), np.r_[np.ones((4, 2)), np.zeros((2, 2))])


# --- generic map-style datasets and default_collate ---------------------------------------------


class Squares:
    """A plain map-style dataset: sample i is (array, int, float, tensor)."""

    def __init__(self, n):
        self.n = n
        self.calls = 0

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        self.calls += 1
        return np.full(2, i, dtype=np.float32), i, float(i * i), cr.tensor([i, -i])


def test_generic_dataset_collates_per_sample():
    ds = Squares(5)
    batches = list(DataLoader(ds, batch_size=2))
    assert ds.calls == 5 and len(batches) == 3
    arrays, ints, floats, tensors = batches[1]
    assert isinstance(arrays, cr.Tensor) and arrays.dtype == cr.float32
    np.testing.assert_array_equal(arrays.numpy(), [[2, 2], [3, 3]])
    assert ints.dtype == cr.int64 and ints.tolist() == [2, 3]
    assert floats.dtype == cr.float64 and floats.tolist() == [4.0, 9.0]
    assert tensors.tolist() == [[2, -2], [3, -3]]


def test_generic_dataset_shuffled_coverage():
    loader = DataLoader(Squares(23), 4, shuffle=True, generator=cr.Generator().manual_seed(0))
    seen = [i for _, ints, _, _ in loader for i in ints.tolist()]
    assert sorted(seen) == list(range(23)) and seen != list(range(23))


def test_default_collate_nested_and_dicts():
    batch = default_collate([{"x": (1, "a"), "y": True}, {"x": (2, "b"), "y": False}])
    assert batch["x"][0].tolist() == [1, 2] and batch["x"][1] == ["a", "b"]
    assert batch["y"].dtype == cr.bool and batch["y"].tolist() == [True, False]
    with pytest.raises(RuntimeError, match="equal size"):
        default_collate([(1, 2), (3,)])
    with pytest.raises(TypeError, match="object"):
        default_collate([object()])


def test_custom_collate_fn_is_used():
    loader = DataLoader(_indexed(5), 2, collate_fn=lambda samples: len(samples))
    assert list(loader) == [2, 2, 1]


# --- Subset ------------------------------------------------------------------------------------


def test_subset_indexing_and_batched_loading():
    sub = Subset(_indexed(10), [7, 2, 9])
    assert len(sub) == 3 and sub[0][1].item() == 7 and sub[-1][1].item() == 9
    assert sub[[2, 0]][1].tolist() == [9, 7]
    assert _epoch_indices(DataLoader(sub, 2)) == [[7, 2], [9]]


def test_subset_of_a_generic_dataset():
    sub = Subset(Squares(10), [4, 1])
    assert [ints.tolist() for _, ints, _, _ in DataLoader(sub, 2)] == [[4, 1]]


# --- PyTorch's whole DataLoader signature: samplers and the worker options ----------------


def _signature(fn):
    import inspect

    return [(p.name, p.kind, p.default) for p in inspect.signature(fn).parameters.values()]


def test_dataloader_signature_is_torchs():
    import torch.utils.data as td

    assert _signature(DataLoader.__init__) == _signature(td.DataLoader.__init__)
    assert _signature(default_collate) == _signature(td.default_collate)


def _batches_both(**kwargs):
    import torch
    import torch.utils.data as td

    X = np.arange(20.0).reshape(10, 2)
    y = np.arange(10)
    ours = DataLoader(TensorDataset(cr.tensor(X), cr.tensor(y)), **kwargs)
    theirs = td.DataLoader(td.TensorDataset(torch.tensor(X), torch.tensor(y)), **kwargs)
    got = [[b.data.tolist() for b in batch] for batch in ours]
    expected = [[b.tolist() for b in batch] for batch in theirs]
    assert len(ours) == len(theirs)
    return got, expected


@pytest.mark.parametrize("kwargs", [
    {"sampler": [9, 3, 3, 0, 5], "batch_size": 2},
    {"sampler": range(9, -1, -1), "batch_size": 4, "drop_last": True},
    {"batch_sampler": [[1, 2], [7], [0, 9, 4]]},
    {"batch_size": 3, "num_workers": 2, "prefetch_factor": 2,
     "persistent_workers": True, "timeout": 5},
])
def test_samplers_and_worker_options_give_torchs_batches(kwargs):
    got, expected = _batches_both(**kwargs)
    assert got == expected


@pytest.mark.parametrize("kwargs", [
    {"sampler": [0, 1], "shuffle": True},
    {"batch_sampler": [[0]], "batch_size": 2},
    {"batch_sampler": [[0]], "drop_last": True},
    {"num_workers": -1},
    {"timeout": -1},
    {"prefetch_factor": 2},
    {"persistent_workers": True},
])
def test_option_conflicts_are_torchs_errors(kwargs):
    import torch
    import torch.utils.data as td

    with pytest.raises(ValueError) as ours:
        DataLoader(TensorDataset(cr.zeros(4)), **kwargs)
    with pytest.raises(ValueError) as theirs:
        td.DataLoader(td.TensorDataset(torch.zeros(4)), **kwargs)
    assert str(ours.value) == str(theirs.value)
