"""In-place updates: ``x += y``, ``x.add_(y)``, ``x.zero_()`` and friends, as PyTorch allows them.

Writing into a tensor is only safe where no graph depends on its old value:

- under ``no_grad`` or on a tensor that needs no gradient, the array is updated
  in place (``p -= lr * p.grad`` in an update step);
- a leaf that requires grad raises PyTorch's error when grad mode is on;
- a computed tensor in a graph is not overwritten: ``x += y`` rebinds ``x`` to
  the out-of-place result (which the graph records), and the ``_`` methods
  raise, since they promise to modify the tensor itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..grad_mode import _GradMode
from ..tensor import Tensor

__all__: list[str] = []

_LEAF_ERROR = "a leaf Variable that requires grad is being used in an in-place operation."


def _array(value: Any) -> Any:
    return value.data if isinstance(value, Tensor) else value


def _writes_in_place(tensor: Tensor, other: Any = None) -> bool:
    """True if ``tensor`` may be overwritten; raises for a leaf that requires grad."""
    if not _GradMode.enabled:
        return True
    if tensor._requires_grad and tensor._ctx is None:
        raise RuntimeError(_LEAF_ERROR)
    return not (tensor._requires_grad or (isinstance(other, Tensor) and other._requires_grad))


def _write(op: str, ufunc: np.ufunc, tensor: Tensor, other: Any) -> Tensor:
    try:
        ufunc(tensor.data, _array(other), out=tensor.data, casting="same_kind")
    except ValueError:
        shape = np.shape(_array(other))
        raise RuntimeError(
            f"{op}: output with shape {tuple(tensor.shape)} doesn't match the broadcast shape "
            f"of the operands {tuple(tensor.shape)} and {tuple(shape)}"
        ) from None
    except TypeError as error:
        raise RuntimeError(
            f"{op}: result type {np.result_type(tensor.data, _array(other))} can't be cast to "
            f"the desired output type {tensor.dtype}"
        ) from error
    return tensor


def _augmented(op: str, ufunc: np.ufunc, out_of_place: Callable[[Tensor, Any], Tensor]) -> Any:
    def method(self: Tensor, other: Any) -> Tensor:
        if _writes_in_place(self, other):
            return _write(op, ufunc, self, other)
        return out_of_place(self, other)

    method.__name__ = op
    method.__doc__ = f"``self {op} other``: in place where allowed, else the recorded result."
    return method


def _in_place_method(op: str, ufunc: np.ufunc) -> Any:
    def method(self: Tensor, other: Any, *, alpha: float = 1) -> Tensor:
        if not _writes_in_place(self, other):
            raise RuntimeError(
                f"{op}: cannot modify a tensor that is part of a recorded graph; "
                f"write `x = x {'+-*/'[['add_', 'sub_', 'mul_', 'div_'].index(op)]} y` instead"
            )
        if alpha != 1:
            other = _array(other) * alpha
        return _write(op, ufunc, self, other)

    method.__name__ = op
    method.__doc__ = f"In-place ``{op[:-1]}``: updates and returns self."
    return method


def zero_(self: Tensor) -> Tensor:
    """Fill with zeros in place; returns self."""
    return fill_(self, 0)


def fill_(self: Tensor, value: Any) -> Tensor:
    """Fill with ``value`` in place; returns self."""
    _writes_in_place(self)
    if self._requires_grad and _GradMode.enabled:
        raise RuntimeError("fill_: cannot modify a tensor that is part of a recorded graph")
    self.data[...] = _array(value)
    return self


def copy_(self: Tensor, src: Any) -> Tensor:
    """Copy ``src`` (broadcast to this shape) into this tensor in place; returns self."""
    if not _writes_in_place(self, src):
        raise RuntimeError("copy_: cannot modify a tensor that is part of a recorded graph")
    np.copyto(self.data, np.broadcast_to(_array(src), self.shape), casting="unsafe")
    return self


Tensor.__iadd__ = _augmented("+=", np.add, Tensor.__add__)
Tensor.__isub__ = _augmented("-=", np.subtract, Tensor.__sub__)
Tensor.__imul__ = _augmented("*=", np.multiply, Tensor.__mul__)
Tensor.__itruediv__ = _augmented("/=", np.true_divide, Tensor.__truediv__)
Tensor.add_ = _in_place_method("add_", np.add)
Tensor.sub_ = _in_place_method("sub_", np.subtract)
Tensor.mul_ = _in_place_method("mul_", np.multiply)
Tensor.div_ = _in_place_method("div_", np.true_divide)
Tensor.zero_ = zero_
Tensor.fill_ = fill_
Tensor.copy_ = copy_
