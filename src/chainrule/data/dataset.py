"""Map-style datasets: ``Dataset``, ``TensorDataset`` and ``Subset``, as in ``torch.utils.data``.

A map-style dataset is any object with ``__len__`` and ``__getitem__(i)``. The
classes here also answer ``_batch(indices)``: all rows of a batch at once, with one
integer-array index per tensor, which the ``DataLoader`` uses instead of fetching
and stacking one sample at a time.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..tensor import Tensor, to_array

__all__ = ["Dataset", "TensorDataset", "Subset"]


def take_rows(x: Any, index: Any) -> Any:
    """``x[index]`` along the first dimension, of the same kind as ``x``.

    A Tensor that needs no gradient is indexed on its array (no graph, no overhead);
    one that requires grad goes through ``Tensor.__getitem__`` so the graph is kept.
    """
    if isinstance(x, Tensor):
        if x.requires_grad:
            return x[index]
        return Tensor._make(x.data[index])
    return x[index]


class Dataset:
    """The base of map-style datasets: subclasses define ``__getitem__`` and ``__len__``."""

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must define __len__")


class TensorDataset(Dataset):
    """Samples made of rows of tensors that share their first dimension.

    ``TensorDataset(X, y)[i]`` is ``(X[i], y[i])``; an integer array or list index
    gives the batch of those rows. NumPy arrays are accepted too and wrapped as
    Tensors (without a copy).
    """

    def __init__(self, *tensors: Any) -> None:
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor, got none")
        wrapped = []
        for position, t in enumerate(tensors):
            if not isinstance(t, Tensor):
                if not hasattr(t, "shape"):
                    raise TypeError(
                        f"TensorDataset: argument {position} must be a Tensor or an array, "
                        f"not {type(t).__name__}"
                    )
                t = Tensor._make(to_array(t, copy=False))
            if t.ndim == 0:
                raise ValueError(
                    f"TensorDataset: argument {position} is a 0-d tensor; every tensor needs "
                    "a first dimension to index samples along"
                )
            wrapped.append(t)
        sizes = [t.shape[0] for t in wrapped]
        if any(size != sizes[0] for size in sizes):
            shapes = ", ".join(str(tuple(t.shape)) for t in wrapped)
            raise ValueError(
                "Size mismatch between tensors: TensorDataset needs the same first dimension "
                f"for every tensor, got sizes {sizes} (shapes {shapes})"
            )
        self.tensors: tuple[Tensor, ...] = tuple(wrapped)

    def __getitem__(self, index: Any) -> tuple[Tensor, ...]:
        return tuple(take_rows(t, index) for t in self.tensors)

    def _batch(self, indices: np.ndarray) -> tuple[Tensor, ...]:
        return tuple(take_rows(t, indices) for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].shape[0]

    def __repr__(self) -> str:
        shapes = ", ".join(str(tuple(t.shape)) for t in self.tensors)
        return f"TensorDataset({shapes})"


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order (``random_split`` returns these).

    Attributes ``dataset`` and ``indices`` as in PyTorch.
    """

    def __init__(self, dataset: Any, indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = indices
        self._positions = np.asarray(indices, dtype=np.int64).reshape(-1)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, list | np.ndarray | Tensor):
            chosen = self._positions[np.asarray(index, dtype=np.int64)]
            if hasattr(self.dataset, "_batch"):
                return self.dataset._batch(chosen)
            return self.dataset[chosen.tolist()]
        return self.dataset[int(self._positions[operator.index(index)])]

    @property
    def _batch(self) -> Any:
        """The underlying dataset's batched fetch through ``indices`` (absent if it has none)."""
        inner = getattr(self.dataset, "_batch", None)
        if inner is None:
            raise AttributeError(f"{type(self.dataset).__name__} has no batched fetch")
        positions = self._positions
        return lambda indices: inner(positions[indices])

    def __len__(self) -> int:
        return len(self._positions)

    def __repr__(self) -> str:
        return f"Subset(len={len(self)}, dataset={self.dataset!r})"
