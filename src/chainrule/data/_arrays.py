"""What the preprocessing transforms share: arrays or Tensors in, the same kind out, and
the checks that they were fitted and are given samples of the fitted shape."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..backend import DEFAULT_FLOAT, array_module, device_of, to_numpy
from ..tensor import Tensor


def float_array(name: str, X: Any) -> np.ndarray:
    """``X`` (a Tensor, an array or nested lists) as a floating NumPy array with a first dim.

    Floating arrays keep their dtype; integer ones become float64 (float32 for a
    Tensor, the default float dtype, as PyTorch would).
    """
    array = to_numpy(X.data) if isinstance(X, Tensor) else np.asarray(X)
    if array.dtype.kind not in "fiub":
        raise TypeError(f"{name}: expected numbers, got data of dtype {array.dtype}")
    if array.ndim == 0:
        raise ValueError(f"{name}: expected an array of samples (shape (n_samples, ...)), "
                         "got a scalar")
    if array.dtype.kind != "f":
        array = array.astype(DEFAULT_FLOAT if isinstance(X, Tensor) else np.float64)
    return array


def like(result: np.ndarray, X: Any) -> Any:
    """``result`` as a Tensor on ``X``'s device if ``X`` was one (a new leaf, no graph),
    else the array."""
    if not isinstance(X, Tensor):
        return result
    device = device_of(X.data)
    return Tensor._make(result if device == "cpu" else array_module(device).asarray(result))


class NotFittedError(ValueError, AttributeError):
    """A transform was used before ``fit`` (a ValueError, like scikit-learn's)."""


def check_fitted(transform: Any, attribute: str) -> None:
    """Raise ``NotFittedError`` unless ``transform`` has been fitted (has ``attribute``)."""
    if getattr(transform, attribute, None) is None:
        name = type(transform).__name__
        raise NotFittedError(
            f"This {name} is not fitted yet: call {name}.fit(X_train) (or fit_transform) "
            "before transform or inverse_transform"
        )


def check_features(name: str, array: np.ndarray, expected: tuple[int, ...]) -> None:
    """Raise ValueError unless the samples in ``array`` have the fitted feature shape."""
    if array.shape[1:] != expected:
        raise ValueError(
            f"{name}: X has samples of shape {array.shape[1:]} (X.shape = {array.shape}), "
            f"but the transform was fitted on samples of shape {expected}"
        )
