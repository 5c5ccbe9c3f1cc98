"""``DataLoader``: minibatches from a map-style dataset, as ``torch.utils.data.DataLoader``.

Each pass (``for batch in loader``) visits every index exactly once: in order, or
in a fresh random permutation drawn from ``generator`` when ``shuffle=True``. A
``TensorDataset`` (or a ``Subset`` of one) is batched with a single integer-array
index per tensor; any other dataset is read one sample at a time and the samples
are stacked by ``default_collate``.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from ..ops.join import stack
from ..random import Generator, numpy_generator
from ..tensor import Tensor

__all__ = ["DataLoader", "default_collate"]


def default_collate(samples: Sequence[Any]) -> Any:
    """Stack a list of samples into one batch, following PyTorch's default collate.

    Tensors and NumPy arrays are stacked along a new first dimension into a Tensor;
    Python floats give a float64 Tensor, ints an int64 one, bools a bool one (as in
    PyTorch); NumPy scalars keep their dtype; strings stay a list. Tuples and lists
    are collated position by position (giving a tuple), dicts key by key.
    """
    if not samples:
        raise ValueError("default_collate: cannot collate an empty list of samples")
    first = samples[0]
    if isinstance(first, Tensor):
        if any(s.requires_grad for s in samples):
            return stack(list(samples))
        return Tensor._make(np.stack([s.data for s in samples]))
    if isinstance(first, np.ndarray | np.generic):
        return Tensor._make(np.stack(samples))
    if isinstance(first, bool):
        return Tensor._make(np.array(samples, dtype=np.bool_))
    if isinstance(first, int):
        return Tensor._make(np.array(samples, dtype=np.int64))
    if isinstance(first, float):
        return Tensor._make(np.array(samples, dtype=np.float64))
    if isinstance(first, str | bytes):
        return list(samples)
    if isinstance(first, Mapping):
        return {key: default_collate([s[key] for s in samples]) for key in first}
    if isinstance(first, Sequence):
        size = len(first)
        if any(len(s) != size for s in samples):
            raise RuntimeError("each element in list of batch should be of equal size")
        return tuple(default_collate(list(column)) for column in zip(*samples))
    raise TypeError(
        "default_collate: samples must contain Tensors, NumPy arrays, numbers, strings, "
        f"dicts or lists; found {type(first).__name__}"
    )


class DataLoader:
    """Iterate over ``dataset`` in minibatches of ``batch_size`` samples.

    Args:
        dataset: a map-style dataset (anything with ``__len__`` and ``__getitem__``),
            such as a ``TensorDataset``.
        batch_size: samples per batch; None yields single samples without collating.
        shuffle: visit the samples in a new random order each epoch.
        drop_last: leave out the last batch when it would be smaller than ``batch_size``.
        generator: the ``chainrule.Generator`` that draws the orders (the default
            generator if None). A generator seeded the same way gives the same
            sequence of epochs.
        collate_fn: turns a list of samples into a batch (``default_collate`` by
            default); when given, it is used for every dataset.

    A batch from a ``TensorDataset(X, y)`` is the tuple ``(X[idx], y[idx])`` of Tensors
    for that batch's indices ``idx``. ``len(loader)`` is the number of batches.
    """

    def __init__(
        self,
        dataset: Any,
        batch_size: int | None = 1,
        shuffle: bool = False,
        *,
        drop_last: bool = False,
        generator: Generator | None = None,
        collate_fn: Callable[[list], Any] | None = None,
    ) -> None:
        if not (hasattr(dataset, "__len__") and hasattr(dataset, "__getitem__")):
            raise TypeError(
                "DataLoader: dataset must be map-style (define __len__ and __getitem__), "
                f"got {type(dataset).__name__}"
            )
        if batch_size is not None:
            if isinstance(batch_size, bool) or not hasattr(batch_size, "__index__") or (
                operator.index(batch_size) <= 0
            ):
                raise ValueError(
                    "batch_size should be a positive integer value, "
                    f"but got batch_size={batch_size}"
                )
            batch_size = operator.index(batch_size)
        elif drop_last:
            raise ValueError(
                "batch_size=None option disables auto-batching and is mutually exclusive "
                "with drop_last"
            )
        if not isinstance(shuffle, bool):
            raise TypeError(f"DataLoader: shuffle must be a bool, got {type(shuffle).__name__}")
        numpy_generator(generator)  # checks its type now rather than at the first epoch
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.drop_last = bool(drop_last)
        self.generator = generator
        self.collate_fn = collate_fn

    def _order(self) -> np.ndarray:
        n = len(self.dataset)
        if self.shuffle:
            return numpy_generator(self.generator).permutation(n)
        return np.arange(n)

    def __iter__(self) -> Iterator[Any]:
        order = self._order()
        dataset = self.dataset
        if self.batch_size is None:
            for i in order.tolist():
                yield dataset[i]
            return
        fetch = None if self.collate_fn is not None else getattr(dataset, "_batch", None)
        collate = self.collate_fn or default_collate
        size = self.batch_size
        stop = len(order) - len(order) % size if self.drop_last else len(order)
        for start in range(0, stop, size):
            indices = order[start:start + size]
            if fetch is not None:
                yield fetch(indices)
            else:
                yield collate([dataset[i] for i in indices.tolist()])

    def __len__(self) -> int:
        n = len(self.dataset)
        if self.batch_size is None:
            return n
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def __repr__(self) -> str:
        return (
            f"DataLoader(dataset={self.dataset!r}, batch_size={self.batch_size}, "
            f"shuffle={self.shuffle}, drop_last={self.drop_last})"
        )
