"""Splitting data: ``random_split`` (PyTorch's) and ``split`` (arrays into train/val/test).

Both turn fractions into sizes with PyTorch's rule: each part gets
``floor(n * fraction)`` samples, then the samples left over are handed out one at
a time to the parts in turn, starting with the first.
"""

from __future__ import annotations

import math
import operator
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..random import Generator, numpy_generator
from ..tensor import Tensor
from .dataset import Subset, take_rows

__all__ = ["random_split", "split", "split_lengths"]


def split_lengths(n: int, lengths: Sequence[float]) -> list[int]:
    """The size of each part of ``n`` samples: ``lengths`` as integer sizes summing to ``n``,
    or as fractions summing to 1 (rounded by PyTorch's rule; see the module docstring)."""
    lengths = list(lengths)
    if not lengths:
        raise ValueError("lengths must name at least one part, got an empty sequence")
    total = sum(lengths)
    if math.isclose(total, 1) and total <= 1:
        return _fraction_sizes(n, lengths)
    sizes = []
    for i, length in enumerate(lengths):
        if isinstance(length, bool) or not hasattr(length, "__index__"):
            raise ValueError(
                f"lengths must be integer sizes summing to {n} or fractions summing to 1; "
                f"got {lengths} (sum {total})"
            )
        if length < 0:
            raise ValueError(f"lengths must not be negative, got {length} at index {i}")
        sizes.append(operator.index(length))
    if sum(sizes) != n:
        raise ValueError(
            f"Sum of input lengths does not equal the length of the input dataset! "
            f"({sum(sizes)} != {n})"
        )
    return sizes


def _fraction_sizes(n: int, fractions: list[float], stacklevel: int = 4) -> list[int]:
    """floor(n * fraction) each, then the remainder one by one to the parts in turn."""
    sizes = []
    for i, fraction in enumerate(fractions):
        if not 0 <= fraction <= 1:
            raise ValueError(f"Fraction at index {i} is not between 0 and 1 (got {fraction})")
        sizes.append(math.floor(n * fraction))
    for i in range(n - sum(sizes)):
        sizes[i % len(sizes)] += 1
    for i, size in enumerate(sizes):
        if size == 0:
            warnings.warn(
                f"Length of split at index {i} is 0. This might result in an empty dataset.",
                stacklevel=stacklevel,
            )
    return sizes


def _parts(order: np.ndarray, sizes: list[int]) -> list[np.ndarray]:
    bounds = np.cumsum([0, *sizes])
    return [order[start:stop] for start, stop in zip(bounds[:-1], bounds[1:])]


def random_split(dataset: Any, lengths: Sequence[float],
                 generator: Generator | None = None) -> list[Subset]:
    """Split ``dataset`` into non-overlapping random ``Subset``s of the given lengths.

    ``lengths`` are sizes summing to ``len(dataset)`` or fractions summing to 1
    (``[0.8, 0.2]``). The permutation is drawn from ``generator`` (the default
    generator if None), so a seeded generator gives the same split every time.
    """
    sizes = split_lengths(len(dataset), lengths)
    order = numpy_generator(generator).permutation(sum(sizes))
    return [Subset(dataset, part.tolist()) for part in _parts(order, sizes)]


def _rows(x: Any) -> Any:
    return x if isinstance(x, Tensor | np.ndarray) else np.asarray(x)


def split(
    X: Any,
    y: Any,
    fractions: Sequence[float] = (0.8, 0.1, 0.1),
    seed: int | Generator | None = None,
    shuffle: bool = True,
) -> tuple[tuple[Any, Any], tuple[Any, Any], tuple[Any, Any]]:
    """Split ``(X, y)`` into ``(X_train, y_train), (X_val, y_val), (X_test, y_test)``.

    The three parts are disjoint and together hold every row once; their sizes come
    from ``fractions`` (three fractions summing to 1) by PyTorch's rounding rule.
    With ``shuffle=True`` the rows are permuted first, by a generator seeded with
    ``seed`` (an int, a ``chainrule.Generator``, or None for the default generator);
    with ``shuffle=False`` the parts are consecutive blocks in the original order.
    Tensors give Tensors and NumPy arrays give arrays (lists become arrays).
    """
    X, y = _rows(X), _rows(y)
    if X.ndim == 0 or y.ndim == 0 or len(X) != len(y):
        raise ValueError(
            f"split: X and y need the same number of rows, got shapes {tuple(X.shape)} "
            f"and {tuple(y.shape)}"
        )
    fractions = list(fractions)
    if len(fractions) != 3 or not math.isclose(sum(fractions), 1):
        raise ValueError(
            f"split: fractions must be three numbers (train, val, test) summing to 1, "
            f"got {fractions}"
        )
    sizes = _fraction_sizes(len(X), fractions, stacklevel=3)
    if shuffle:
        if seed is None or isinstance(seed, Generator):
            rng = numpy_generator(seed)
        else:
            rng = numpy_generator(Generator().manual_seed(seed))
        order = rng.permutation(len(X))
    else:
        order = np.arange(len(X))
    train, val, test = (
        (take_rows(X, part), take_rows(y, part)) for part in _parts(order, sizes)
    )
    return train, val, test
