"""The element types a Tensor can hold, under PyTorch's names (NumPy dtypes underneath)."""

from __future__ import annotations

from typing import Any

import numpy as np

float32 = np.dtype(np.float32)
float64 = np.dtype(np.float64)
float16 = np.dtype(np.float16)
int32 = np.dtype(np.int32)
int64 = np.dtype(np.int64)
bool_ = np.dtype(np.bool_)

SUPPORTED = {
    "float32": float32,
    "float64": float64,
    "float16": float16,
    "int32": int32,
    "int64": int64,
    "bool": bool_,
}
FLOATING = (float32, float64, float16)
_SUPPORTED_SET = frozenset(SUPPORTED.values())

# PyTorch's aliases, exported from the package as cr.float, cr.double, cr.long, ...
ALIASES = {
    "float": float32,
    "double": float64,
    "half": float16,
    "int": int32,
    "long": int64,
    "bool": bool_,
}


def as_dtype(dtype: Any) -> np.dtype:
    """The NumPy dtype for ``dtype`` (a chainrule/NumPy dtype or its name)."""
    try:
        resolved = np.dtype(dtype)
    except TypeError:
        resolved = None
    if resolved is None or resolved not in _SUPPORTED_SET:
        raise TypeError(f"unsupported dtype {dtype!r}: expected one of {sorted(SUPPORTED)}")
    return resolved


def is_supported(dtype: np.dtype) -> bool:
    """Whether a Tensor can hold elements of ``dtype``."""
    return dtype in _SUPPORTED_SET
