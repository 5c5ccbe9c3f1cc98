"""Turning what ``fit``/``evaluate``/``predict`` are given into batches of Tensors.

- an ``(X, y)`` pair of Tensors or NumPy arrays (what ``cr.data.split`` returns)
  becomes ``DataLoader(TensorDataset(X, y), batch_size, shuffle, generator=...)``.
  NumPy float arrays are cast to the model's floating dtype (float32 unless the model
  is ``.double()``), as Keras casts NumPy inputs to its float type, so
  ``make_moons``'s float64 arrays train a float32 model; Tensors are used as they are;
- a dataset (``__len__`` and ``__getitem__``) is wrapped in a ``DataLoader``;
- a ``DataLoader``, or any other re-iterable of ``(inputs, targets)`` batches (a list
  of pairs), is used as it is: its own batch size and order apply.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

from ..backend import DEFAULT_FLOAT
from ..data.dataset import TensorDataset
from ..data.loader import DataLoader
from ..random import Generator
from ..tensor import Tensor, to_array

__all__ = ["model_dtype", "make_loader", "pairs", "count_steps"]


def model_dtype(model: Any) -> np.dtype:
    """The dtype of the model's first floating-point parameter (the default float if none)."""
    parameters = getattr(model, "parameters", None)
    for p in parameters() if parameters is not None else ():
        if p.data.dtype.kind == "f":
            return p.data.dtype
    return DEFAULT_FLOAT


def as_tensor(value: Any, dtype: np.dtype) -> Any:
    """A Tensor as is; an array (or list) as a Tensor, floating ones cast to ``dtype``."""
    if isinstance(value, Tensor):
        return value
    if isinstance(value, np.ndarray | np.generic | list):
        array = to_array(value, copy=False) if isinstance(value, list) else np.asarray(value)
        if array.dtype.kind == "f" and array.dtype != dtype:
            array = array.astype(dtype)
        return Tensor._make(array)
    return value


def _is_pair(data: Any) -> bool:
    return (
        isinstance(data, tuple | list)
        and len(data) == 2
        and all(isinstance(part, Tensor | np.ndarray) for part in data)
    )


def make_loader(data: Any, batch_size: int, shuffle: bool, generator: Generator | None,
                dtype: np.dtype, where: str) -> Iterable[Any]:
    """Something to iterate once per epoch, giving ``(inputs, targets)`` batches."""
    if isinstance(data, DataLoader):
        return data
    if _is_pair(data):
        X, y = (as_tensor(part, dtype) for part in data)
        if X.ndim == 0 or y.ndim == 0 or X.shape[0] != y.shape[0]:
            raise ValueError(
                f"{where}: X and y must have the same number of rows, got X of shape "
                f"{tuple(X.shape)} and y of shape {tuple(y.shape)}"
            )
        return DataLoader(TensorDataset(X, y), batch_size, shuffle=shuffle, generator=generator)
    if hasattr(data, "__len__") and hasattr(data, "__getitem__") and not isinstance(
        data, tuple | list
    ):
        return DataLoader(data, batch_size, shuffle=shuffle, generator=generator)
    if isinstance(data, Iterable) and iter(data) is not data:
        return data
    raise TypeError(
        f"{where}: expected an (X, y) pair of Tensors or arrays, a dataset, a DataLoader "
        f"or a list of (inputs, targets) batches, got {type(data).__name__}"
        + (" (a one-shot iterator cannot be replayed each epoch)" if isinstance(data, Iterator)
           else "")
    )


def count_steps(loader: Iterable[Any]) -> int | None:
    """Batches per pass, if the loader knows it."""
    try:
        return len(loader)  # type: ignore[arg-type]
    except TypeError:
        return None


def pairs(loader: Iterable[Any], dtype: np.dtype, where: str) -> Iterator[tuple[Any, Any]]:
    """Each batch of ``loader`` as an ``(inputs, targets)`` pair of Tensors."""
    for batch in loader:
        if not (isinstance(batch, tuple | list) and len(batch) == 2):
            got = f"{len(batch)} items" if isinstance(batch, tuple | list) else type(
                batch).__name__
            raise TypeError(f"{where}: each batch must be an (inputs, targets) pair, got {got}")
        yield as_tensor(batch[0], dtype), as_tensor(batch[1], dtype)


def batch_size_of(targets: Any) -> int:
    """Samples in a batch: the first dimension of its targets (1 for a 0-d target)."""
    shape = getattr(targets, "shape", ())
    return int(shape[0]) if len(shape) else 1
