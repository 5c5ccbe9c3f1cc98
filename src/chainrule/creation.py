"""Making tensors: from data, filled with a value, ranges and the identity.

Everything follows PyTorch: sizes as ``zeros(2, 3)`` or ``zeros((2, 3))``,
keyword-only ``dtype=``, ``device=``, ``requires_grad=``, float32 as the default
float dtype and int64 for integer ranges. The random tensors (``rand``, ``randn``,
``randint``, ``randperm``, ``multinomial``) and the generators live in
``chainrule.random`` and are re-exported here, so all of them are ``cr.<name>``.
"""

from __future__ import annotations

import math
import operator
from typing import Any

import numpy as np

from ._args import Size, finish, number, require_tensor, resolve_dtype, shape_of
from .backend import DEFAULT_FLOAT, array_module
from .dtypes import bool_, float32, float64, int64
from .random import (
    Generator,
    default_generator,
    get_rng_state,
    initial_seed,
    manual_seed,
    multinomial,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    randperm,
    seed,
    set_rng_state,
)
from .tensor import Tensor

__all__ = [
    "tensor",
    "zeros",
    "ones",
    "full",
    "empty",
    "zeros_like",
    "ones_like",
    "full_like",
    "empty_like",
    "arange",
    "linspace",
    "eye",
    # from chainrule.random
    "rand",
    "randn",
    "randint",
    "randperm",
    "rand_like",
    "randn_like",
    "multinomial",
    "Generator",
    "default_generator",
    "manual_seed",
    "seed",
    "initial_seed",
    "get_rng_state",
    "set_rng_state",
]


# --- from data and filled ---------------------------------------------------------------


