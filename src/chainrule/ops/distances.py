"""Normalising and comparing vectors: ``normalize``, ``cosine_similarity`` and
``pairwise_distance``, composed of the norm, clamp and arithmetic ops (so each one's
gradient is theirs, as in PyTorch)."""

from __future__ import annotations

from typing import Any

from ..tensor import Tensor
from .composite import broadcast_tensors
from .elementwise import _not_tensor, clamp
from .norms import norm

__all__ = ["cosine_similarity", "normalize", "pairwise_distance"]


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12,
              out: Any = None) -> Tensor:
    """``input / max(||input||_p, eps)``, the norm taken along ``dim``: unit vectors."""
    if out is not None:
        raise TypeError("normalize: out= is not supported; use the returned tensor")
    if not isinstance(input, Tensor):
        raise _not_tensor("normalize", "input", input)
    return input / clamp(norm(input, p, dim, keepdim=True), min=eps)


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """The cosine of the angle between ``x1`` and ``x2`` along ``dim`` (they broadcast):
    ``sum(x1 / max(||x1||, eps) * x2 / max(||x2||, eps))``. Where a norm is below ``eps``
    it is held at ``eps``, gradient included (PyTorch's gradient differs there, by a
    relative amount about the norm's ratio to ``eps``)."""
    for position, (name, x) in enumerate((("x1", x1), ("x2", x2)), start=1):
        if not isinstance(x, Tensor):
            raise _not_tensor("cosine_similarity", name, x, position)
    try:
        x1, x2 = broadcast_tensors(x1, x2)
    except (ValueError, RuntimeError):
        raise RuntimeError(
            f"cosine_similarity: x1 of shape {tuple(x1.shape)} and x2 of shape "
            f"{tuple(x2.shape)} cannot be broadcast together"
        ) from None
    unit1 = x1 / clamp(norm(x1, 2, dim, keepdim=True), min=eps)
    unit2 = x2 / clamp(norm(x2, 2, dim, keepdim=True), min=eps)
    return (unit1 * unit2).sum(dim)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6,
                      keepdim: bool = False) -> Tensor:
    """``||x1 - x2 + eps||_p`` along the last dim (``eps`` keeps the gradient finite where
    the two are equal)."""
    for position, (name, x) in enumerate((("x1", x1), ("x2", x2)), start=1):
        if not isinstance(x, Tensor):
            raise _not_tensor("pairwise_distance", name, x, position)
    difference = x1 - x2 + eps
    if difference.ndim == 0:  # PyTorch gives a 0-d result, keepdim or not
        return norm(difference.reshape(1), p, 0)
    return norm(difference, p, -1, keepdim=keepdim)


