"""Pieces shared by the elementwise losses (``losses``): argument checks, the reduction,
and the weighting of losses of the difference ``input - target``."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ..broadcast import unbroadcast
from ..function import Function
from ..tensor import Tensor
from .elementwise import _not_tensor

_REDUCTIONS = ("none", "mean", "sum")


def _legacy_reduction(size_average: bool | None, reduce: bool | None, stacklevel: int = 4) -> str:
    """PyTorch's deprecated ``size_average`` / ``reduce`` flags as a ``reduction`` (warns;
    ``stacklevel`` points the warning at the user's call)."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    reduction = ("mean" if size_average else "sum") if reduce else "none"
    warnings.warn(
        f"size_average and reduce args will be deprecated, please use reduction='{reduction}' "
        "instead.",
        UserWarning,
        stacklevel=stacklevel,
    )
    return reduction


def _reduction(op: str, reduction: str, size_average: Any = None, reduce: Any = None) -> str:
    """The reduction to apply: the legacy flags win if given; anything else must be valid."""
    if size_average is not None or reduce is not None:
        return _legacy_reduction(size_average, reduce)
    if reduction not in _REDUCTIONS:
        raise ValueError(
            f"{op}: {reduction!r} is not a valid value for reduction (expected one of "
            f"{_REDUCTIONS})"
        )
    return reduction


def _pair(op: str, input: Any, target: Any, same_shape: str | None = None) -> None:
    """Both must be tensors. Different shapes: ``same_shape`` is the error to raise, else
    warn (as PyTorch does) and check that they broadcast."""
    if not isinstance(input, Tensor):
        raise _not_tensor(op, "input", input)
    if not isinstance(target, Tensor):
        raise _not_tensor(op, "target", target, 2)
    x, t = input.shape, target.shape
    if x == t:
        return
    if same_shape is not None:
        raise ValueError(f"{op}: {same_shape.format(target=t, input=x)}")
    warnings.warn(
        f"{op}: Using a target size ({t}) that is different to the input size ({x}). "
        "This will likely lead to incorrect results due to broadcasting. Please ensure they "
        "have the same size.",
        UserWarning,
        stacklevel=3,
    )
    try:
        np.broadcast_shapes(x, t)
    except ValueError:
        raise RuntimeError(
            f"{op}: input of shape {x} and target of shape {t} cannot be broadcast together "
            "(each dimension must match or be 1)"
        ) from None


def _floats(op: str, x: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Input and target as floats: an integer or bool side takes the other side's dtype."""
    if x.dtype.kind != "f":
        if t.dtype.kind != "f":
            raise RuntimeError(
                f"{op}: expected floating point input or target, got {x.dtype} and {t.dtype}"
            )
        return x.astype(t.dtype), t
    return x, (t if t.dtype.kind == "f" else t.astype(x.dtype))


def _sample_weight(op: str, weight: Any, input: Tensor, exact: bool) -> None:
    """``weight`` must have the input's shape (``exact``) or broadcast to it."""
    if weight is None:
        return
    if not isinstance(weight, Tensor):
        raise _not_tensor(op, "weight", weight, 3)
    shape = input.shape
    if exact:
        if weight.shape != shape:
            raise ValueError(
                f"{op}: Weights and input must have the same size (weight has shape "
                f"{weight.shape}, input has shape {shape})."
            )
        return
    try:
        fits = np.broadcast_shapes(weight.shape, shape) == shape
    except ValueError:
        fits = False
    if not fits:
        raise RuntimeError(
            f"{op}: weight of shape {weight.shape} cannot be broadcast to the input's shape "
            f"{shape}"
        )


def _not_differentiable(op: str, ctx: Function, position: int, name: str) -> None:
    if ctx.needs_input_grad[position]:
        raise RuntimeError(
            f"{op}: not differentiable with respect to {name}, which requires grad "
            f"(pass {name}.detach())"
        )


def _reduce(ctx: Function, loss: np.ndarray, reduction: str, total: Any = None) -> np.ndarray:
    """The losses reduced; ``total`` (default: their number) is the denominator of the mean."""
    ctx.reduction = reduction
    if reduction == "none":
        return loss
    summed = loss.sum()
    if reduction == "sum":
        return summed
    ctx.total = loss.size if total is None else total
    with np.errstate(invalid="ignore", divide="ignore"):  # an empty batch: nan, as PyTorch
        return summed / ctx.total


def _upstream(ctx: Function, grad: np.ndarray) -> np.ndarray:
    """d(result)/d(each element's loss) times the incoming gradient."""
    if ctx.reduction != "mean":
        return grad
    with np.errstate(invalid="ignore", divide="ignore"):
        return grad / ctx.total


# --- losses of the difference x - t -------------------------------------------------------
#
# Each forward returns _difference_loss(...), which weights and reduces l(x - t) and saves
# what backward needs; each backward passes dl/dx (a function of d = x - t) to
# _difference_grads, which applies the weight and the reduction and returns all grads.


def _difference_loss(ctx: Function, loss: np.ndarray, d: np.ndarray, w: Any, reduction: str,
                     mean_over_weight: bool) -> np.ndarray:
    """``loss`` (of each element) weighted by ``w`` and reduced; saves what backward needs.

    The weighted mean divides by ``w.sum()`` if ``mean_over_weight``, else by the count.
    """
    needs_x, needs_t, needs_w = ctx.needs_input_grad[:3]
    if w is None:
        out = _reduce(ctx, loss, reduction)
    else:
        weighted = loss * w
        total = w.sum() if mean_over_weight else weighted.size
        out = _reduce(ctx, weighted, reduction, total)
        ctx.mean_over_weight, ctx.out = mean_over_weight, out
    ctx.save_for_backward(d if needs_x or needs_t else None, w, loss if needs_w else None)
    return out


def _difference_grads(ctx: Function, grad: np.ndarray, slope: Any) -> tuple:
    """(dL/dx, dL/dt, dL/dweight, None) given ``slope`` = dl/dx of one element's loss."""
    _, w, loss = ctx.saved_tensors
    needs_x, needs_t, needs_w = ctx.needs_input_grad[:3]
    up = _upstream(ctx, grad)
    grad_x = grad_t = grad_w = None
    if needs_x or needs_t:
        grad_x = up * slope() if w is None else (up * w) * slope()
        grad_t = -grad_x if needs_t else None
    if needs_w:
        grad_w = unbroadcast(up * loss, w.shape)
        if ctx.reduction == "mean" and ctx.mean_over_weight:  # d/dw of sum(w l) / sum(w)
            grad_w = grad_w - grad * ctx.out / ctx.total
    return grad_x, grad_t, grad_w, None
