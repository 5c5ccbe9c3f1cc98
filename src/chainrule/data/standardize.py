"""``Standardizer``: zero mean and unit variance per feature, like scikit-learn's StandardScaler.

Fit it on the training split only and transform every split with those statistics,
so no information from validation or test data leaks into training.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._arrays import check_features, check_fitted, float_array, like

__all__ = ["Standardizer"]


class Standardizer:
    """``(X - mean) / std`` per feature, with ``mean`` and ``std`` taken over axis 0 of the
    data given to ``fit``.

    ``std`` is the population standard deviation (``ddof=0``), as in scikit-learn. A
    feature that is constant in the training data (its variance indistinguishable
    from rounding error) gets ``std = 1``, so it is only centred, never divided by
    zero. Features are everything after the first axis: ``X`` of shape ``(n, d)``
    has ``d`` of them. Arrays give arrays and Tensors give Tensors (new leaves, no
    graph); float32 stays float32.

    Attributes after ``fit``: ``mean_``, ``var_``, ``scale_`` (float64, one entry per
    feature) and ``n_samples_seen_``.
    """

    def __init__(self) -> None:
        self.mean_: np.ndarray | None = None
        self.var_: np.ndarray | None = None
        self.scale_: np.ndarray | None = None
        self.n_samples_seen_: int | None = None

    def fit(self, X: Any, y: Any = None) -> Standardizer:
        """Learn each feature's mean and standard deviation from ``X``; returns self."""
        array = float_array("Standardizer.fit", X)
        n = array.shape[0]
        if n == 0:
            raise ValueError("Standardizer.fit: X has no samples (shape "
                             f"{array.shape}); at least one is needed")
        mean = np.mean(array, axis=0, dtype=np.float64)
        var = np.var(array, axis=0, dtype=np.float64)
        # Variance at the level of the two-pass algorithm's rounding error counts as zero
        # (the bound of Chan, Golub and LeVeque that scikit-learn uses).
        eps = np.finfo(np.float64).eps
        constant = var <= n * eps * var + (n * mean * eps) ** 2
        self.mean_ = np.asarray(mean)
        self.var_ = np.asarray(var)
        self.scale_ = np.where(constant, 1.0, np.sqrt(var))
        self.n_samples_seen_ = n
        return self

    def transform(self, X: Any) -> Any:
        """``(X - mean_) / scale_`` with the statistics learned by ``fit``."""
        check_fitted(self, "scale_")
        array = float_array("Standardizer.transform", X)
        check_features("Standardizer.transform", array, self.mean_.shape)
        out = array - self.mean_.astype(array.dtype)
        out /= self.scale_.astype(array.dtype)
        return like(out, X)

    def fit_transform(self, X: Any, y: Any = None) -> Any:
        """``fit(X)`` then ``transform(X)``."""
        return self.fit(X).transform(X)

    def inverse_transform(self, X: Any) -> Any:
        """Undo ``transform``: ``X * scale_ + mean_``."""
        check_fitted(self, "scale_")
        array = float_array("Standardizer.inverse_transform", X)
        check_features("Standardizer.inverse_transform", array, self.mean_.shape)
        out = array * self.scale_.astype(array.dtype)
        out += self.mean_.astype(array.dtype)
        return like(out, X)

    def __repr__(self) -> str:
        fitted = "not fitted" if self.scale_ is None else f"fitted on {self.n_samples_seen_}"
        return f"Standardizer({fitted})"