def tensor(data: Any, *, dtype: Any = None, device: str | None = None,
           requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data`` (nested lists, numbers, an array or a Tensor).

    Python floats give float32, ints int64, bools bool; an array keeps its dtype
    unless ``dtype`` is given. A Tensor argument is copied and detached.
    """
    try:
        return Tensor(data, dtype=dtype, requires_grad=requires_grad, device=device)
    except ValueError as error:
        if "inhomogeneous" not in str(error) and "sequence" not in str(error):
            raise
        raise ValueError(
            f"tensor(): data must be a rectangular nested list of numbers: {error}"
        ) from error


def zeros(*size: Size, dtype: Any = None, device: str | None = None,
          requires_grad: bool = False) -> Tensor:
    """A tensor of zeros of the given size (float32 unless ``dtype`` is given)."""
    shape = shape_of("zeros", size)
    return finish(array_module(device).zeros(shape, dtype=resolve_dtype(dtype)), requires_grad)


def ones(*size: Size, dtype: Any = None, device: str | None = None,
         requires_grad: bool = False) -> Tensor:
    """A tensor of ones of the given size (float32 unless ``dtype`` is given)."""
    shape = shape_of("ones", size)
    return finish(array_module(device).ones(shape, dtype=resolve_dtype(dtype)), requires_grad)


def empty(*size: Size, dtype: Any = None, device: str | None = None,
          requires_grad: bool = False) -> Tensor:
    """A tensor of the given size whose values are left uninitialised."""
    shape = shape_of("empty", size)
    return finish(array_module(device).empty(shape, dtype=resolve_dtype(dtype)), requires_grad)


def _fill_dtype(fill_value: int | float) -> np.dtype:
    """PyTorch's dtype for ``full``: bool for a bool, int64 for an int, float32 for a float."""
    if isinstance(fill_value, bool | np.bool_):
        return bool_
    if isinstance(fill_value, int | np.integer):
        return int64
    return DEFAULT_FLOAT


def full(size: Size, fill_value: int | float | bool, *, dtype: Any = None,
         device: str | None = None, requires_grad: bool = False) -> Tensor:
    """A tensor of the given size filled with ``fill_value``.

    The dtype follows the value (bool, int64, or float32) unless ``dtype`` is given.
    """
    shape = shape_of("full", (size,))
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    if not isinstance(fill_value, int | float | np.number | np.bool_):
        raise TypeError(f"full(): fill_value must be a number, not {type(fill_value).__name__}")
    target = resolve_dtype(dtype, _fill_dtype(fill_value))
    return finish(array_module(device).full(shape, fill_value, dtype=target), requires_grad)


def zeros_like(input: Tensor, *, dtype: Any = None, device: str | None = None,
               requires_grad: bool = False) -> Tensor:
    """Zeros with the shape (and, unless given, the dtype and device) of ``input``."""
    input = require_tensor("zeros_like", input)
    xp = array_module(device or input.device)
    return finish(xp.zeros(input.shape, dtype=resolve_dtype(dtype, input.dtype)), requires_grad)


def ones_like(input: Tensor, *, dtype: Any = None, device: str | None = None,
              requires_grad: bool = False) -> Tensor:
    """Ones with the shape (and, unless given, the dtype and device) of ``input``."""
    input = require_tensor("ones_like", input)
    xp = array_module(device or input.device)
    return finish(xp.ones(input.shape, dtype=resolve_dtype(dtype, input.dtype)), requires_grad)


def empty_like(input: Tensor, *, dtype: Any = None, device: str | None = None,
               requires_grad: bool = False) -> Tensor:
    """An uninitialised tensor with the shape (and dtype, device) of ``input``."""
    input = require_tensor("empty_like", input)
    xp = array_module(device or input.device)
    return finish(xp.empty(input.shape, dtype=resolve_dtype(dtype, input.dtype)), requires_grad)


def full_like(input: Tensor, fill_value: int | float | bool, *, dtype: Any = None,
              device: str | None = None, requires_grad: bool = False) -> Tensor:
    """``fill_value`` everywhere, in the shape (and dtype, device) of ``input``."""
    input = require_tensor("full_like", input)
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    xp = array_module(device or input.device)
    target = resolve_dtype(dtype, input.dtype)
    return finish(xp.full(input.shape, fill_value, dtype=target), requires_grad)


# --- ranges -----------------------------------------------------------------------------


def arange(start: int | float = 0, end: int | float | None = None, step: int | float = 1, *,
           dtype: Any = None, device: str | None = None, requires_grad: bool = False) -> Tensor:
    """Values from ``start`` up to (not including) ``end`` in steps of ``step``.

    ``arange(end)`` starts at 0. The result is int64 when all arguments are ints,
    float32 otherwise, unless ``dtype`` is given.
    """
    if end is None:
        start, end = 0, start
    start, end, step = (number("arange", name, value)
                        for name, value in (("start", start), ("end", end), ("step", step)))
    all_ints = all(isinstance(v, int) for v in (start, end, step))
    target = resolve_dtype(dtype, int64 if all_ints else DEFAULT_FLOAT)
    if target == bool_:
        raise TypeError("arange(): dtype bool is not supported: use an integer or float dtype")
    if not all(math.isfinite(v) for v in (start, end, step)):
        raise RuntimeError(f"arange(): unsupported range: {start} -> {end} (step {step})")
    if target.kind in "iu":
        if step and not math.trunc(step):
            raise ValueError(f"arange(): step {step} is 0 in dtype {target}: step must be nonzero")
        start, end, step = math.trunc(start), math.trunc(end), math.trunc(step)
    if step == 0:
        raise RuntimeError("arange(): step must be nonzero")
    if (step > 0 and end < start) or (step < 0 and end > start):
        raise RuntimeError(
            "arange(): upper bound and lower bound inconsistent with step sign "
            f"(start={start}, end={end}, step={step})"
        )
    xp = array_module(device)
    if isinstance(start, int) and isinstance(end, int) and isinstance(step, int):
        array = xp.arange(start, end, step, dtype=int64)
    else:
        count = math.ceil((end - start) / step)
        array = start + step * xp.arange(count, dtype=float64)
    return finish(array.astype(target, copy=False), requires_grad)


def linspace(start: int | float, end: int | float, steps: int, *, dtype: Any = None,
             device: str | None = None, requires_grad: bool = False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end``, both included (float32)."""
    start = number("linspace", "start", start)
    end = number("linspace", "end", end)
    if isinstance(steps, bool | float) or not hasattr(steps, "__index__"):
        raise TypeError(f"linspace(): steps must be an int, not {type(steps).__name__}")
    steps = operator.index(steps)
    if steps < 0:
        raise RuntimeError(f"linspace(): number of steps must be non-negative, got {steps}")
    target = resolve_dtype(dtype)
    if target == bool_:
        raise TypeError("linspace(): dtype bool is not supported: use an integer or float dtype")
    if target.kind in "iu":
        start, end = math.trunc(start), math.trunc(end)
    elif target != float64 and max(abs(start) if steps else 0,
                                   abs(end) if steps > 1 else 0) > float(np.finfo(target).max):
        raise RuntimeError(
            f"linspace(): start={start} or end={end} cannot be converted to {target} "
            "without overflow"
        )
    xp = array_module(device)
    if steps == 1:
        array = xp.full(1, start, dtype=float64)
    else:
        narrow = float32 if target.kind == "f" and target != float64 else None
        array = _evenly_spaced(xp, start, end, steps, narrow)
    return finish(array.astype(target, copy=False), requires_grad)


def _evenly_spaced(xp: Any, start: float, end: float, steps: int, narrow: Any) -> Any:
    """``start + step * i`` for the first half and ``end - step * (steps - 1 - i)`` for the
    second (so both endpoints are exact), each rounded once: PyTorch's CPU kernel uses a
    fused multiply-add, and this gives its values bit for bit.

    ``narrow``: float32 when the result is float32 (or float16); the step is then
    computed in float32, and the caller's cast rounds the float64 values once more.
    """
    index = xp.arange(steps, dtype=float64)
    from_end = steps - 1 - index
    first_half = index < steps // 2
    if narrow is not None:
        start_n, end_n = narrow.type(start), narrow.type(end)
        step = float((end_n - start_n) / narrow.type(max(steps - 1, 1)))
        # A float32 step times an index is exact in float64, and so is the sum as two
        # float64 parts; rounding that to odd in float64 makes the caller's cast to
        # float32 a single correct rounding.
        rising, rising_error = _two_sum(step * index, float(start_n))
        falling, falling_error = _two_sum(-step * from_end, float(end_n))
        return _round_to_odd(xp.where(first_half, rising, falling),
                             xp.where(first_half, rising_error, falling_error))
    step = (end - start) / max(steps - 1, 1)
    if max(abs(start), abs(end)) > 1e290:  # too large for the error-free product
        return xp.where(first_half, start + step * index, end - step * from_end)
    return xp.where(first_half, _fma(step, index, start), _fma(-step, from_end, end))


_SPLITTER = 134217729.0  # 2**27 + 1: Veltkamp's constant for splitting a float64 in halves


def _split(x: Any) -> tuple[Any, Any]:
    scaled = _SPLITTER * x
    high = scaled - (scaled - x)
    return high, x - high


def _fma(x: float, y: Any, z: float) -> Any:
    """``x * y + z`` rounded once, for an array ``y``: the exact product (Dekker), its exact
    sum with ``z`` (Knuth), and the low parts added with rounding to odd (Boldo and
    Melquiond's emulated FMA), so the final addition rounds correctly."""
    product = x * y
    x_high, x_low = _split(x)
    y_high, y_low = _split(y)
    product_error = ((x_high * y_high - product) + x_high * y_low + x_low * y_high) + x_low * y_low
    total, sum_error = _two_sum(product, z)
    return total + _round_to_odd(*_two_sum(sum_error, product_error))


def _round_to_odd(value: Any, error: Any) -> Any:
    """``value + error`` (``value`` its nearest float64) rounded to odd: an inexact value
    with an even last bit moves one step towards the exact sum."""
    bump = (error != 0) & ((value.view(np.int64) & 1) == 0)
    return np.where(bump, np.nextafter(value, np.copysign(np.inf, error)), value)


def _two_sum(a: Any, b: Any) -> tuple[Any, Any]:
    """``a + b`` rounded, and the rounding error (so that the two add up exactly)."""
    total = a + b
    b_part = total - a
    return total, (a - (total - b_part)) + (b - b_part)


def eye(n: int, m: int | None = None, *, dtype: Any = None, device: str | None = None,
        requires_grad: bool = False) -> Tensor:
    """An ``n`` x ``m`` matrix (``m`` defaults to ``n``) with ones on the diagonal."""
    n = operator.index(n)
    if n < 0:
        raise RuntimeError(f"eye(): n must be greater or equal to 0, got {n}")
    m = n if m is None else operator.index(m)
    if m < 0:
        raise RuntimeError(f"eye(): m must be greater or equal to 0, got {m}")
    return finish(array_module(device).eye(n, m, dtype=resolve_dtype(dtype)), requires_grad)
