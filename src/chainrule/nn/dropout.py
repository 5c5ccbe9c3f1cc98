"""``Dropout``: zero random elements in training, scale the rest by 1 / (1 - p)."""

from __future__ import annotations

import numpy as np

from ..function import Function
from ..random import numpy_generator
from ..tensor import Tensor
from .module import Module


class _Dropout(Function):
    """out = x * mask / (1 - p);  d/dx = mask / (1 - p)."""

    @staticmethod
    def forward(ctx, x, p):
        keep = numpy_generator().random(x.shape) >= p
        scale = np.asarray(1.0 / (1.0 - p), dtype=x.dtype)
        mask = keep * scale
        ctx.save_for_backward(mask)
        return x * mask

    @staticmethod
    def backward(ctx, grad):
        (mask,) = ctx.saved_tensors
        return grad * mask, None


def _check_p(p: float) -> None:
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by 1 / (1 - p);
    the identity when not training (or p == 0). (``inplace`` is accepted and ignored: the
    result is always a new tensor.)"""
    _check_p(p)
    if not training or p == 0:
        return input
    if p == 1:
        return input * 0.0
    return _Dropout.apply(input, p)


class Dropout(Module):
    """Dropout with probability ``p`` in training mode; the identity in eval mode."""

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        _check_p(p)
        self.p = p
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return dropout(input, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"
