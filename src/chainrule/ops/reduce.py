"""Reductions: sum mean var std logsumexp (max/min and friends are in ``extreme.py``).

``dim`` is an int, a tuple/list of ints (negative ones count from the end) or None
for every dimension; ``dim=()`` also reduces every dimension, as in PyTorch 2.x.
``keepdim=True`` keeps each reduced dimension with size 1; ``keepdims=`` and
``axis=`` are accepted as NumPy-style aliases, as PyTorch accepts them.

A backward puts the reduced dimensions back (as size 1) and lets the gradient
broadcast over them: sum and mean return a broadcast view, no copy.
"""

from __future__ import annotations

import math
import operator
import warnings
from typing import Any

import numpy as np

from ..backend import DEFAULT_FLOAT
from ..broadcast import broadcast_view
from ..dtypes import FLOATING, as_dtype, int64
from ..function import Function
from ..tensor import Tensor
from ._matrix_sums import sum_over

__all__ = [
    "sum", "mean", "var", "std", "logsumexp",
]

_TORCH_DTYPE_NAMES = {"i": "Long", "u": "Byte", "b": "Bool"}



# --- dims --------------------------------------------------------------------------------


def _dim(op: str, d: Any, ndim: int) -> int:
    """One dim, checked as PyTorch checks it, made non-negative."""
    try:
        d = operator.index(d)
    except TypeError:
        raise TypeError(
            f"{op}(): argument 'dim' must be an int or a tuple of ints, not {type(d).__name__}"
        ) from None
    low, high = (-1, 0) if ndim == 0 else (-ndim, ndim - 1)
    if not low <= d <= high:
        raise IndexError(
            f"{op}(): Dimension out of range (expected to be in range of [{low}, {high}], "
            f"but got {d})"
        )
    return d % ndim if ndim else 0


def _dims(op: str, dim: Any, ndim: int) -> tuple[int, ...] | None:
    """``dim`` as a tuple of axes for NumPy (None: every axis; () for a 0-d tensor)."""
    if dim is None:
        return None
    if isinstance(dim, tuple | list):
        if not dim:
            return None
        axes = tuple(_dim(op, d, ndim) for d in dim)
        if len(set(axes)) != len(axes):
            repeated = next(a for a in axes if axes.count(a) > 1)
            raise RuntimeError(f"{op}(): dim {repeated} appears multiple times in the list of dims")
    else:
        axes = (_dim(op, dim, ndim),)
    return axes if ndim else ()


