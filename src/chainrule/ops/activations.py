"""Activation functions: leaky_relu elu selu gelu softplus silu hardtanh relu6 logsigmoid.

Each is one ``Function`` whose backward is the closed-form derivative. Every form is
safe at any magnitude: exponentials see ``-|x|`` or an input clipped to <= 0, except
in ``1 / (1 + e**-x)``, whose overflow to inf gives the exact limit 0. Masks are
avoided where max/min or plain arithmetic say the same thing exactly (``np.where``
costs more than an exp).
(``relu``, ``sigmoid`` and ``tanh`` live in ``elementwise``; ``softmax`` and
``log_softmax`` in ``fused``.)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..function import Function
from ..tensor import Tensor
from .elementwise import _not_tensor

__all__ = [
    "leaky_relu", "elu", "selu", "gelu", "softplus", "silu", "hardtanh", "relu6", "logsigmoid",
]

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def _float_input(op: str, input: Any) -> None:
    """PyTorch computes activations of floating point tensors only."""
    if not isinstance(input, Tensor):
        raise _not_tensor(op, "input", input)
    if input.data.dtype.kind != "f":
        raise NotImplementedError(
            f"{op}: not implemented for {input.data.dtype} tensors "
            "(expected a floating point tensor; convert with .float())"
        )


def _sigmoid(x: np.ndarray) -> np.ndarray:
    """1 / (1 + e**-x): where e**-x overflows to inf the result is the exact limit, 0."""
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-x))


# --- piecewise linear ---------------------------------------------------------------------


class LeakyRelu(Function):
    """out = x if x > 0 else slope * x;  d/dx = 1 if x > 0 else slope (slope at 0)."""

    @staticmethod
    def forward(ctx, x, slope):
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(x > 0)
            ctx.slope = slope
        # max(x, slope x) picks x for x > 0 and slope x below when slope <= 1; min when > 1.
        return np.maximum(x, x * slope) if slope <= 1 else np.minimum(x, x * slope)

    @staticmethod
    def backward(ctx, grad):
        (positive,) = ctx.saved_tensors
        return np.where(positive, grad, grad * ctx.slope), None


class Hardtanh(Function):
    """out = min(max(x, lo), hi);  d/dx = 1 where lo < x < hi, else 0 (0 at lo and hi)."""

    @staticmethod
    def forward(ctx, x, lo, hi):
        if ctx.needs_input_grad[0]:  # a nan input is not outside: its gradient passes
            ctx.save_for_backward((x <= lo) | (x >= hi))
        return np.clip(x, lo, hi).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (outside,) = ctx.saved_tensors
        return np.where(outside, 0, grad), None, None


# --- exponential family -------------------------------------------------------------------


class Elu(Function):
    """out = scale * (x if x > 0 else alpha * (e**x - 1));
    d/dx = scale if x > 0 else scale * alpha * e**x (the second at 0)."""

    @staticmethod
    def forward(ctx, x, alpha, scale):
        negative = np.minimum(x, 0)  # expm1 of a clipped input: no overflow for large x
        out = np.maximum(x, 0) + alpha * np.expm1(negative)
        if scale != 1:
            out *= scale
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(x, negative)
            ctx.alpha, ctx.scale = alpha, scale
        return out

    @staticmethod
    def backward(ctx, grad):
        x, negative = ctx.saved_tensors
        # x <= 0 picks the exponential side, so a nan input passes ``scale``, as in PyTorch.
        slope = np.where(x <= 0, (ctx.scale * ctx.alpha) * np.exp(negative), ctx.scale)
        return grad * slope, None, None


class Softplus(Function):
    """out = log(1 + e**(beta x)) / beta, or x where beta x > threshold;
    d/dx = sigmoid(beta x), or 1 where beta x > threshold."""

    @staticmethod
    def forward(ctx, x, beta, threshold):
        bx = x * beta if beta != 1 else x
        linear = bx > threshold
        e = np.exp(-np.abs(bx))
        # log(1 + e**bx) = max(bx, 0) + log(1 + e**-|bx|): exact, and finite for any bx.
        smooth = np.maximum(bx, 0) + np.log1p(e)
        if beta != 1:
            smooth /= beta
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(np.where(linear, 1, _sigmoid(bx)))
        return np.where(linear, x, smooth)

    @staticmethod
    def backward(ctx, grad):
        (slope,) = ctx.saved_tensors
        return grad * slope, None, None


class Silu(Function):
    """out = x * sigmoid(x);  d/dx = s + x * s * (1 - s) with s = sigmoid(x)."""

    @staticmethod
    def forward(ctx, x):
        s = _sigmoid(x)
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(s * (1 + x * (1 - s)))
        return x * s

    @staticmethod
    def backward(ctx, grad):
        (slope,) = ctx.saved_tensors
        return grad * slope


class LogSigmoid(Function):
    """out = log(sigmoid(x)) = min(x, 0) - log(1 + e**-|x|);  d/dx = 1 - sigmoid(x)."""

    @staticmethod
    def forward(ctx, x):
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(_sigmoid(-x))
        return np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))

    @staticmethod
    def backward(ctx, grad):
        (slope,) = ctx.saved_tensors
        return grad * slope


# --- GELU ---------------------------------------------------------------------------------
#
# The exact GELU needs the normal CDF, Phi(x) = erfc(-x / sqrt 2) / 2, and NumPy has no
# erf. We write erfc(z) = e**(-z**2) * erfcx(z) for z = |x| / sqrt 2 >= 0: erfcx is smooth
# and slowly varying, so one polynomial in s = (A z - 3) / (z + 3), A = (zmax + 6) / zmax
# (which maps [0, zmax] onto [-1, 1]), fits it over the whole range where e**(-z**2) does
# not underflow. The coefficients interpolate erfcx (computed to 50 digits with mpmath) at
# 120 Chebyshev nodes in s, truncated and converted to powers of s. Relative error of
# erfcx: below 4e-15 in float64 (22 terms; 5e-16 for |x| < 7), below 1e-6 in float32
# (9 terms, evaluated in float32), so each dtype runs at its own speed. Phi(x) for x < 0
# is erfc / 2 itself, accurate far into the tail, where PyTorch's 1 + erf(x) cancels.
# (np.frompyfunc(math.erfc) would be exact too, but about 10x slower than this.)

_ERFCX_FIT = {
    np.dtype(np.float64): (27.3, (
        0.21386197205780305, -0.3419914333907818, 0.23919244806806592, -0.1323628685564892,
        0.05558002522165733, -0.01588273100152076, 0.0019324777723327374,
        0.0005730080310926565, -0.00026380756207776255, -9.107518518971505e-06,
        2.5537404567460712e-05, -7.089419741848299e-07, -2.7190699648039175e-06,
        5.489412641628638e-08, 3.2679560391034874e-07, 1.6195114062439332e-08,
        -4.0689271857074554e-08, -6.809354695872028e-09, 4.476156621363078e-09,
        1.4077650177972626e-09, -3.0994884212462266e-10, -1.445347889173418e-10,
    )),
    np.dtype(np.float32): (10.2, (
        0.2678001106525089, -0.3591932294349538, 0.22283357046282928, -0.10556481753305841,
        0.036472921635443564, -0.007986358756374472, 0.0004746702758464046,
        0.00026975442643739986, -5.59690247381219e-05,
    )),
}
_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)
_TANH_K = math.sqrt(2 / math.pi)
_TANH_C = 0.044715


def _normal_cdf_pdf(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(Phi(x), phi(x)): the standard normal CDF and density, flattened.

    Written in place: on large arrays each fresh temporary costs more than its arithmetic.
    """
    x = x.reshape(-1)  # a view; ufuncs on 0-d arrays would return scalars, not buffers
    zmax, coeffs = _ERFCX_FIT[x.dtype]
    z = np.abs(x)
    z *= _SQRT_HALF
    s = np.minimum(z, zmax)  # beyond zmax e**(-z**2) is 0: keep the polynomial finite
    work = s + 3
    s *= (zmax + 6) / zmax
    s -= 3
    s /= work  # s = (A z - 3) / (z + 3)
    erfcx = np.multiply(s, coeffs[-1], out=work)
    erfcx += coeffs[-2]
    for c in coeffs[-3::-1]:
        erfcx *= s
        erfcx += c
    gauss = np.square(z, out=z)
    np.negative(gauss, out=gauss)
    np.exp(gauss, out=gauss)  # e**(-x**2 / 2)
    tail = erfcx
    tail *= gauss
    tail *= 0.5  # Phi(-|x|)
    # Phi(x) = tail below 0 and 1 - tail above: arithmetic on the mask beats np.where.
    cdf = np.multiply(tail, -2, out=s)
    cdf += 1
    cdf *= x >= 0
    cdf += tail
    gauss *= _INV_SQRT_2PI
    return cdf, gauss


