"""Random numbers with PyTorch's interface, on NumPy's PCG64: generators and random tensors.

A ``Generator`` is seeded with ``manual_seed(n)`` and then gives the same numbers
every time; two generators never share state. ``manual_seed(n)`` at module level
reseeds the default generator, used wherever no ``generator=`` is given.
``rand randn randint randperm multinomial`` (and ``rand_like randn_like``) draw
from it, float32 by default; ``chainrule.creation`` re-exports them all.

The streams are NumPy's, not PyTorch's (a different algorithm): the same seed
gives reproducible numbers here, but not the numbers PyTorch would draw.
"""

from __future__ import annotations

import operator
import os
from typing import Any

import numpy as np

from ._args import Size, finish, on_device, require_tensor, resolve_dtype, shape_of
from .backend import array_module, device_of, to_numpy
from .dtypes import bool_, float32, float64, int64
from .tensor import Tensor

__all__ = [
    "Generator",
    "default_generator",
    "get_rng_state",
    "initial_seed",
    "manual_seed",
    "multinomial",
    "rand",
    "rand_like",
    "randint",
    "randn",
    "randn_like",
    "randperm",
    "seed",
    "set_rng_state",
]

_DEFAULT_SEED = 67280421310721  # PyTorch's seed for a fresh generator
_U64 = 1 << 64
_INT64_MIN, _INT64_MAX = -(1 << 63), (1 << 63) - 1
# get_state() layout, little-endian: seed (8 bytes), PCG64 state (16), increment (16),
# has_uint32 (1), uinteger (4).
_STATE_FIELDS = (("seed", 8), ("state", 16), ("inc", 16), ("has_uint32", 1), ("uinteger", 4))
_STATE_SIZE = sum(n for _, n in _STATE_FIELDS)


def _as_seed(seed: Any) -> int:
    """``seed`` as an unsigned 64-bit integer (negative seeds wrap, as in PyTorch)."""
    if isinstance(seed, bool | float) or not hasattr(seed, "__index__"):
        raise RuntimeError(f"manual_seed expected an integer seed, but got {type(seed).__name__}")
    value = operator.index(seed)
    if not -(1 << 63) <= value < _U64:
        raise ValueError(
            f"manual_seed: seed {value} is out of range: expected an integer in [-2**63, 2**64)"
        )
    return value % _U64


class Generator:
    """A source of random numbers, like ``torch.Generator``.

    ``Generator().manual_seed(42)`` gives the same draws on every run; pass it as
    ``generator=`` to ``cr.rand``, ``cr.randn``, ``cr.randint``, ``cr.randperm``,
    ``cr.multinomial``. A fresh generator starts from PyTorch's default seed.
    """

    __slots__ = ("_seed", "_numpy", "_device")

    def __init__(self, device: str = "cpu") -> None:
        if not isinstance(device, str) or not (device == "cpu" or device.startswith("cuda")):
            raise ValueError(f"Generator: unknown device {device!r}: expected 'cpu' or 'cuda'")
        self._device = device
        self._reseed(_DEFAULT_SEED)

    def _reseed(self, seed: int) -> None:
        self._seed = seed
        self._numpy = np.random.Generator(np.random.PCG64(seed))

    @property
    def device(self) -> str:
        """The device this generator was made for ('cpu' or 'cuda'); draws happen on the CPU."""
        return self._device

    def manual_seed(self, seed: int) -> Generator:
        """Reset the generator to the stream of ``seed``; returns the generator itself."""
        self._reseed(_as_seed(seed))
        return self

    def seed(self) -> int:
        """Reseed from the operating system's entropy; returns the new seed."""
        new_seed = int.from_bytes(os.urandom(8), "little")
        self._reseed(new_seed)
        return new_seed

    def initial_seed(self) -> int:
        """The seed this generator was last seeded with."""
        return self._seed

    def get_state(self) -> Tensor:
        """The full state as a uint8 tensor (``set_state`` takes it back)."""
        state = self._numpy.bit_generator.state
        values = {
            "seed": self._seed,
            "state": state["state"]["state"],
            "inc": state["state"]["inc"],
            "has_uint32": state["has_uint32"],
            "uinteger": state["uinteger"],
        }
        raw = b"".join(values[name].to_bytes(size, "little") for name, size in _STATE_FIELDS)
        return Tensor._make(np.frombuffer(raw, dtype=np.uint8).copy())

    def set_state(self, new_state: Any) -> Generator:
        """Restore a state from ``get_state()`` (a tensor, array or bytes); returns self."""
        raw = _state_bytes(new_state)
        values = {}
        offset = 0
        for name, size in _STATE_FIELDS:
            values[name] = int.from_bytes(raw[offset:offset + size], "little")
            offset += size
        bit_generator = np.random.PCG64()
        bit_generator.state = {
            "bit_generator": "PCG64",
            "state": {"state": values["state"], "inc": values["inc"]},
            "has_uint32": values["has_uint32"],
            "uinteger": values["uinteger"],
        }
        self._seed = values["seed"]
        self._numpy = np.random.Generator(bit_generator)
        return self


