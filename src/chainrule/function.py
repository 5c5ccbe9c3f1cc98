"""``Function``: the one way a differentiable op is defined.

An op is a subclass with two static methods side by side:

- ``forward(ctx, *args)`` computes the result from NumPy arrays (a Tensor
  argument arrives as its array; numbers and other arguments as they are) and
  saves what the derivative needs with ``ctx.save_for_backward(...)``;
- ``backward(ctx, grad)`` receives d(loss)/d(output) as an array and returns
  d(loss)/d(input) for each argument of ``forward``, in order (``None`` for an
  argument that is not differentiable).

``MyOp.apply(*args)`` runs ``forward`` and, when an input requires grad and grad
mode is on, links the output to ``ctx`` so that ``backward`` can run later.
A gradient may come back in the broadcast shape of the output: the engine sums
it back to the input's shape in one shared place (``unbroadcast``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .grad_mode import _GradMode
from .tensor import Tensor

_new = object.__new__


def _as_array(out: Any) -> Any:
    """NumPy reductions return scalars (np.float32, ...): make them 0-d arrays."""
    return np.asarray(out) if isinstance(out, np.generic) else out


def _check_same_device(a: Tensor, b: Tensor) -> None:
    """Raise PyTorch's error when two tensors of one op live on different devices."""
    if a.device != b.device:
        raise RuntimeError(
            "Expected all tensors to be on the same device, but found at least two devices, "
            f"{a.device} and {b.device}!"
        )


class Function:
    """Base class of every differentiable op; an instance is the op's ``ctx``.

    ``ctx.save_for_backward(*arrays)`` / ``ctx.saved_tensors`` carry arrays from
    forward to backward; ``ctx.needs_input_grad`` tells, per argument, whether
    its gradient is wanted; any other attribute may be set on ``ctx`` freely.
    """

    saved_tensors: tuple = ()
    needs_input_grad: tuple = ()
    inputs: tuple | None = None

    @staticmethod
    def forward(ctx: Function, *args: Any) -> Any:
        """Compute the output array from the input arrays."""
        raise NotImplementedError(f"{type(ctx).__name__} must define forward(ctx, *args)")

    @staticmethod
    def backward(ctx: Function, *grads: Any) -> Any:
        """Return d(loss)/d(input) for each forward argument, given d(loss)/d(output)."""
        raise NotImplementedError(f"{type(ctx).__name__} must define backward(ctx, grad)")

    def save_for_backward(self, *arrays: Any) -> None:
        """Keep ``arrays`` for ``backward`` (read back as ``ctx.saved_tensors``)."""
        self.saved_tensors = arrays

    @classmethod
    def apply(cls, *args: Any) -> Any:
        """Run the op on ``args`` (Tensors, arrays or numbers) and return a Tensor."""
        if len(args) == 2:
            return cls._apply2(*args)
        if len(args) == 3:
            return cls._apply3(*args)
        if len(args) == 1:
            return cls._apply1(args[0])
        ctx = _new(cls)
        enabled = _GradMode.enabled
        arrays = []
        needs = []
        prev = []
        first = None
        for arg in args:
            if isinstance(arg, Tensor):
                data = arg.data
                if first is None:
                    first = arg
                elif data.__class__ is not first.data.__class__:
                    _check_same_device(first, arg)
                arrays.append(data)
                if enabled and arg._requires_grad:
                    needs.append(True)
                    prev.append(arg)
                    continue
            else:
                arrays.append(arg)
            needs.append(False)
        ctx.needs_input_grad = tuple(needs)
        out = cls.forward(ctx, *arrays)
        if out.__class__ is not np.ndarray:
            out = _as_array(out)
        if not prev:
            return Tensor._make(out)
        ctx.inputs = args
        return Tensor._make(out, True, ctx, tuple(prev))

    # apply() for the common arities, without building lists: this is the engine's hot path.

    @classmethod
    def _apply1(cls, x: Any) -> Any:
        ctx = _new(cls)
        if isinstance(x, Tensor):
            need = x._requires_grad and _GradMode.enabled
            x_data = x.data
        else:
            need, x_data = False, x
        ctx.needs_input_grad = (need,)
        out = cls.forward(ctx, x_data)
        if out.__class__ is not np.ndarray:
            out = _as_array(out)
        if not need:
            return Tensor._make(out)
        ctx.inputs = inputs = (x,)
        return Tensor._make(out, True, ctx, inputs)

    @classmethod
    def _apply2(cls, a: Any, b: Any) -> Any:
        ctx = _new(cls)
        enabled = _GradMode.enabled
        if isinstance(a, Tensor):
            need_a = a._requires_grad and enabled
            a_data = a.data
        else:
            need_a, a_data = False, a
        if isinstance(b, Tensor):
            need_b = b._requires_grad and enabled
            b_data = b.data
            if a_data.__class__ is not b_data.__class__ and isinstance(a, Tensor):
                _check_same_device(a, b)
        else:
            need_b, b_data = False, b
        ctx.needs_input_grad = (need_a, need_b)
        out = cls.forward(ctx, a_data, b_data)
        if out.__class__ is not np.ndarray:
            out = _as_array(out)
        if not (need_a or need_b):
            return Tensor._make(out)
        ctx.inputs = inputs = (a, b)
        prev = inputs if need_a and need_b else (a,) if need_a else (b,)
        return Tensor._make(out, True, ctx, prev)

    @classmethod
    def _apply3(cls, a: Any, b: Any, c: Any) -> Any:
        ctx = _new(cls)
        enabled = _GradMode.enabled
        first = None
        if isinstance(a, Tensor):
            need_a = a._requires_grad and enabled
            a_data = a.data
            first = a
        else:
            need_a, a_data = False, a
        if isinstance(b, Tensor):
            need_b = b._requires_grad and enabled
            b_data = b.data
            if first is None:
                first = b
            elif b_data.__class__ is not a_data.__class__:
                _check_same_device(a, b)
        else:
            need_b, b_data = False, b
        if isinstance(c, Tensor):
            need_c = c._requires_grad and enabled
            c_data = c.data
            if first is not None and c_data.__class__ is not first.data.__class__:
                _check_same_device(first, c)
        else:
            need_c, c_data = False, c
        ctx.needs_input_grad = (need_a, need_b, need_c)
        out = cls.forward(ctx, a_data, b_data, c_data)
        if out.__class__ is not np.ndarray:
            out = _as_array(out)
        if not (need_a or need_b or need_c):
            return Tensor._make(out)
        ctx.inputs = (a, b, c)
        prev = (a,) if need_a else ()
        if need_b:
            prev += (b,)
        if need_c:
            prev += (c,)
        return Tensor._make(out, True, ctx, prev)

    def __repr__(self) -> str:
        return f"<{type(self).__name__}Backward0>"