class Gelu(Function):
    """out = x * Phi(x);  d/dx = Phi(x) + x * phi(x)  (Phi, phi: standard normal CDF, density)."""

    @staticmethod
    def forward(ctx, x):
        compute = x if x.dtype in _ERFCX_FIT else x.astype(np.float32)
        cdf, pdf = _normal_cdf_pdf(compute)
        flat = compute.reshape(-1)
        out = flat * cdf
        if ctx.needs_input_grad[0]:
            pdf *= flat
            pdf += cdf
            ctx.save_for_backward(pdf.reshape(x.shape).astype(x.dtype, copy=False))
        return out.reshape(x.shape).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        (slope,) = ctx.saved_tensors
        return grad * slope


class GeluTanh(Function):
    """out = x * (1 + tanh(u)) / 2 = x * sigmoid(2u),  u = sqrt(2/pi) (x + 0.044715 x**3);
    d/dx = s + x * s * (1 - s) * 2 du/dx  with s = sigmoid(2u).  (In place, as Gelu.)"""

    @staticmethod
    def forward(ctx, x):
        flat = x.reshape(-1)  # a view; ufuncs on 0-d arrays would return scalars
        s = flat * flat
        s *= _TANH_C
        s += 1
        s *= flat
        s *= -2 * _TANH_K  # -2u
        with np.errstate(over="ignore"):  # e**-2u = inf gives the exact limit s = 0
            np.exp(s, out=s)
        s += 1
        np.reciprocal(s, out=s)  # sigmoid(2u)
        if ctx.needs_input_grad[0]:
            slope = flat * flat
            slope *= 3 * _TANH_C
            slope += 1
            slope *= 2 * _TANH_K  # 2 du/dx
            slope *= flat
            slope *= s
            slope *= 1 - s
            slope += s
            ctx.save_for_backward(slope.reshape(x.shape))
        s *= flat
        return s.reshape(x.shape)

    @staticmethod
    def backward(ctx, grad):
        (slope,) = ctx.saved_tensors
        return grad * slope


