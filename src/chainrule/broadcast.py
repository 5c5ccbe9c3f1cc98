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
