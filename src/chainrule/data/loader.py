"""``DataLoader``: minibatches from a map-style dataset, as ``torch.utils.data.DataLoader``.

Each pass (``for batch in loader``) visits every index exactly once: in order, or
in a fresh random permutation drawn from ``generator`` when ``shuffle=True``. A
``TensorDataset`` (or a ``Subset`` of one) is batched with a single integer-array
index per tensor; any other dataset is read one sample at a time and the samples
are stacked by ``default_collate``.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from ..ops.join import stack
from ..random import Generator, numpy_generator
from ..tensor import Tensor

__all__ = ["DataLoader", "default_collate"]


def default_collate(batch: Sequence[Any]) -> Any:
    """Stack a list of samples into one batch, following PyTorch's default collate.

    Tensors and NumPy arrays are stacked along a new first dimension into a Tensor;
    Python floats give a float64 Tensor, ints an int64 one, bools a bool one (as in
    PyTorch); NumPy scalars keep their dtype; strings stay a list. Tuples and lists
    are collated position by position (giving a tuple), dicts key by key.
    """
    samples = batch
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
        sampler: an iterable of indices giving the order instead (not with ``shuffle``).
        batch_sampler: an iterable of lists of indices, one list per batch (not with
            ``batch_size``, ``shuffle``, ``sampler`` or ``drop_last``).
        collate_fn: turns a list of samples into a batch (``default_collate`` by
            default); when given, it is used for every dataset.
        drop_last: leave out the last batch when it would be smaller than ``batch_size``.
        generator: the ``chainrule.Generator`` that draws the orders (the default
            generator if None). A generator seeded the same way gives the same
            sequence of epochs.
        num_workers, pin_memory, timeout, worker_init_fn, multiprocessing_context,
        prefetch_factor, persistent_workers, pin_memory_device, in_order: PyTorch's
            worker and pinning options, checked as PyTorch checks them. chainrule builds
            every batch in this process (a NumPy batch is one fancy index), so they
            change nothing in what is produced.

    A batch from a ``TensorDataset(X, y)`` is the tuple ``(X[idx], y[idx])`` of Tensors
    for that batch's indices ``idx``. ``len(loader)`` is the number of batches.
    """

    def __init__(
        self,
        dataset: Any,
        batch_size: int | None = 1,
        shuffle: bool | None = None,
        sampler: Iterable[int] | None = None,
        batch_sampler: Iterable[Sequence[int]] | None = None,
        num_workers: int = 0,
        collate_fn: Callable[[list], Any] | None = None,
        pin_memory: bool = False,
        drop_last: bool = False,
        timeout: float = 0,
        worker_init_fn: Callable[[int], None] | None = None,
        multiprocessing_context: Any = None,
        generator: Generator | None = None,
        *,
        prefetch_factor: int | None = None,
        persistent_workers: bool = False,
        pin_memory_device: str = "",
        in_order: bool = True,
    ) -> None:
        if not (hasattr(dataset, "__len__") and hasattr(dataset, "__getitem__")):
            raise TypeError(
                "DataLoader: dataset must be map-style (define __len__ and __getitem__), "
                f"got {type(dataset).__name__}"
            )
        _check_worker_options(num_workers, timeout, prefetch_factor, persistent_workers)
        shuffle = False if shuffle is None else shuffle
        if not isinstance(shuffle, bool):
            raise TypeError(f"DataLoader: shuffle must be a bool, got {type(shuffle).__name__}")
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError(
                    "batch_sampler option is mutually exclusive with batch_size, shuffle, "
                    "sampler, and drop_last"
                )
            batch_size = None
        elif batch_size is not None:
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
        numpy_generator(generator)  # checks its type now rather than at the first epoch
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.drop_last = bool(drop_last)
        self.generator = generator
        self.collate_fn = collate_fn
        self.num_workers = num_workers
        self.pin_memory = pin_memory
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.prefetch_factor = prefetch_factor
        self.persistent_workers = persistent_workers
        self.pin_memory_device = pin_memory_device
        self.in_order = in_order

    def _order(self) -> np.ndarray:
        if self.sampler is not None:
            return np.fromiter(iter(self.sampler), dtype=np.int64)
        n = len(self.dataset)
        if self.shuffle:
            return numpy_generator(self.generator).permutation(n)
        return np.arange(n)

    def _batcher(self) -> Callable[[np.ndarray], Any]:
        """Indices -> a batch: one fancy index per tensor for a TensorDataset (without a
        ``collate_fn``), else the samples read one by one and collated."""
        fetch = None if self.collate_fn is not None else getattr(self.dataset, "_batch", None)
        if fetch is not None:
            return fetch
        collate, dataset = self.collate_fn or default_collate, self.dataset
        return lambda indices: collate([dataset[i] for i in indices.tolist()])

    def __iter__(self) -> Iterator[Any]:
        if self.batch_sampler is not None:
            batch = self._batcher()
            for indices in self.batch_sampler:
                yield batch(np.asarray(list(indices), dtype=np.int64))
            return
        order = self._order()
        if self.batch_size is None:
            dataset = self.dataset
            for i in order.tolist():
                yield dataset[i]
            return
        batch = self._batcher()
        size = self.batch_size
        stop = len(order) - len(order) % size if self.drop_last else len(order)
        for start in range(0, stop, size):
            yield batch(order[start:start + size])

    def __len__(self) -> int:
        if self.batch_sampler is not None:
            return len(self.batch_sampler)
        n = len(self.sampler) if self.sampler is not None else len(self.dataset)
        if self.batch_size is None:
            return n
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)


def _check_worker_options(num_workers: int, timeout: float, prefetch_factor: int | None,
                          persistent_workers: bool) -> None:
    """PyTorch's checks of the worker options."""
    if num_workers < 0:
        raise ValueError(
            "num_workers option should be non-negative; use num_workers=0 to disable "
            "multiprocessing."
        )
    if timeout < 0:
        raise ValueError("timeout option should be non-negative")
    if num_workers == 0 and prefetch_factor is not None:
        raise ValueError(
            "prefetch_factor option could only be specified in multiprocessing.let "
            "num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor to None."
        )
    if persistent_workers and num_workers == 0:
        raise ValueError("persistent_workers option needs num_workers > 0")
