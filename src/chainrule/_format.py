"""How a Tensor prints: PyTorch's layout, ``tensor([[1., 2.], [3., 4.]], requires_grad=True)``.

The rules, those of PyTorch's default print options:

- all elements of a float tensor share one format, chosen from its nonzero finite
  values: when they are all whole numbers, ``1.`` (scientific if max/min > 1000 or
  max > 1e8); otherwise 4 decimals (scientific if max/min > 1000, max > 1e8 or
  min < 1e-4);
- elements are right-aligned to the widest one, and a row wraps at 80 columns;
- a tensor with more than 1000 elements shows only its first and last 3 entries
  along each dimension, with ``...`` between;
- dtype (unless float32, int64 or bool), device, and ``grad_fn=<...>`` or
  ``requires_grad=True`` follow the data.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .backend import to_numpy

PRECISION = 4
THRESHOLD = 1000
EDGEITEMS = 3
LINEWIDTH = 80
_PREFIX = "tensor("
_DEFAULT_DTYPES = (np.dtype(np.float32), np.dtype(np.int64), np.dtype(np.bool_))


class _Formatter:
    """One number format for a whole tensor, and the common width of its elements."""

    __slots__ = ("floating", "int_mode", "sci_mode", "width")

    def __init__(self, values: np.ndarray) -> None:
        self.floating = values.dtype.kind == "f"
        self.int_mode = True
        self.sci_mode = False
        self.width = 1
        if not self.floating:
            self.width = max((len(str(v)) for v in values.ravel().tolist()), default=1)
            return
        shown = values[np.isfinite(values) & (values != 0)]
        if shown.size == 0:
            return
        magnitudes = np.abs(shown).astype(np.float64)
        smallest, largest = magnitudes.min(), magnitudes.max()
        with np.errstate(over="ignore"):
            wide_range = largest / smallest > 1000.0 or largest > 1.0e8
        self.int_mode = bool((shown == np.ceil(shown)).all())
        self.sci_mode = wide_range if self.int_mode else wide_range or smallest < 1.0e-4
        numbers = shown.tolist()
        if self.sci_mode:
            self.width = max(len(f"{v:.{PRECISION}e}") for v in numbers)
        elif self.int_mode:
            self.width = max(len(f"{v:.0f}") + 1 for v in numbers)  # "+ 1" for the dot
        else:
            self.width = max(len(f"{v:.{PRECISION}f}") for v in numbers)
        self.width = max(self.width, 1)

    def format(self, value: Any) -> str:
        """One element, right-aligned to the common width."""
        if not self.floating:
            text = str(value)
        elif self.sci_mode:
            text = f"{value:.{PRECISION}e}"
        elif self.int_mode:
            text = f"{value:.0f}" + ("." if math.isfinite(value) else "")
        else:
            text = f"{value:.{PRECISION}f}"
        return text.rjust(self.width)


def _summarized(array: np.ndarray) -> np.ndarray:
    """The entries that are shown: the first and last EDGEITEMS along each long dimension."""
    for axis, length in enumerate(array.shape):
        if length > 2 * EDGEITEMS:
            keep = np.r_[0:EDGEITEMS, length - EDGEITEMS:length]
            array = np.take(array, keep, axis=axis)
    return array


def _vector_str(array: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    per_line = max(1, (LINEWIDTH - indent) // (fmt.width + 2))
    if summarize and array.shape[0] > 2 * EDGEITEMS:
        items = ([fmt.format(v) for v in array[:EDGEITEMS].tolist()] + [" ..."]
                 + [fmt.format(v) for v in array[-EDGEITEMS:].tolist()])
    else:
        items = [fmt.format(v) for v in array.tolist()]
    lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _array_str(array: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    if array.ndim == 0:
        return fmt.format(array.item())
    if array.ndim == 1:
        return _vector_str(array, indent, summarize, fmt)
    length = array.shape[0]
    if summarize and length > 2 * EDGEITEMS:
        rows = [*range(EDGEITEMS), None, *range(length - EDGEITEMS, length)]
    else:
        rows = range(length)
    parts = ["..." if i is None else _array_str(array[i], indent + 1, summarize, fmt)
             for i in rows]
    separator = "," + "\n" * (array.ndim - 1) + " " * (indent + 1)
    return "[" + separator.join(parts) + "]"


def _with_suffixes(text: str, suffixes: list[str], indent: int) -> str:
    """Append ``, suffix`` items, each on a new line when it would pass LINEWIDTH."""
    parts = [text]
    # PyTorch's measure of the last line (two more than its length): kept for identical wrapping.
    last_line = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line + len(suffix) + 2 > LINEWIDTH:
            parts.append(",\n" + " " * indent + suffix)
            last_line = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line += len(suffix) + 2
    parts.append(")")
    return "".join(parts)


def format_tensor(tensor: Any) -> str:
    """``tensor(<data>[, device=...][, dtype=...][, grad_fn=<...> | requires_grad=True])``."""
    array = to_numpy(tensor.data)
    suffixes = []
    if tensor.device != "cpu":
        suffixes.append(f"device='{tensor.device}'")
    if array.size == 0:
        if array.ndim != 1:
            suffixes.append(f"size={tuple(array.shape)}")
        if array.dtype != _DEFAULT_DTYPES[0]:
            suffixes.append(f"dtype=chainrule.{array.dtype.name}")
        body = "[]"
    else:
        if array.dtype not in _DEFAULT_DTYPES:
            suffixes.append(f"dtype=chainrule.{array.dtype.name}")
        if array.dtype == np.float16:
            array = array.astype(np.float32)
        summarize = array.size > THRESHOLD
        fmt = _Formatter(_summarized(array) if summarize else array)
        body = _array_str(array, len(_PREFIX), summarize, fmt)
    if tensor._ctx is not None:
        suffixes.append(f"grad_fn={tensor._ctx!r}")
    elif tensor._requires_grad:
        suffixes.append("requires_grad=True")
    return _with_suffixes(_PREFIX + body, suffixes, len(_PREFIX))
