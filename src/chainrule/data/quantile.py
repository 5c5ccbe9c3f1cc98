"""``QuantileNormalizer``: map each feature through its empirical CDF, like scikit-learn's
QuantileTransformer.

``fit`` records ``n_quantiles`` quantiles of each feature (at evenly spaced
probabilities ``references_``); ``transform`` interpolates a value's probability
between them, giving a uniform distribution on [0, 1], or, with
``output_distribution="normal"``, that probability pushed through the normal
quantile function, giving a standard normal one. Values outside the training range
are clipped to its ends.
"""

from __future__ import annotations

import operator
from typing import Any

import numpy as np

from ._arrays import check_features, check_fitted, float_array, like
from ._normal import normal_cdf, normal_ppf

__all__ = ["QuantileNormalizer"]

# scikit-learn's margin: probabilities within this of 0 or 1 are clipped, so the normal
# output stays finite (about +-5.2) and inverse_transform can undo it.
_BOUNDS = 1e-7
_MARGIN = _BOUNDS - np.spacing(1)
_CLIP_LOW, _CLIP_HIGH = normal_ppf(np.array([_MARGIN, 1 - _MARGIN]))


def _is_int(value: Any) -> bool:
    return not isinstance(value, bool) and hasattr(value, "__index__")


class QuantileNormalizer:
    """Transform each feature to a uniform or standard normal distribution by its quantiles.

    Args:
        n_quantiles: how many quantiles to record per feature (at most the number of
            training samples: fewer samples lower it to that number, without a warning).
        output_distribution: ``"uniform"`` (values in [0, 1]) or ``"normal"``.

    The result equals scikit-learn's ``QuantileTransformer`` with the same settings
    whenever it does not subsample (``subsample`` >= the number of samples; 10,000 by
    default there): all training rows are used here. Ties in the training data map to
    the middle of their probability range, as there. NaNs are ignored by ``fit`` and
    kept by ``transform``. Works on 2-D data ``(n_samples, n_features)`` (1-D data is
    one feature); arrays give arrays and Tensors give Tensors.

    Attributes after ``fit``: ``quantiles_`` (``(n_quantiles_, n_features)``, float64),
    ``references_`` (the probabilities) and ``n_quantiles_``.
    """

    def __init__(self, n_quantiles: int = 1000, output_distribution: str = "uniform") -> None:
        if not _is_int(n_quantiles) or n_quantiles < 1:
            raise ValueError(f"n_quantiles must be a positive integer, got {n_quantiles!r}")
        if output_distribution not in ("uniform", "normal"):
            raise ValueError(
                "output_distribution must be 'uniform' or 'normal', "
                f"got {output_distribution!r}"
            )
        self.n_quantiles = operator.index(n_quantiles)
        self.output_distribution = output_distribution
        self.quantiles_: np.ndarray | None = None
        self.references_: np.ndarray | None = None
        self.n_quantiles_: int | None = None

    def _array(self, name: str, X: Any) -> np.ndarray:
        array = float_array(f"QuantileNormalizer.{name}", X)
        if array.ndim > 2:
            raise ValueError(
                f"QuantileNormalizer.{name}: expected 1-D or 2-D data (n_samples, n_features), "
                f"got shape {array.shape}"
            )
        return array

    def fit(self, X: Any, y: Any = None) -> QuantileNormalizer:
        """Record the quantiles of each feature of ``X``; returns self."""
        array = self._array("fit", X)
        n = array.shape[0]
        if n == 0:
            raise ValueError("QuantileNormalizer.fit: X has no samples; at least one is needed")
        self.n_quantiles_ = min(self.n_quantiles, n)
        self.references_ = np.linspace(0, 1, self.n_quantiles_)
        columns = array.reshape(n, -1).astype(np.float64, copy=False)
        quantiles = np.nanpercentile(columns, self.references_ * 100, axis=0)
        # Percentiles of sorted data rise, but rounding may break that by an ulp: restore it.
        self.quantiles_ = np.maximum.accumulate(quantiles, axis=0)
        self._sample_shape = array.shape[1:]
        return self

    def transform(self, X: Any) -> Any:
        """Each value's probability under its feature's training distribution (then mapped
        to the normal distribution if asked)."""
        return self._apply("transform", X, inverse=False)

    def fit_transform(self, X: Any, y: Any = None) -> Any:
        """``fit(X)`` then ``transform(X)``."""
        return self.fit(X).transform(X)

    def inverse_transform(self, X: Any) -> Any:
        """Map transformed values back to the original scale (exact up to the interpolation)."""
        return self._apply("inverse_transform", X, inverse=True)

    def _apply(self, name: str, X: Any, inverse: bool) -> Any:
        check_fitted(self, "quantiles_")
        array = self._array(name, X)
        check_features(f"QuantileNormalizer.{name}", array, self._sample_shape)
        columns = array.reshape(array.shape[0], -1).astype(np.float64)
        out = np.empty_like(columns)
        for j in range(columns.shape[1]):
            column, quantiles = columns[:, j], self.quantiles_[:, j]
            transform_column = self._inverse if inverse else self._forward
            out[:, j] = transform_column(column, quantiles)
        return like(out.reshape(array.shape).astype(array.dtype, copy=False), X)

    def _forward(self, x: np.ndarray, quantiles: np.ndarray) -> np.ndarray:
        refs = self.references_
        # The mean of interpolating upwards and downwards puts a run of tied quantiles
        # at the middle of its probabilities rather than at one end.
        p = 0.5 * (np.interp(x, quantiles, refs) - np.interp(-x, -quantiles[::-1], -refs[::-1]))
        with np.errstate(invalid="ignore"):
            if self.output_distribution == "normal":
                p[x + _BOUNDS > quantiles[-1]] = 1
                p[x - _BOUNDS < quantiles[0]] = 0  # last: a constant feature maps to 0
                return np.clip(normal_ppf(p), _CLIP_LOW, _CLIP_HIGH)
            p[x == quantiles[-1]] = 1
            p[x == quantiles[0]] = 0
        return p

    def _inverse(self, x: np.ndarray, quantiles: np.ndarray) -> np.ndarray:
        if self.output_distribution == "normal":
            x = normal_cdf(x)
        out = np.interp(x, self.references_, quantiles)
        with np.errstate(invalid="ignore"):
            if self.output_distribution == "normal":
                out[x + _BOUNDS > 1] = quantiles[-1]
                out[x - _BOUNDS < 0] = quantiles[0]
            else:
                out[x == 1] = quantiles[-1]
                out[x == 0] = quantiles[0]
        return out

    def __repr__(self) -> str:
        return (
            f"QuantileNormalizer(n_quantiles={self.n_quantiles}, "
            f"output_distribution={self.output_distribution!r})"
        )
