"""More ways PyTorch code makes tensors: ``as_tensor``, ``from_numpy``, ``is_tensor``,
``numel`` and the ``Tensor.new_*`` methods (same dtype and device as the tensor)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .creation import empty, full, ones, tensor, zeros
from .tensor import Tensor, to_array

__all__ = ["as_tensor", "from_numpy", "is_tensor", "numel"]


def as_tensor(data: Any, dtype: Any = None, device: str | None = None) -> Tensor:
    """``data`` as a tensor, sharing memory with it when it already is an array (or a
    Tensor) of that dtype and device; a copy otherwise."""
    if isinstance(data, Tensor):
        return data.to(device=device, dtype=dtype)  # self when nothing changes
    return Tensor._make(to_array(data, dtype, device, copy=False))


def from_numpy(ndarray: np.ndarray) -> Tensor:
    """A tensor sharing memory with the NumPy array ``ndarray`` (writes show in both)."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    array = to_array(ndarray, None, None, copy=False)
    if array is not ndarray and not np.shares_memory(array, ndarray):
        raise TypeError(
            f"can't convert np.ndarray of type {ndarray.dtype}. The only supported types are: "
            "float64, float32, float16, int64, int32, and bool."
        )
    return Tensor._make(array)


def is_tensor(obj: Any) -> bool:
    """Whether ``obj`` is a chainrule Tensor."""
    return isinstance(obj, Tensor)


def numel(input: Tensor) -> int:
    """The number of elements of ``input``."""
    return input.numel()


def _like(self: Tensor, dtype: Any, device: Any) -> dict[str, Any]:
    return {"dtype": self.dtype if dtype is None else dtype,
            "device": self.device if device is None else device}


def _new_tensor(self: Tensor, data: Any, dtype: Any = None, device: Any = None,
                requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data``, with this tensor's dtype and device."""
    return tensor(data, requires_grad=requires_grad, **_like(self, dtype, device))


def _new_zeros(self: Tensor, *size: Any, dtype: Any = None, device: Any = None,
               requires_grad: bool = False) -> Tensor:
    """Zeros of ``size`` with this tensor's dtype and device."""
    return zeros(*size, requires_grad=requires_grad, **_like(self, dtype, device))


def _new_ones(self: Tensor, *size: Any, dtype: Any = None, device: Any = None,
              requires_grad: bool = False) -> Tensor:
    """Ones of ``size`` with this tensor's dtype and device."""
    return ones(*size, requires_grad=requires_grad, **_like(self, dtype, device))


def _new_empty(self: Tensor, *size: Any, dtype: Any = None, device: Any = None,
               requires_grad: bool = False) -> Tensor:
    """An uninitialised tensor of ``size`` with this tensor's dtype and device."""
    return empty(*size, requires_grad=requires_grad, **_like(self, dtype, device))


def _new_full(self: Tensor, size: Any, fill_value: Any, *, dtype: Any = None,
              device: Any = None, requires_grad: bool = False) -> Tensor:
    """``fill_value`` everywhere in ``size``, with this tensor's dtype and device."""
    return full(size, fill_value, requires_grad=requires_grad, **_like(self, dtype, device))


Tensor.new_tensor = _new_tensor
Tensor.new_zeros = _new_zeros
Tensor.new_ones = _new_ones
Tensor.new_empty = _new_empty
Tensor.new_full = _new_full
