"""The standard normal distribution's CDF and its inverse (the quantile function), in NumPy.

NumPy has neither. The CDF is the engine's (GELU needs it too, accurate to ~1e-15
relative even far in the tails). The inverse starts from Acklam's rational
approximation (relative error below 1.2e-9) and takes one Halley step on
``Phi(x) - p``, which (the step being cubically convergent) brings it to the
accuracy of the CDF itself.
"""

from __future__ import annotations

import numpy as np

from ..ops.activations import _normal_cdf_pdf

# Acklam's coefficients: a/b for the central region, c/d for the tails.
_A = (-3.969683028665376e01, 2.209460984245205e02, -2.759285104469687e02,
      1.383577518672690e02, -3.066479806614716e01, 2.506628277459239e00)
_B = (-5.447609879822406e01, 1.615858368580409e02, -1.556989798598866e02,
      6.680131188771972e01, -1.328068155288572e01, 1.0)
_C = (-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e00,
      -2.549732539343734e00, 4.374664141464968e00, 2.938163982698783e00)
_D = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e00,
      3.754408661907416e00, 1.0)
_P_LOW = 0.02425


def _horner(coeffs: tuple[float, ...], x: np.ndarray) -> np.ndarray:
    out = np.full_like(x, coeffs[0])
    for c in coeffs[1:]:
        out *= x
        out += c
    return out


def normal_cdf(x: np.ndarray) -> np.ndarray:
    """Phi(x), the standard normal CDF, of a float64 array."""
    x = np.asarray(x, dtype=np.float64)
    cdf, _ = _normal_cdf_pdf(x)
    return cdf.reshape(x.shape)


def normal_ppf(p: np.ndarray) -> np.ndarray:
    """The x with Phi(x) = p, for p in [0, 1] (-inf at 0, inf at 1, NaN outside or for NaN).

    Computed on the lower half (p <= 1/2) and mirrored, ``x(p) = -x(1 - p)``, as
    SciPy's ``ndtri`` does.
    """
    p = np.asarray(p, dtype=np.float64)
    lower = np.minimum(p, 1 - p)  # NaN stays NaN
    inside = lower > 0
    q = np.where(inside, lower, 0.25)  # placeholder keeps the formulas finite
    # Acklam's first guess: the tail formula below _P_LOW, the central one above.
    t = np.sqrt(-2 * np.log(q))
    tail = _horner(_C, t) / _horner(_D, t)
    c = q - 0.5
    r = c * c
    central = c * _horner(_A, r) / _horner(_B, r)
    x = np.where(q < _P_LOW, tail, central)
    # One Halley step: u = (Phi(x) - q) / phi(x), x <- x - u / (1 + x u / 2).
    cdf, pdf = _normal_cdf_pdf(x)
    u = (cdf.reshape(x.shape) - q) / pdf.reshape(x.shape)
    x = x - u / (1 + 0.5 * x * u)
    x = np.where(p > 0.5, -x, x)
    x = np.where(inside, x, np.where(lower == 0, np.where(p == 0, -np.inf, np.inf), np.nan))
    return np.where((p < 0) | (p > 1), np.nan, x)
