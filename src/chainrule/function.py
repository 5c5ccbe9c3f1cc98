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
        ctx = _new(cls)
        arrays = []
        needs = []
        any_needs = False
        for arg in args:
            if isinstance(arg, Tensor):
                arrays.append(arg.data)
                needs.append(arg._requires_grad)
                any_needs = any_needs or arg._requires_grad
            else:
                arrays.append(arg)
                needs.append(False)
        record = any_needs and _GradMode.enabled
        ctx.needs_input_grad = tuple(needs) if record else (False,) * len(args)
        out = cls.forward(ctx, *arrays)
        if isinstance(out, np.generic):
            out = np.asarray(out)
        if not record:
            return Tensor._make(out)
        ctx.inputs = args
        prev = tuple(arg for arg, need in zip(args, needs) if need)
        return Tensor._make(out, True, ctx, prev)

    def _release(self) -> None:
        """Drop saved arrays and inputs after backward (unless the graph is retained)."""
        self.saved_tensors = ()
        self.inputs = None

    def __repr__(self) -> str:
        return f"<{type(self).__name__}Backward0>"
