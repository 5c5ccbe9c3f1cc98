"""The array libraries behind a Tensor: NumPy always, CuPy on request.

Ops call NumPy functions; NumPy hands CuPy arrays on to CuPy through its
dispatch protocols (``__array_ufunc__``/``__array_function__``), so the CPU path
has no indirection at all. Only creation needs to pick a module, by device.
"""

from __future__ import annotations

from types import ModuleType

import numpy as np

DEFAULT_FLOAT = np.dtype(np.float32)
DEVICES = ("cpu", "cuda")


def _cupy() -> ModuleType:
    try:
        import cupy
    except ImportError as error:
        raise RuntimeError(
            "device='cuda' needs CuPy, which is not installed. "
            "Install it with: pip install 'chainrule[gpu]'"
        ) from error
    if not cupy.is_available():
        raise RuntimeError("device='cuda' was asked for, but CuPy finds no usable CUDA device")
    return cupy


def array_module(device: str | None) -> ModuleType:
    """The array library for ``device`` ('cpu' or None: NumPy; 'cuda': CuPy)."""
    if device is None or device == "cpu":
        return np
    if device == "cuda" or (isinstance(device, str) and device.startswith("cuda:")):
        return _cupy()
    raise ValueError(f"unknown device {device!r}: expected one of {DEVICES}")


def device_of(array: object) -> str:
    """'cpu' for a NumPy array, 'cuda' for a CuPy one."""
    return "cpu" if isinstance(array, np.ndarray | np.generic) else "cuda"


def to_numpy(array: object) -> np.ndarray:
    """A NumPy array with the contents of ``array`` (copied from the GPU if needed)."""
    if isinstance(array, np.ndarray):
        return array
    get = getattr(array, "get", None)
    return get() if get is not None else np.asarray(array)