def _state_bytes(new_state: Any) -> bytes:
    if isinstance(new_state, bytes | bytearray | memoryview):
        raw = bytes(new_state)
    else:
        data = new_state.data if isinstance(new_state, Tensor) else new_state
        if not hasattr(data, "dtype"):
            raise TypeError(
                "set_state: expected the uint8 tensor from get_state() (or bytes), "
                f"got {type(new_state).__name__}"
            )
        array = to_numpy(data)
        if array.dtype.kind not in "iu" or array.size and (array.min() < 0 or array.max() > 255):
            raise TypeError("set_state: expected a tensor of bytes (uint8 values 0..255)")
        raw = array.astype(np.uint8).tobytes()
    if len(raw) != _STATE_SIZE:
        raise RuntimeError(
            f"set_state: expected a state of {_STATE_SIZE} bytes (from get_state()), "
            f"got {len(raw)}"
        )
    return raw


default_generator = Generator()


def numpy_generator(generator: Any = None) -> np.random.Generator:
    """The NumPy generator behind ``generator`` (the default one for None).

    For library code that draws with NumPy directly (``nn.init``, data shuffling).
    A ``numpy.random.Generator`` is passed through.
    """
    if generator is None:
        return default_generator._numpy
    if isinstance(generator, Generator):
        return generator._numpy
    if isinstance(generator, np.random.Generator):
        return generator
    raise TypeError(
        f"generator must be a chainrule.Generator (or None), not {type(generator).__name__}"
    )


def manual_seed(seed: int) -> Generator:
    """Seed the default generator (reproducible draws from here on); returns it.

    As in PyTorch, any number is accepted here and converted with ``int()``.
    """
    return default_generator.manual_seed(int(seed))


def seed() -> int:
    """Seed the default generator from the operating system's entropy; returns the seed."""
    return default_generator.seed()


def initial_seed() -> int:
    """The seed the default generator was last seeded with."""
    return default_generator.initial_seed()


def get_rng_state() -> Tensor:
    """The default generator's state as a uint8 tensor."""
    return default_generator.get_state()


def set_rng_state(new_state: Any) -> None:
    """Restore the default generator's state from ``get_rng_state()``."""
    default_generator.set_state(new_state)


def _float_dtype(op: str, dtype: Any) -> np.dtype:
    target = resolve_dtype(dtype)
    if target.kind != "f":
        raise NotImplementedError(
            f"{op}(): random floats need a floating dtype (float32, float64, float16), "
            f"got {target}"
        )
    return target


def _draw(shape: tuple, dtype: np.dtype, sampler: Any, device: str | None,
          requires_grad: bool) -> Tensor:
    """``sampler(shape, dtype=...)`` in float32/float64, cast to ``dtype`` and moved."""
    native = dtype if dtype in (float32, float64) else float32
    array = sampler(shape, dtype=native)
    if array.dtype != dtype:
        array = array.astype(dtype)
    return finish(on_device(array, device), requires_grad)


