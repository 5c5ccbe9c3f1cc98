"""The numbers of makemore part 3, one function each, on plain arrays.

Every statistic is computed in float64 on a NumPy copy of the values (a CuPy
array is copied to the host first). Standard deviations are unbiased
(``ddof=1``), as ``torch.Tensor.std`` computes them in the lecture.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..backend import to_numpy
from ..tensor import Tensor

__all__ = [
    "describe",
    "std",
    "saturated_fraction",
    "dead_fraction",
    "update_to_data_ratio",
]


def _host(values: Any) -> np.ndarray:
    """A NumPy array of a Tensor's, a NumPy or CuPy array's, or a sequence's values."""
    if isinstance(values, Tensor):
        values = values.data
    return to_numpy(values)


def std(values: Any) -> float:
    """The unbiased standard deviation (``torch.std``); NaN for fewer than two values."""
    array = _host(values)
    if array.size < 2:
        return math.nan
    return float(array.std(dtype=np.float64, ddof=1))


def describe(values: Any, bins: int = 50) -> dict[str, Any]:
    """``{"mean", "std", "histogram": (counts, edges)}`` of every element of ``values``.

    ``counts`` holds how many values fall in each of ``bins`` equal bins spanning
    the values' range, ``edges`` the ``bins + 1`` bin boundaries (``np.histogram``).
    """
    array = _host(values)
    counts, edges = np.histogram(array, bins=bins)
    return {
        "mean": float(array.mean(dtype=np.float64)) if array.size else math.nan,
        "std": std(array),
        "histogram": (counts, edges),
    }


def _normalised(values: Any, low: float, high: float) -> np.ndarray:
    """Map the range [low, high] of a bounded activation onto [-1, 1]."""
    array = _host(values).astype(np.float64)
    return (2 * array - (high + low)) / (high - low)


def saturated_fraction(values: Any, low: float, high: float, threshold: float = 0.97) -> float:
    """The fraction of outputs of an activation bounded by ``[low, high]`` within
    ``(1 - threshold)`` of either bound, relative to half the range.

    For tanh (bounds -1, 1) this is makemore's ``(t.abs() > 0.97).float().mean()``:
    where the local gradient ``1 - t**2`` is nearly zero and backpropagation stalls.
    """
    array = _normalised(values, low, high)
    if array.size == 0:
        return math.nan
    return float(np.count_nonzero(np.abs(array) > threshold) / array.size)


def _units(array: np.ndarray) -> np.ndarray:
    """Rows are examples, columns are units: every axis but the last is batch."""
    return array.reshape(-1, array.shape[-1]) if array.ndim else array.reshape(1, 1)


def dead_fraction(
    values: Any,
    low: float | None = None,
    high: float | None = None,
    threshold: float = 0.97,
) -> float:
    """The fraction of units (the last axis) whose gradient is zero for every example.

    Without bounds (ReLU): units that output ``<= 0`` for every example of the
    batch, i.e. never active. With bounds (tanh, sigmoid): units saturated (as in
    ``saturated_fraction``) for every example, makemore's white columns.
    """
    array = _units(_host(values))
    if array.size == 0:
        return math.nan
    if low is None or high is None:
        inactive = array <= 0
    else:
        inactive = np.abs(_normalised(array, low, high)) > threshold
    return float(inactive.all(axis=0).mean())


def update_to_data_ratio(lr: float, grad: Any, param: Any) -> float:
    """``std(lr * grad) / std(param)``: how large an SGD step is next to the weights.

    makemore part 3 plots its log10 and wants it near -3 (updates about a
    thousandth of the data). Infinite when the parameter is constant, zero when
    the gradient is.
    """
    spread = std(param)
    step = abs(float(lr)) * std(grad)
    if spread == 0:
        return math.inf if step > 0 else math.nan
    return step / spread
