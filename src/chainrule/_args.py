"""Argument checks shared by the tensor-creation functions (sizes, dtypes, numbers)."""

from __future__ import annotations

import operator
from typing import Any

import numpy as np

from ._capture import note_constant
from .backend import DEFAULT_FLOAT, array_module
from .dtypes import as_dtype
from .tensor import Tensor

Size = Any  # ints as varargs, or one tuple/list of ints


def shape_of(op: str, size: tuple) -> tuple[int, ...]:
    """The shape from ``op(2, 3)`` or ``op((2, 3))``, checked: ints, none negative."""
    if not size:
        raise TypeError(f"{op}() missing its size: give it as {op}(2, 3) or {op}((2, 3))")
    if len(size) == 1 and isinstance(size[0], tuple | list):
        size = tuple(size[0])
    dims = []
    for position, dim in enumerate(size):
        if isinstance(dim, bool | float) or not hasattr(dim, "__index__"):
            raise TypeError(
                f"{op}(): size must be a tuple of ints, but found element of type "
                f"{type(dim).__name__} at pos {position}"
            )
        dims.append(operator.index(dim))
    for dim in dims:
        if dim < 0:
            raise RuntimeError(
                f"{op}(): Trying to create tensor with negative dimension {dim}: {dims}"
            )
    return tuple(dims)


def finish(array: Any, requires_grad: bool) -> Tensor:
    """Wrap a freshly made array as a leaf tensor, requiring grad if asked."""
    out = Tensor._make(array)
    note_constant(out)
    if requires_grad:
        out.requires_grad = True  # raises for integer and bool dtypes, as in PyTorch
    return out


def resolve_dtype(dtype: Any, default: np.dtype = DEFAULT_FLOAT) -> np.dtype:
    """The NumPy dtype for a ``dtype=`` argument (``default`` when None)."""
    return default if dtype is None else as_dtype(dtype)


def number(op: str, name: str, value: Any) -> int | float:
    """A Python int or float from a number, a NumPy scalar or a one-element tensor."""
    if isinstance(value, Tensor):
        if value.data.size != 1:
            raise TypeError(f"{op}(): {name} must be a number, got a tensor of shape {value.shape}")
        value = value.data.item()
    elif isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool):
        return int(value)
    if not isinstance(value, int | float):
        raise TypeError(f"{op}(): {name} must be a number, not {type(value).__name__}")
    return value


def require_tensor(op: str, input: Any) -> Tensor:
    """``input`` itself, or a TypeError naming ``op`` when it is not a Tensor."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}(): argument 'input' must be Tensor, not {type(input).__name__}")
    return input


def on_device(array: np.ndarray, device: str | None) -> Any:
    """A NumPy-made array moved to ``device`` (random draws happen on the CPU)."""
    xp = array_module(device)
    return array if xp is np else xp.asarray(array)
