"""Gradient clipping, as ``torch.nn.utils``: by the total norm of all gradients
(``clip_grad_norm_``, or in two steps ``get_total_norm`` then ``clip_grads_with_norm_``)
or by value (``clip_grad_value_``). Gradients are scaled in place; no graph is recorded."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ...grad_mode import no_grad
from ...ops.norms import norm
from ...tensor import Tensor

__all__ = ["clip_grad_norm_", "clip_grad_value_", "clip_grads_with_norm_", "get_total_norm"]

TensorOrTensors = Tensor | Iterable[Tensor]


def _as_list(tensors: TensorOrTensors) -> list[Tensor]:
    return [tensors] if isinstance(tensors, Tensor) else list(tensors)


def _gradients(parameters: list[Tensor]) -> list[Tensor]:
    return [p.grad for p in parameters if p.grad is not None]


@no_grad()
def get_total_norm(tensors: TensorOrTensors, norm_type: float = 2.0,
                   error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """The ``norm_type``-norm of all ``tensors`` together: the norm of their norms (0 for
    none). With ``error_if_nonfinite``, a nan or infinite total raises RuntimeError."""
    tensors = _as_list(tensors)
    norm_type = float(norm_type)
    if not tensors:
        return Tensor(np.array(0.0, np.float32))
    norms = [norm(t.reshape(-1), norm_type) for t in tensors]
    stacked = np.stack([n.data for n in norms])
    total = norm(Tensor._make(stacked), norm_type)
    if error_if_nonfinite and not np.isfinite(total.data):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is "
            "non-finite, so it cannot be clipped. To disable this error and scale the "
            "gradients by the non-finite norm anyway, set `error_if_nonfinite=False`"
        )
    return total


@no_grad()
def clip_grads_with_norm_(parameters: TensorOrTensors, max_norm: float, total_norm: Tensor,
                          foreach: bool | None = None) -> None:
    """Scale every gradient by ``min(1, max_norm / (total_norm + 1e-6))``, in place."""
    grads = _gradients(_as_list(parameters))
    if not grads:
        return
    total = total_norm.data if isinstance(total_norm, Tensor) else np.asarray(total_norm)
    coefficient = np.asarray(float(max_norm), total.dtype) / (total + total.dtype.type(1e-6))
    coefficient = np.minimum(coefficient, total.dtype.type(1.0))
    for g in grads:
        g.data *= coefficient.astype(g.data.dtype)


def clip_grad_norm_(parameters: TensorOrTensors, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """Scale the gradients of ``parameters`` in place so that their total ``norm_type``-norm
    is at most ``max_norm``; return the total norm they had."""
    parameters = _as_list(parameters)
    total = get_total_norm(_gradients(parameters), norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(parameters, max_norm, total, foreach)
    return total


def clip_grad_value_(parameters: TensorOrTensors, clip_value: float,
                     foreach: bool | None = None) -> None:
    """Clamp every gradient of ``parameters`` into [-clip_value, clip_value], in place."""
    clip_value = float(clip_value)
    for g in _gradients(_as_list(parameters)):
        np.clip(g.data, -clip_value, clip_value, out=g.data)