# --- public functions ---------------------------------------------------------------------


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """input where positive, negative_slope * input elsewhere.

    ``inplace`` is accepted for PyTorch compatibility; the result is always a new tensor.
    """
    _float_input("leaky_relu", input)
    return LeakyRelu.apply(input, float(negative_slope))


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """input where positive, alpha * (exp(input) - 1) elsewhere (``inplace`` is ignored)."""
    _float_input("elu", input)
    return Elu.apply(input, float(alpha), 1.0)


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """scale * elu(input, alpha) with the self-normalising constants
    alpha = 1.6732632..., scale = 1.0507009... (``inplace`` is ignored)."""
    _float_input("selu", input)
    return Elu.apply(input, SELU_ALPHA, SELU_SCALE)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """input * Phi(input), Phi the standard normal CDF (Gaussian Error Linear Unit).

    ``approximate='tanh'`` uses 0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x**3))).
    """
    if approximate not in ("none", "tanh"):
        raise RuntimeError(
            f"gelu: approximate argument must be either none or tanh, got {approximate!r}"
        )
    _float_input("gelu", input)
    return (Gelu if approximate == "none" else GeluTanh)._apply1(input)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + exp(beta * input)) / beta, and input itself where beta * input > threshold.

    Computed as max(bx, 0) + log1p(exp(-|bx|)), so it never overflows (PyTorch returns
    inf for beta * input above ~710 when ``threshold`` is raised that high).
    """
    _float_input("softplus", input)
    return Softplus.apply(input, float(beta), float(threshold))


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """input * sigmoid(input), also called swish (``inplace`` is ignored)."""
    _float_input("silu", input)
    return Silu._apply1(input)


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0,
             inplace: bool = False) -> Tensor:
    """input clipped to [min_val, max_val]; the gradient is 1 strictly inside, else 0."""
    if not isinstance(input, Tensor):
        raise _not_tensor("hardtanh", "input", input)
    if min_val > max_val:
        raise ValueError(
            f"hardtanh: min_val cannot be greater than max_val (got min_val={min_val}, "
            f"max_val={max_val})"
        )
    return Hardtanh.apply(input, min_val, max_val)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """min(max(input, 0), 6): hardtanh(input, 0, 6)."""
    if not isinstance(input, Tensor):
        raise _not_tensor("relu6", "input", input)
    return Hardtanh.apply(input, 0, 6)


def logsigmoid(input: Tensor) -> Tensor:
    """log(sigmoid(input)), computed without overflow or log(0)."""
    _float_input("logsigmoid", input)
    return LogSigmoid._apply1(input)
