"""Undoing broadcasting in the backward pass: the one place it is done."""

from __future__ import annotations

import numpy as np


def unbroadcast(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum ``grad`` over the axes that broadcasting added or stretched, back to ``shape``.

    If ``x`` of shape (3, 1) was broadcast to (2, 3, 4) in the forward pass, each
    element of ``x`` was used 2 * 4 times, so its gradient is the sum of those
    uses: sum over the new leading axis and over the stretched last axis.
    """
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra < 0:
        raise RuntimeError(f"gradient of shape {grad.shape} cannot be reduced to shape {shape}")
    if extra:
        grad = grad.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)
    if grad.shape != shape:
        raise RuntimeError(f"gradient of shape {grad.shape} does not match input shape {shape}")
    return grad


def broadcast_view(array: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """A read-only view of ``array`` broadcast to ``shape``, as ``np.broadcast_to`` gives.

    Built with zero strides through the ndarray constructor, which skips
    ``np.broadcast_to``'s Python-level argument handling (several microseconds,
    more than the rest of a small op's backward). Falls back to it for arrays
    that are not C-contiguous NumPy arrays and for shapes that do not broadcast.
    """
    if array.shape == shape:
        return array
    if array.__class__ is not np.ndarray:
        return np.broadcast_to(array, shape)
    if array.size == 1 and len(shape) >= array.ndim:  # a reduction's gradient: all strides 0
        strides = (0,) * len(shape)
    else:
        extra = len(shape) - array.ndim
        if (
            extra < 0
            or not array.flags.c_contiguous
            or any(n != 1 and n != m for n, m in zip(array.shape, shape[extra:]))
        ):
            return np.broadcast_to(array, shape)
        strides = (0,) * extra + tuple(
            0 if n == 1 else stride for n, stride in zip(array.shape, array.strides)
        )
    view = np.ndarray(shape, array.dtype, array, 0, strides)
    view.flags.writeable = False
    return view