def _options(op: str, input: Any, dim: Any, keepdim: bool, keepdims: Any, axis: Any) -> tuple:
    """(axes, keepdim) from a reduction's arguments, accepting ``keepdims=``/``axis=``."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}(): argument 'input' must be Tensor, not {type(input).__name__}")
    if axis is not None:
        dim = axis
    if keepdims is not None:
        keepdim = keepdims
    return _dims(op, dim, input.data.ndim), bool(keepdim)


def _count(shape: tuple[int, ...], axes: tuple[int, ...] | None) -> int:
    """How many elements each output element reduces."""
    return math.prod(shape) if axes is None else math.prod(shape[a] for a in axes)


def _kept(grad: np.ndarray, axes: tuple[int, ...] | None, keepdim: bool) -> np.ndarray:
    """``grad`` with the reduced dims put back as size 1 (so it broadcasts against the input)."""
    if keepdim or not axes:
        return grad
    shape = list(grad.shape)
    for axis in sorted(axes):
        shape.insert(axis, 1)
    return grad.reshape(shape)


def _squeezed(out: np.ndarray, axes: tuple[int, ...] | None, keepdim: bool) -> np.ndarray:
    """A result computed with keepdims=True, with the reduced dims removed unless keepdim."""
    if keepdim:
        return out
    return out.reshape(()) if axes is None else np.squeeze(out, axis=axes)


def _spread(grad: np.ndarray, shape: tuple[int, ...], axes: Any, keepdim: bool) -> np.ndarray:
    """d(sum)/dx: each input element gets the gradient of the output element it went into."""
    return broadcast_view(_kept(grad, axes, keepdim), shape)


def _dtype_name(dtype: np.dtype) -> str:
    return _TORCH_DTYPE_NAMES.get(dtype.kind, str(dtype))


# --- sum, mean -----------------------------------------------------------------------------


class Sum(Function):
    """out = sum of x over dims;  d/dx = 1 (the gradient spread over the summed elements)."""

    @staticmethod
    def forward(ctx, x, axes=None, keepdim=False, dtype=None):
        ctx.shape, ctx.axes, ctx.keepdim, ctx.source = x.shape, axes, keepdim, x.dtype
        if dtype is not None:
            x = x.astype(dtype, copy=False)
        elif x.dtype.kind in "biu":
            dtype = int64
        if x.dtype.kind == "f":  # a float sum keeps the (possibly cast) input's dtype
            return sum_over(x, axes, keepdim)
        return x.sum(axis=axes, dtype=dtype, keepdims=keepdim)

    @staticmethod
    def backward(ctx, grad):
        grad = _spread(grad, ctx.shape, ctx.axes, ctx.keepdim).astype(ctx.source, copy=False)
        return grad if len(ctx.needs_input_grad) == 1 else (grad, None, None, None)


class Mean(Function):
    """out = sum of x over dims / n;  d/dx = 1 / n."""

    @staticmethod
    def forward(ctx, x, axes, keepdim):
        n = _count(x.shape, axes)
        ctx.shape, ctx.axes, ctx.keepdim, ctx.n = x.shape, axes, keepdim, n
        total = sum_over(x, axes, keepdim)
        if n == 0:
            with np.errstate(invalid="ignore"):
                return total / n
        return total / n

    @staticmethod
    def backward(ctx, grad):
        if ctx.n == 0:
            return np.zeros(ctx.shape, grad.dtype), None, None
        return _spread(grad / ctx.n, ctx.shape, ctx.axes, ctx.keepdim), None, None


def sum(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None,
        keepdims: bool | None = None, axis: Any = None) -> Tensor:
    """Sum over ``dim`` (every dim by default). Int and bool tensors sum to int64; ``dtype``
    casts the input first. The sum of no elements is 0."""
    if (dim is None and axis is None and dtype is None and not keepdim and not keepdims
            and input.__class__ is Tensor and input.data.dtype.kind == "f"):
        return Sum._apply1(input)  # every element: the one-argument fast path
    axes, keepdim = _options("sum", input, dim, keepdim, keepdims, axis)
    return Sum.apply(input, axes, keepdim, None if dtype is None else as_dtype(dtype))


def mean(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None,
         keepdims: bool | None = None, axis: Any = None) -> Tensor:
    """Mean over ``dim`` (every dim by default); nan for no elements. Needs a float tensor
    (or a float ``dtype``, to which the input is cast first)."""
    axes, keepdim = _options("mean", input, dim, keepdim, keepdims, axis)
    if dtype is not None:
        dtype = as_dtype(dtype)
        if dtype not in FLOATING:
            raise RuntimeError(
                "mean(): could not infer output dtype. Optional dtype must be either a floating "
                f"point or complex dtype. Got: {_dtype_name(dtype)}"
            )
        input = input.to(dtype)
    elif input.data.dtype not in FLOATING:
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating point "
            f"or complex dtype. Got: {_dtype_name(input.data.dtype)}"
        )
    return Mean.apply(input, axes, keepdim)


# --- var, std ------------------------------------------------------------------------------


def _moments(x: np.ndarray, axes: Any, correction: float) -> tuple:
    """(sum of squared deviations, the deviations x - mean, the divisor n - correction),
    reduced with keepdims=True."""
    n = _count(x.shape, axes)
    # Shifted by the first element of each slice first: a constant slice centres to exactly 0
    # (so its std is 0, as in PyTorch) and large offsets lose no precision. A slice that starts
    # with inf is not shifted, so it centres to x - mean (-inf at its finite elements), as
    # PyTorch's, not to nan.
    first = tuple(slice(0, 1) if axes is None or a in axes else slice(None) for a in range(x.ndim))
    shift = x[first]
    if np.isinf(shift).any():  # one element per slice: cheap
        shift = np.where(np.isinf(shift), 0, shift)
    shifted = x - shift
    with np.errstate(invalid="ignore", divide="ignore"):
        centered = shifted - sum_over(shifted, axes, True) / n
    squares = sum_over(centered * centered, axes, True)
    return squares, centered, n - correction if n > correction else 0


class Var(Function):
    """out = sum((x - mean)**2) / (n - correction);  d/dx = 2 (x - mean) / (n - correction)."""

    @staticmethod
    def forward(ctx, x, axes, keepdim, correction):
        squares, centered, divisor = _moments(x, axes, correction)
        with np.errstate(invalid="ignore", divide="ignore"):
            out = squares / divisor
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(centered)
            ctx.axes, ctx.keepdim, ctx.divisor = axes, keepdim, divisor
        return _squeezed(out, axes, keepdim)

    @staticmethod
    def backward(ctx, grad):
        (centered,) = ctx.saved_tensors
        with np.errstate(invalid="ignore", divide="ignore"):
            scale = _kept(grad, ctx.axes, ctx.keepdim) * 2 / ctx.divisor
        return scale * centered, None, None, None


class Std(Function):
    """out = sqrt(var(x));  d/dx = (x - mean) / ((n - correction) * out), 0 where out == 0."""

    @staticmethod
    def forward(ctx, x, axes, keepdim, correction):
        squares, centered, divisor = _moments(x, axes, correction)
        with np.errstate(invalid="ignore", divide="ignore"):
            out = np.sqrt(squares / divisor)
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(centered, out)
            ctx.axes, ctx.keepdim, ctx.divisor = axes, keepdim, divisor
        return _squeezed(out, axes, keepdim)

    @staticmethod
    def backward(ctx, grad):
        centered, out = ctx.saved_tensors
        with np.errstate(invalid="ignore", divide="ignore"):
            scale = _kept(grad, ctx.axes, ctx.keepdim) / (out * ctx.divisor)
        return np.where(out == 0, 0, scale) * centered, None, None, None


def _spread_options(op: str, input: Any, dim: Any, unbiased: Any, keepdim: bool,
                    correction: Any, keepdims: Any, axis: Any) -> tuple:
    """(axes, keepdim, correction) for var/std, as PyTorch reads its two signatures."""
    if isinstance(dim, bool):  # var(input, unbiased)
        dim, unbiased = None, dim
    axes, keepdim = _options(op, input, dim, keepdim, keepdims, axis)
    if input.data.dtype not in FLOATING:
        raise RuntimeError(
            f"{op}(): std and var only support floating point and complex dtypes, "
            f"got {input.data.dtype}"
        )
    if unbiased is not None and correction is not None:
        raise TypeError(f"{op}(): give either 'unbiased' or 'correction', not both")
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    if _count(input.data.shape, axes) <= correction:
        warnings.warn(
            f"{op}(): degrees of freedom is <= 0. Correction should be strictly less than the "
            "reduction factor (input numel divided by output numel).",
            UserWarning,
            stacklevel=3,
        )
    return axes, keepdim, correction


def var(input: Tensor, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, *,
        correction: float | None = None, keepdims: bool | None = None,
        axis: Any = None) -> Tensor:
    """Variance over ``dim``: sum((x - mean)**2) / (n - correction). ``correction=1`` (Bessel's,
    the default) is ``unbiased=True``; ``unbiased=False`` is ``correction=0``."""
    axes, keepdim, correction = _spread_options(
        "var", input, dim, unbiased, keepdim, correction, keepdims, axis
    )
    return Var.apply(input, axes, keepdim, correction)


def std(input: Tensor, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, *,
        correction: float | None = None, keepdims: bool | None = None,
        axis: Any = None) -> Tensor:
    """Standard deviation over ``dim``: the square root of ``var`` with the same arguments."""
    axes, keepdim, correction = _spread_options(
        "std", input, dim, unbiased, keepdim, correction, keepdims, axis
    )
    return Std.apply(input, axes, keepdim, correction)


# --- logsumexp -----------------------------------------------------------------------------


class LogSumExp(Function):
    """out = log(sum(exp(x))) over dims, computed as m + log(sum(exp(x - m))) with m = max(x);
    d/dx = exp(x - out) = softmax(x)."""

    @staticmethod
    def forward(ctx, x, axes, keepdim):
        x = x if x.dtype.kind == "f" else x.astype(DEFAULT_FLOAT)
        # m: each slice's max (0 where that is inf or nan, or where the input is empty)
        m = x.max(axis=axes, keepdims=True) if x.size else x.sum(axis=axes, keepdims=True)
        m = np.where(np.isfinite(m), m, 0)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            out = np.log(np.exp(x - m).sum(axis=axes, keepdims=True)) + m
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(x, out)
            ctx.axes, ctx.keepdim = axes, keepdim
        return _squeezed(out, axes, keepdim)

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        with np.errstate(invalid="ignore", over="ignore"):
            return _kept(grad, ctx.axes, ctx.keepdim) * np.exp(x - out), None, None


def logsumexp(input: Tensor, dim: Any = None, keepdim: bool = False, *,
              keepdims: bool | None = None, axis: Any = None) -> Tensor:
    """log(sum(exp(input))) over ``dim`` (required), without overflow: finite for inputs of
    any finite size. An int tensor gives the default float dtype."""
    if dim is None and axis is None:
        raise TypeError('logsumexp() missing 1 required positional arguments: "dim"')
    if (axis if axis is not None else dim) == ():
        raise RuntimeError("logsumexp(): dim=() is not supported; give the dims to reduce")
    axes, keepdim = _options("logsumexp", input, dim, keepdim, keepdims, axis)
    return LogSumExp.apply(input, axes, keepdim)


Tensor.sum = sum
Tensor.mean = mean
Tensor.var = var
Tensor.std = std
Tensor.logsumexp = logsumexp
