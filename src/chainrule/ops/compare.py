"""Comparisons and logical ops: bool tensors that never carry a gradient.

``==`` and ``!=`` compare elementwise as in PyTorch; Tensor still hashes by
identity, so tensors keep working as dict keys and set members.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor
from .elementwise import _broadcast_error

__all__ = [
    "eq", "ne", "lt", "le", "gt", "ge",
    "isnan", "isinf", "isfinite",
    "logical_not", "logical_and", "logical_or", "logical_xor",
    "all", "any", "isclose", "allclose", "equal",
]


def _result(array: Any) -> Tensor:
    """A Tensor outside the graph for a NumPy result (0-d results arrive as NumPy scalars)."""
    return Tensor._make(np.asarray(array) if isinstance(array, np.generic) else array)


def _apply(op: str, ufunc: Any, input: Any, other: Any) -> Tensor:
    a = input.data if isinstance(input, Tensor) else input
    b = other.data if isinstance(other, Tensor) else other
    try:
        return _result(ufunc(a, b))
    except ValueError:
        raise _broadcast_error(op, a, b) from None


def eq(input: Any, other: Any) -> Tensor:
    """input == other elementwise, with broadcasting (a bool tensor)."""
    return _apply("eq", np.equal, input, other)


def ne(input: Any, other: Any) -> Tensor:
    """input != other elementwise, with broadcasting (a bool tensor)."""
    return _apply("ne", np.not_equal, input, other)


def lt(input: Any, other: Any) -> Tensor:
    """input < other elementwise, with broadcasting (a bool tensor)."""
    return _apply("lt", np.less, input, other)


def le(input: Any, other: Any) -> Tensor:
    """input <= other elementwise, with broadcasting (a bool tensor)."""
    return _apply("le", np.less_equal, input, other)


def gt(input: Any, other: Any) -> Tensor:
    """input > other elementwise, with broadcasting (a bool tensor)."""
    return _apply("gt", np.greater, input, other)


def ge(input: Any, other: Any) -> Tensor:
    """input >= other elementwise, with broadcasting (a bool tensor)."""
    return _apply("ge", np.greater_equal, input, other)


def isnan(input: Tensor) -> Tensor:
    """True where input is nan."""
    return _result(np.isnan(input.data))


def isinf(input: Tensor) -> Tensor:
    """True where input is +inf or -inf."""
    return _result(np.isinf(input.data))


def isfinite(input: Tensor) -> Tensor:
    """True where input is neither nan nor infinite."""
    return _result(np.isfinite(input.data))


def logical_not(input: Tensor) -> Tensor:
    """True where input is zero (False)."""
    return _result(np.logical_not(input.data))


def logical_and(input: Any, other: Any) -> Tensor:
    """True where both are nonzero, with broadcasting."""
    return _apply("logical_and", np.logical_and, input, other)


def logical_or(input: Any, other: Any) -> Tensor:
    """True where either is nonzero, with broadcasting."""
    return _apply("logical_or", np.logical_or, input, other)


def logical_xor(input: Any, other: Any) -> Tensor:
    """True where exactly one is nonzero, with broadcasting."""
    return _apply("logical_xor", np.logical_xor, input, other)


def _bitwise(op: str, ufunc: Any) -> Any:
    """``&``, ``|``, ``^`` (and reflected forms) for bool and int tensors, as in PyTorch."""

    def method(self: Tensor, other: Any) -> Tensor:
        b = other.data if isinstance(other, Tensor) else other
        for value in (self.data, b):
            if np.asarray(value).dtype.kind not in "biu":
                raise TypeError(
                    f"{op} is only supported for integer and Boolean tensors, got "
                    f"{np.asarray(value).dtype}"
                )
        return _apply(op, ufunc, self, other)

    method.__doc__ = f"self {op} other elementwise, for bool and int tensors."
    return method


def _eq_method(self: Tensor, other: Any) -> Any:
    """self == other elementwise (``t == None`` is False, as in PyTorch)."""
    return NotImplemented if other is None else eq(self, other)


def _ne_method(self: Tensor, other: Any) -> Any:
    """self != other elementwise (``t != None`` is True, as in PyTorch)."""
    return NotImplemented if other is None else ne(self, other)


def _invert(self: Tensor) -> Tensor:
    """~self: logical not of a bool tensor, bitwise not of an int tensor."""
    if self.data.dtype.kind not in "biu":
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type "
                        f"tensors, got {self.data.dtype}")
    return _result(np.invert(self.data))


Tensor.__eq__ = _eq_method
Tensor.__ne__ = _ne_method
Tensor.__lt__ = Tensor.lt = lt
Tensor.__le__ = Tensor.le = le
Tensor.__gt__ = Tensor.gt = gt
Tensor.__ge__ = Tensor.ge = ge
Tensor.__hash__ = object.__hash__  # elementwise == must not turn hashing off
Tensor.eq = eq
Tensor.ne = ne
Tensor.isnan = isnan
Tensor.isinf = isinf
Tensor.isfinite = isfinite
Tensor.logical_not = logical_not
Tensor.logical_and = logical_and
Tensor.logical_or = logical_or
Tensor.logical_xor = logical_xor
Tensor.__invert__ = Tensor.bitwise_not = _invert
Tensor.__and__ = Tensor.__rand__ = Tensor.bitwise_and = _bitwise("&", np.bitwise_and)
Tensor.__or__ = Tensor.__ror__ = Tensor.bitwise_or = _bitwise("|", np.bitwise_or)
Tensor.__xor__ = Tensor.__rxor__ = Tensor.bitwise_xor = _bitwise("^", np.bitwise_xor)


def _reduce_bool(ufunc: Any, input: Tensor, dim: Any, keepdim: bool) -> Tensor:
    data = input.data.astype(bool, copy=False)
    if dim is None:
        return _result(ufunc.reduce(data, axis=None))
    dims = dim if isinstance(dim, tuple | list) else (dim,)
    n = max(data.ndim, 1)
    for d in dims:
        if not -n <= d < n:
            raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, "
                             f"{n - 1}], but got {d})")
    axes = tuple(d % n for d in dims) if data.ndim else None
    return _result(ufunc.reduce(data, axis=axes, keepdims=keepdim))


def all(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A001
    """Whether every element (along ``dim``) is nonzero: a bool tensor."""
    return _reduce_bool(np.logical_and, input, dim, keepdim)


def any(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A001
    """Whether some element (along ``dim``) is nonzero: a bool tensor."""
    return _reduce_bool(np.logical_or, input, dim, keepdim)


def isclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08,
            equal_nan: bool = False) -> Tensor:
    """|input - other| <= atol + rtol * |other| elementwise (a bool tensor)."""
    return _result(np.isclose(input.data, other.data, rtol=rtol, atol=atol, equal_nan=equal_nan))


def allclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08,
             equal_nan: bool = False) -> bool:
    """Whether ``isclose`` holds everywhere (a Python bool)."""
    return bool(np.allclose(input.data, other.data, rtol=rtol, atol=atol, equal_nan=equal_nan))


def equal(input: Tensor, other: Tensor) -> bool:
    """Whether the two tensors have the same shape and the same elements (a Python bool)."""
    return bool(input.shape == other.shape and np.array_equal(input.data, other.data))


def _all_method(self: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """Whether every element (along ``dim``) is nonzero: ``all(self, ...)``."""
    return all(self, dim, keepdim)


def _any_method(self: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """Whether some element (along ``dim``) is nonzero: ``any(self, ...)``."""
    return any(self, dim, keepdim)


Tensor.all = _all_method
Tensor.any = _any_method
Tensor.isclose = isclose
Tensor.allclose = allclose
Tensor.equal = equal
