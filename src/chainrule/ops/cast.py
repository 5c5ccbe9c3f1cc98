"""Casts between dtypes and devices: ``to``, ``type_as`` and ``float() double() long() ...``.

A cast between floating dtypes is differentiable (the gradient is cast back to
the input's dtype); a cast to an integer or bool dtype leaves the graph.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..backend import array_module, device_of, to_numpy
from ..dtypes import FLOATING, as_dtype, bool_, float16, float32, float64, int32, int64
from ..function import Function
from ..tensor import Tensor
from .elementwise import Clone

__all__: list[str] = []


class Cast(Function):
    """out = x in another float dtype;  d/dx = 1 (the gradient cast back to x's dtype)."""

    @staticmethod
    def forward(ctx, x, dtype):
        ctx.source = x.dtype
        return x.astype(dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad.astype(ctx.source), None


class Move(Function):
    """out = x on another device;  d/dx = 1 (the gradient moved back)."""

    @staticmethod
    def forward(ctx, x, device):
        ctx.source = device_of(x)
        return _on_device(x, device)

    @staticmethod
    def backward(ctx, grad):
        return _on_device(grad, ctx.source), None


def _on_device(array: Any, device: str) -> Any:
    return to_numpy(array) if device == "cpu" else array_module(device).asarray(array)


def _cast(self: Tensor, dtype: Any) -> Tensor:
    """self converted to ``dtype``: self itself if it has that dtype already. Float-to-float
    casts stay in the graph; a cast to an int or bool dtype gives a tensor without grad."""
    dtype = as_dtype(dtype)
    if self.data.dtype == dtype:
        return self
    if dtype in FLOATING:
        return Cast.apply(self, dtype)
    with np.errstate(invalid="ignore"):
        return Tensor._make(self.data.astype(dtype))


def to_arguments(args: tuple, device: Any, dtype: Any) -> tuple[str | None, Any]:
    """(device, dtype) from ``.to``'s positional forms (a device string, a dtype, a
    Tensor) and keywords; the device checked (an unknown or unavailable one raises)."""
    for arg in args:
        if isinstance(arg, Tensor):
            dtype, device = arg.dtype, arg.device
        elif isinstance(arg, str):
            device = arg
        else:
            dtype = arg
    if device is not None:
        device = "cuda" if str(device).startswith("cuda") else str(device)
        array_module(device)
    return device, dtype


def to(self: Tensor, *args: Any, dtype: Any = None, device: Any = None,
       non_blocking: bool = False, copy: bool = False) -> Tensor:
    """self with another dtype and/or on another device, as ``torch.Tensor.to``: ``to(dtype)``,
    ``to(device)``, ``to(device, dtype)``, ``to(other)`` (other's dtype and device)."""
    device, dtype = to_arguments(args, device, dtype)
    out = self
    if device is not None:
        if device != self.device:
            out = Move.apply(out, device)
    if dtype is not None:
        out = _cast(out, dtype)
    return Clone.apply(out) if copy and out is self else out


def type_as(self: Tensor, other: Tensor) -> Tensor:
    """self cast to other's dtype."""
    return _cast(self, other.dtype)


def _caster(dtype: np.dtype, doc: str) -> Any:
    def cast(self: Tensor) -> Tensor:
        return _cast(self, dtype)

    cast.__doc__ = doc
    return cast


Tensor.to = to
Tensor.type_as = type_as
Tensor.float = _caster(float32, "self as float32 (``self.to(cr.float32)``).")
Tensor.double = _caster(float64, "self as float64 (``self.to(cr.float64)``).")
Tensor.half = _caster(float16, "self as float16 (``self.to(cr.float16)``).")
Tensor.long = _caster(int64, "self as int64, truncated toward zero; without grad.")
Tensor.int = _caster(int32, "self as int32, truncated toward zero; without grad.")
Tensor.bool = _caster(bool_, "self as bool, True where nonzero; without grad.")


def _cpu(self: Tensor) -> Tensor:
    """self on the CPU (self itself if it is there already)."""
    return to(self, "cpu")


def _cuda(self: Tensor, device: Any = None) -> Tensor:
    """self on the GPU (CuPy)."""
    return to(self, "cuda" if device is None else device)


def _element_size(self: Tensor) -> int:
    """Bytes per element."""
    return self.data.itemsize


def _is_contiguous(self: Tensor, memory_format: Any = None) -> bool:
    """Whether the data is laid out row-major without gaps."""
    return bool(self.data.flags.c_contiguous)


def _stride(self: Tensor, dim: int | None = None) -> Any:
    """The step in elements between neighbours along each dim (or along ``dim``)."""
    steps = tuple(s // self.data.itemsize for s in self.data.strides)
    return steps if dim is None else steps[dim]


Tensor.cpu = _cpu
Tensor.cuda = _cuda
Tensor.element_size = _element_size
Tensor.is_contiguous = _is_contiguous
Tensor.stride = _stride
Tensor.itemsize = property(_element_size, doc="Bytes per element.")
Tensor.nbytes = property(lambda self: self.data.nbytes, doc="Bytes of data.")