def rand(*size: Size, generator: Generator | None = None, dtype: Any = None,
         device: str | None = None, requires_grad: bool = False) -> Tensor:
    """Uniform random numbers in [0, 1) of the given size (float32 by default)."""
    shape = shape_of("rand", size)
    sampler = numpy_generator(generator).random
    return _draw(shape, _float_dtype("rand", dtype), sampler, device, requires_grad)


def randn(*size: Size, generator: Generator | None = None, dtype: Any = None,
          device: str | None = None, requires_grad: bool = False) -> Tensor:
    """Standard normal random numbers (mean 0, variance 1) of the given size."""
    shape = shape_of("randn", size)
    sampler = numpy_generator(generator).standard_normal
    return _draw(shape, _float_dtype("randn", dtype), sampler, device, requires_grad)


def rand_like(input: Tensor, *, generator: Generator | None = None, dtype: Any = None,
              device: str | None = None, requires_grad: bool = False) -> Tensor:
    """``rand`` with the shape (and, unless given, the dtype and device) of ``input``."""
    input = require_tensor("rand_like", input)
    target = _float_dtype("rand_like", input.dtype if dtype is None else dtype)
    sampler = numpy_generator(generator).random
    return _draw(input.shape, target, sampler, device or input.device, requires_grad)


def randn_like(input: Tensor, *, generator: Generator | None = None, dtype: Any = None,
               device: str | None = None, requires_grad: bool = False) -> Tensor:
    """``randn`` with the shape (and, unless given, the dtype and device) of ``input``."""
    input = require_tensor("randn_like", input)
    target = _float_dtype("randn_like", input.dtype if dtype is None else dtype)
    sampler = numpy_generator(generator).standard_normal
    return _draw(input.shape, target, sampler, device or input.device, requires_grad)


def _bound(name: str, value: Any) -> int:
    if isinstance(value, bool | float) or not hasattr(value, "__index__"):
        raise TypeError(f"randint(): argument '{name}' must be int, not {type(value).__name__}")
    value = operator.index(value)
    if not _INT64_MIN <= value <= _INT64_MAX:
        raise ValueError(f"randint(): {name}={value} does not fit in int64")
    return value


def randint(low: int = 0, high: int | None = None, size: Size = None, *,
            generator: Generator | None = None, dtype: Any = None, device: str | None = None,
            requires_grad: bool = False) -> Tensor:
    """Random integers in [low, high) of the given size (int64 unless ``dtype`` is given).

    Called as ``randint(high, size)`` or ``randint(low, high, size)``, as in PyTorch.
    """
    if size is None and isinstance(high, tuple | list):
        low, high, size = 0, low, high  # randint(high, size)
    elif high is None:
        low, high = 0, low  # randint(high, size=...)
    if size is None:
        raise TypeError("randint() missing required argument 'size' (a tuple of ints)")
    if not isinstance(size, tuple | list):
        raise TypeError(f"randint(): argument 'size' must be tuple of ints, "
                        f"not {type(size).__name__}")
    shape = shape_of("randint", (size,))
    low, high = _bound("low", low), _bound("high", high)
    if low >= high:
        raise RuntimeError(
            f"randint(): expected low < high, but got low={low} >= high={high}"
        )
    target = resolve_dtype(dtype, int64)
    if target == bool_ and (low < 0 or high > 2):
        raise RuntimeError(f"randint(): range [{low}, {high}) does not fit dtype bool")
    if target.kind in "iu":
        info = np.iinfo(target)
        if low < info.min or high - 1 > info.max:
            raise RuntimeError(f"randint(): range [{low}, {high}) does not fit dtype {target}")
    array = numpy_generator(generator).integers(low, high, size=shape, dtype=int64)
    return finish(on_device(array.astype(target, copy=False), device), requires_grad)


def randperm(n: int, *, generator: Generator | None = None, dtype: Any = None,
             device: str | None = None, requires_grad: bool = False) -> Tensor:
    """A random permutation of 0 .. n-1 (int64 unless ``dtype`` is given)."""
    n = operator.index(n)
    if n < 0:
        raise RuntimeError(f"randperm(): Trying to create tensor with negative dimension {n}")
    array = numpy_generator(generator).permutation(n)
    return finish(on_device(array.astype(resolve_dtype(dtype, int64), copy=False), device),
                  requires_grad)


