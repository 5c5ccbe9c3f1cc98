"""The Kullback-Leibler divergence loss, ``kl_div``: the input holds log-probabilities, the
target probabilities (or, with ``log_target``, log-probabilities)."""

from __future__ import annotations

import warnings

import numpy as np

from ..function import Function
from ..tensor import Tensor
from ._loss_common import _legacy_reduction, _reduce, _upstream
from .elementwise import _not_tensor

__all__ = ["kl_div"]

_KL_REDUCTIONS = ("none", "mean", "sum", "batchmean")


class KLDiv(Function):
    """l = t (log t - x), 0 where t = 0 (PyTorch's xlogy); with ``log_target``,
    l = e**t (t - x).  dl/dx = -t (or -e**t);  dl/dt = log t + 1 - x (or e**t (t - x + 1)),
    which is nan at t = 0, as in PyTorch."""

    @staticmethod
    def forward(ctx, x, t, reduction, log_target):
        if log_target:
            p = np.exp(t)
            loss = p * (t - x)
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                loss = np.where(t == 0, 0, t * np.log(t)) - t * x
        loss = loss.astype(np.result_type(x, t), copy=False)
        total = None
        if reduction == "batchmean":
            total = x.shape[0] if x.ndim else 1
            reduction = "mean"
        if any(ctx.needs_input_grad[:2]):
            ctx.save_for_backward(x, t)
            ctx.log_target = log_target
        return _reduce(ctx, loss, reduction, total)

    @staticmethod
    def backward(ctx, grad):
        x, t = ctx.saved_tensors
        up = _upstream(ctx, grad)
        needs_x, needs_t = ctx.needs_input_grad[:2]
        grad_x = grad_t = None
        if ctx.log_target:
            p = np.exp(t)
            if needs_x:
                grad_x = -p * up
            if needs_t:
                grad_t = p * (t - x + 1) * up
        else:
            if needs_x:
                grad_x = -t * up
            if needs_t:
                with np.errstate(divide="ignore", invalid="ignore"):
                    log_t = np.where(t == 0, 0, np.log(t))
                    grad_t = (log_t + t / t - x) * up
        if grad_x is not None:
            grad_x = np.broadcast_to(grad_x, np.broadcast_shapes(x.shape, t.shape))
        if grad_t is not None:
            grad_t = np.broadcast_to(grad_t, np.broadcast_shapes(x.shape, t.shape))
        return grad_x, grad_t, None, None


def kl_div(input: Tensor, target: Tensor, size_average: bool | None = None,
           reduce: bool | None = None, reduction: str = "mean",
           log_target: bool = False) -> Tensor:
    """KL(target || exp(input)) summed elementwise and reduced: ``'batchmean'`` (the sum over
    the batch size, the divergence's own definition), ``'sum'``, ``'none'`` or ``'mean'``
    (over every element, with PyTorch's warning). Input and target broadcast together."""
    for position, (name, tensor) in enumerate((("input", input), ("target", target)), start=1):
        if not isinstance(tensor, Tensor):
            raise _not_tensor("kl_div", name, tensor, position)
    try:
        np.broadcast_shapes(input.shape, target.shape)
    except ValueError:
        raise RuntimeError(
            f"kl_div: input of shape {tuple(input.shape)} and target of shape "
            f"{tuple(target.shape)} cannot be broadcast together"
        ) from None
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    elif reduction not in _KL_REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    elif reduction == "mean":
        warnings.warn(
            "reduction: 'mean' divides the total loss by both the batch size and the support "
            "size.'batchmean' divides only by the batch size, and aligns with the KL div math "
            "definition.'mean' will be changed to behave the same as 'batchmean' in the next "
            "major release.",
            UserWarning,
            stacklevel=2,
        )
    for name, tensor in (("input", input), ("target", target)):
        if tensor.dtype.kind != "f":
            raise RuntimeError(f"kl_div: expected a floating point {name}, got {tensor.dtype}")
    return KLDiv.apply(input, target, reduction, bool(log_target))