def multinomial(
    input: Tensor,
    num_samples: int,
    replacement: bool = False,
    *,
    generator: Generator | None = None,
) -> Tensor:
    """Draw category indices with probabilities proportional to the rows of ``input``.

    ``input`` is 1-D (one distribution) or 2-D (one per row) of non-negative
    weights that need not sum to 1. Returns int64 indices of shape
    ``(num_samples,)`` or ``(rows, num_samples)``. Without ``replacement`` each
    row's indices are distinct (then ``num_samples`` may not exceed the number
    of categories).
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"multinomial(): input must be a Tensor, not {type(input).__name__}")
    weights = to_numpy(input.data)
    if weights.dtype.kind != "f":
        raise RuntimeError(
            f"multinomial only supports floating-point dtypes for input, got: {weights.dtype}"
        )
    if weights.ndim not in (1, 2):
        raise RuntimeError(
            f"multinomial: prob_dist must be 1 or 2 dim, got a tensor of shape {weights.shape}"
        )
    num_samples = operator.index(num_samples)
    if num_samples <= 0:
        raise RuntimeError(f"multinomial: cannot sample n_sample <= 0 samples (got {num_samples})")
    categories = weights.shape[-1]
    if not replacement and num_samples > categories:
        raise RuntimeError(
            "multinomial: cannot sample n_sample > prob_dist.size(-1) samples without "
            f"replacement (n_sample={num_samples}, prob_dist.size(-1)={categories})"
        )
    rows = weights.reshape(-1, categories)
    out = _sample(rows, num_samples, replacement, numpy_generator(generator))
    if weights.ndim == 1:
        out = out.reshape(num_samples)
    device = device_of(input.data)
    return Tensor._make(out if device == "cpu" else array_module(device).asarray(out))


def _sample(rows: np.ndarray, num_samples: int, replacement: bool,
            rng: np.random.Generator) -> np.ndarray:
    if rows.shape[0] == 0:
        return np.empty((0, num_samples), dtype=int64)
    if not replacement:
        _check_weights(rows, rows.sum(axis=1, dtype=np.float64))
        # An exponential clock E/w per category: the order in which the clocks ring is
        # a draw without replacement with probabilities proportional to w.
        with np.errstate(divide="ignore"):
            clocks = rng.standard_exponential(rows.shape) / rows
        if num_samples == 1:
            return np.argmin(clocks, axis=1).reshape(-1, 1).astype(int64)
        return np.argsort(clocks, axis=1, kind="stable")[:, :num_samples].astype(int64)
    # Inverse CDF: index i is drawn when cdf[i-1] <= u < cdf[i]; a zero weight gives an
    # empty interval, so it is never drawn.
    cdf = np.cumsum(rows, axis=1, dtype=np.float64)
    totals = cdf[:, -1:]
    # Positive finite totals and no negative weight mean every weight is valid.
    if not ((totals > 0) & (totals < np.inf)).all() or rows.min() < 0:
        _check_weights(rows, totals[:, 0])
    cdf /= totals
    uniform = rng.random((rows.shape[0], num_samples))
    out = np.empty(uniform.shape, dtype=int64)
    for i in range(rows.shape[0]):
        out[i] = np.searchsorted(cdf[i], uniform[i], side="right")
    return out


def _check_weights(rows: np.ndarray, totals: np.ndarray) -> None:
    if not np.isfinite(rows).all() or (rows < 0).any():
        raise RuntimeError(
            "multinomial: probability tensor contains either `inf`, `nan` or element < 0"
        )
    if (totals <= 0).any():
        raise RuntimeError(
            "multinomial: invalid multinomial distribution "
            f"(sum of probabilities <= 0 in row {int(np.argmax(totals <= 0))})"
        )


def _multinomial_method(self: Tensor, num_samples: int, replacement: bool = False, *,
                        generator: Generator | None = None) -> Tensor:
    """``tensor.multinomial(...)``: ``multinomial(tensor, ...)`` as a method."""
    return multinomial(self, num_samples, replacement, generator=generator)


Tensor.multinomial = _multinomial_method
