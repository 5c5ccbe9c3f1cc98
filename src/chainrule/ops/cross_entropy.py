"""Classification losses from class scores: ``cross_entropy`` and ``nll_loss``.

Cross-entropy is fused with its log-softmax: the loss is computed from the
logits with the max subtracted, and its gradient with respect to the logits is
the closed form ``softmax - onehot`` (scaled by the reduction).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._capture import graph_break
from ..dtypes import FLOATING, int64
from ..function import Function
from ..tensor import Tensor
from ._loss_common import _legacy_reduction
from ._matrix_sums import add_reduce, max_rows, sum_rows
from .fused import _REDUCTIONS, _shifted_exp
from .indexing import ids_in_range

__all__ = ["cross_entropy", "nll_loss"]


def _class_layout(op: str, x: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Input as (N, C, d1, ...) and target as (N, d1, ...) (an unbatched (C,) gets N = 1)."""
    if t.dtype != int64:
        raise RuntimeError(
            f"{op}: expected a target of class indices with dtype int64, got {t.dtype} "
            "(convert with .long())"
        )
    if x.ndim == 0:
        raise RuntimeError(f"{op}: expected input of shape (C,) or (N, C, ...), got ()")
    if x.ndim == 1:
        if t.ndim != 0:
            raise RuntimeError(
                f"{op}: an unbatched input of shape {tuple(x.shape)} needs a 0-D target, "
                f"got shape {tuple(t.shape)}"
            )
        return x[None], t[None]
    expected = x.shape[:1] + x.shape[2:]
    if t.shape != expected:
        error = ValueError if t.ndim and t.shape[0] != x.shape[0] else RuntimeError
        raise error(
            f"{op}: input of shape {tuple(x.shape)} needs a target of shape {expected}, "
            f"got {tuple(t.shape)}"
        )
    return x, t


def _targets(op: str, t: np.ndarray, classes: int, ignore_index: int) -> tuple[Any, Any]:
    """(index of each entry's target in (N, C, d1, ...), mask of kept entries or None).

    Raises IndexError naming an invalid target; ignored entries index class 0.
    """
    keep = None
    if t.size:
        low, high = t.min(), t.max()
        if low <= ignore_index <= high:
            keep = t != ignore_index
        if low < 0 or high >= classes:
            bad = (t < 0) | (t >= classes)
            if keep is not None:
                bad &= keep
            if bad.any():
                raise IndexError(
                    f"{op}: target {t[bad].flat[0]} is out of bounds for {classes} classes "
                    f"(expected 0 <= target < {classes})"
                )
        if keep is not None:
            t = np.where(keep, t, 0)
    if t.ndim == 1:
        return (np.arange(t.shape[0]), t), keep
    grids = np.ogrid[tuple(slice(n) for n in t.shape)]
    return (grids[0], t, *grids[1:]), keep


def _weight_not_differentiable(op: str, ctx: Function) -> None:
    if ctx.needs_input_grad[2]:
        raise RuntimeError(
            f"{op}: not differentiable with respect to weight, which requires grad "
            "(pass weight.detach())"
        )


def _class_weights(op: str, w: Any, x: np.ndarray) -> Any:
    if w is None:
        return None
    classes = x.shape[1]
    if w.shape != (classes,):
        raise RuntimeError(
            f"{op}: weight should have one entry per class, shape ({classes},), "
            f"got shape {tuple(w.shape)}"
        )
    if w.dtype != x.dtype:
        raise RuntimeError(f"{op}: weight has dtype {w.dtype} but input has dtype {x.dtype}")
    return w


def _check_reduction(op: str, reduction: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(
            f"{op}: {reduction!r} is not a valid value for reduction "
            f"(expected one of {_REDUCTIONS})"
        )


def _reduce(loss: np.ndarray, reduction: str, total: Any) -> np.ndarray:
    """The per-entry losses reduced; ``total`` is the denominator of the mean."""
    if reduction == "none":
        return loss
    summed = loss.sum()
    if reduction == "sum":
        return summed
    with np.errstate(invalid="ignore", divide="ignore"):  # an empty or all-ignored batch: nan
        return summed / total


def _upstream(grad: np.ndarray, ctx: Function) -> np.ndarray:
    """d(loss)/d(loss of each entry): the target's shape (N, d1, ...), or a scalar."""
    if ctx.reduction == "none":
        return grad[None] if ctx.unbatched else grad
    return grad / ctx.total if ctx.reduction == "mean" else grad


def _per_class(a: Any) -> Any:
    """A per-entry array (N, d1, ...) as (N, 1, d1, ...), to broadcast over classes."""
    return np.expand_dims(a, 1) if np.ndim(a) else a


def _class_grad(ctx: Function, grad: np.ndarray) -> np.ndarray:
    """``ctx.gradient``; ignored entries get exactly 0 even when the mean is over nothing."""
    if ctx.reduction != "mean" or ctx.total != 0:
        grad_x = ctx.gradient(ctx, _upstream(grad, ctx))
    else:  # an all-ignored (or zero-weight) batch: the upstream gradient is inf or nan
        with np.errstate(invalid="ignore", divide="ignore"):
            grad_x = ctx.gradient(ctx, _upstream(grad, ctx))
        keep = ctx.saved_tensors[-1]
        if keep is not None:
            grad_x = np.where(np.expand_dims(keep, 1), grad_x, 0)
    return grad_x[0] if ctx.unbatched else grad_x


def _entry_weights(w: Any, t: np.ndarray, keep: Any, dtype: np.dtype) -> tuple[Any, Any]:
    """(weight of each entry's target, 0 where ignored; mean denominator). None weights = 1."""
    if w is None:
        if keep is None:
            return None, t.size
        return keep.astype(dtype), int(keep.sum())
    picked = w[t]
    if keep is not None:
        picked = picked * keep
    return picked, picked.sum()


def _over_classes(w: np.ndarray, ndim: int) -> np.ndarray:
    """Class weights shaped (C, 1, ...) to broadcast along dim 1 of an (N, C, d1, ...) array."""
    return w.reshape(w.shape + (1,) * (ndim - 2))


class CrossEntropy(Function):
    """l = -(1-e) w_t log p_t - (e/C) sum_c w_c log p_c  with p = softmax(x) over classes;
    dl/dx = (1-e) w_t (p - onehot_t) + (e/C) (sum(w) p - w)   (all w = 1 without weights)."""

    @staticmethod
    def forward(ctx, x, t, w, ignore_index, reduction, smoothing):
        ctx.unbatched = x.ndim == 1
        _weight_not_differentiable("cross_entropy", ctx)
        x, t = _class_layout("cross_entropy", x, t)
        classes = x.shape[1]
        w = _class_weights("cross_entropy", w, x)
        index, keep = _targets("cross_entropy", t, classes, ignore_index)
        shifted, exps, total = _shifted_exp(x, 1)
        log_total = np.log(total[:, 0])
        log_p_t = shifted[index] - log_total
        entry_w, ctx.total = _entry_weights(w, index[1], keep, x.dtype)
        loss = -log_p_t if entry_w is None else -log_p_t * entry_w
        if smoothing:
            if w is None:  # -sum_c log p_c
                smooth = classes * log_total - shifted.sum(axis=1)
            else:  # -sum_c w_c log p_c
                smooth = w.sum() * log_total - (shifted * _over_classes(w, x.ndim)).sum(axis=1)
            if keep is not None:
                smooth *= keep
            loss = (1 - smoothing) * loss + (smoothing / classes) * smooth
        ctx.reduction = reduction
        if ctx.needs_input_grad[0]:
            exps /= total
            ctx.save_for_backward(exps, index, w, entry_w, keep)
            ctx.smoothing = smoothing
        out = _reduce(loss, reduction, ctx.total)
        return out[0] if ctx.unbatched and reduction == "none" else out

    @staticmethod
    def backward(ctx, grad):
        return _class_grad(ctx, grad), None, None, None, None, None

    @staticmethod
    def gradient(ctx, up):
        """dl/dx given ``up``, the upstream gradient of each entry's loss."""
        p, index, w, entry_w, keep = ctx.saved_tensors
        e = ctx.smoothing
        at_target = up if entry_w is None else up * entry_w
        scale = at_target
        if e:
            classes = p.shape[1]
            at_target = (1 - e) * at_target
            uniform = up * (e / classes) if keep is None else up * (e / classes) * keep
            scale = at_target + uniform * (classes if w is None else w.sum())
        grad_x = p * _per_class(scale)
        grad_x[index] -= at_target
        if e:
            uniform = _per_class(uniform)
            grad_x -= uniform if w is None else uniform * _over_classes(w, p.ndim)
        return grad_x


class ClassCrossEntropy(Function):
    """The common case of ``CrossEntropy``: (N, C) logits, N class indices, no weights,
    no smoothing, mean or sum.  l_i = log sum_c exp(x_ic) - x_i,t;  dl/dx = p - onehot."""

    @staticmethod
    def forward(ctx, x, t, mean):
        n, classes = x.shape
        # Entry (i, t_i) of an (N, C) array is entry i * C + t_i of its flat view.
        at_target = np.arange(0, n * classes, classes) + t
        shifted = x - max_rows(x)[:, None]
        exps = np.exp(shifted)
        total = sum_rows(exps)
        loss = add_reduce(np.log(total) - shifted.reshape(-1)[at_target], None)
        if mean:
            with np.errstate(invalid="ignore", divide="ignore"):  # an empty batch: nan
                loss = loss / n
        if ctx.needs_input_grad[0]:
            exps /= total[:, None]
            ctx.save_for_backward(exps, at_target)
            ctx.mean = mean
        return loss

    @staticmethod
    def backward(ctx, grad):
        p, at_target = ctx.saved_tensors
        scale = grad / len(at_target) if ctx.mean else grad
        grad_x = p * scale  # p * s - onehot * s, in PyTorch's order of operations
        grad_x.reshape(-1)[at_target] -= scale
        return grad_x, None, None


class SoftCrossEntropy(Function):
    """l = -sum_c w_c q_c log p_c with q = (1-e) target + e/C;  dl/dx = p sum_c(w_c q_c) - w q,
    dl/dtarget = -(1-e) w log p, dl/dw = -q log p."""

    @staticmethod
    def forward(ctx, x, q, w, reduction, smoothing):
        ctx.unbatched = x.ndim == 1
        if ctx.unbatched:
            x, q = x[None], q[None]
        classes = x.shape[1]
        w = _class_weights("cross_entropy", w, x)
        if smoothing:
            q = (1 - smoothing) * q + smoothing / classes
        log_p, exps, total = _shifted_exp(x, 1)
        log_p -= np.log(total)
        wq = q if w is None else q * _over_classes(w, x.ndim)
        loss = -(log_p * wq).sum(axis=1)
        ctx.reduction, ctx.total, ctx.smoothing = reduction, loss.size, smoothing
        if any(ctx.needs_input_grad):
            exps /= total
            ctx.save_for_backward(exps, log_p, q, wq, w)
        out = _reduce(loss, reduction, loss.size)
        return out[0] if ctx.unbatched and reduction == "none" else out

    @staticmethod
    def backward(ctx, grad):
        p, log_p, q, wq, w = ctx.saved_tensors
        needs_x, needs_q, needs_w = ctx.needs_input_grad[:3]
        up = _per_class(_upstream(grad, ctx))
        grad_x = grad_q = grad_w = None
        if needs_x:
            grad_x = up * (p * wq.sum(axis=1, keepdims=True) - wq)
        if needs_q:
            weighted = log_p if w is None else log_p * _over_classes(w, p.ndim)
            grad_q = -(1 - ctx.smoothing) * up * weighted
        if needs_w:
            grad_w = -(up * q * log_p).sum(axis=(0, *range(2, p.ndim)))
        if ctx.unbatched:
            grad_x = None if grad_x is None else grad_x[0]
            grad_q = None if grad_q is None else grad_q[0]
        return grad_x, grad_q, grad_w, None, None


class NLLLoss(Function):
    """l = -w_t x_t (x holds log-probabilities);  dl/dx = -w_t at the target, 0 elsewhere."""

    @staticmethod
    def forward(ctx, x, t, w, ignore_index, reduction):
        ctx.unbatched = x.ndim == 1
        _weight_not_differentiable("nll_loss", ctx)
        x, t = _class_layout("nll_loss", x, t)
        w = _class_weights("nll_loss", w, x)
        index, keep = _targets("nll_loss", t, x.shape[1], ignore_index)
        entry_w, ctx.total = _entry_weights(w, index[1], keep, x.dtype)
        loss = -x[index] if entry_w is None else -x[index] * entry_w
        ctx.reduction = reduction
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(index, entry_w, keep)
            ctx.shape, ctx.dtype = x.shape, x.dtype
        out = _reduce(loss, reduction, ctx.total)
        return out[0] if ctx.unbatched and reduction == "none" else out

    @staticmethod
    def backward(ctx, grad):
        return _class_grad(ctx, grad), None, None, None, None

    @staticmethod
    def gradient(ctx, up):
        """dl/dx given ``up``, the upstream gradient of each entry's loss."""
        index, entry_w, _ = ctx.saved_tensors
        grad_x = np.zeros(ctx.shape, dtype=ctx.dtype)
        grad_x[index] = -up if entry_w is None else -up * entry_w
        return grad_x


def cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    ignore_index: int = -100,
    reduce: bool | None = None,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Cross-entropy between logits ``input`` and ``target``, as one op (like PyTorch's).

    ``input`` is (N, C), (C,) or (N, C, d1, ...); ``target`` holds class indices
    (int64, shape (N,), () or (N, d1, ...)) or class probabilities (same shape and
    dtype as ``input``). ``weight`` (C,) rescales each class; with ``reduction="mean"``
    and class indices the sum is divided by the total weight of the targets.
    Entries whose target is ``ignore_index`` count for nothing. ``label_smoothing``
    mixes the target with the uniform distribution over classes. ``size_average`` and
    ``reduce`` are PyTorch's deprecated spellings of ``reduction``.
    """
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    _check_reduction("cross_entropy", reduction)
    smoothing = float(label_smoothing)
    if not 0.0 <= smoothing <= 1.0:
        raise RuntimeError(
            f"cross_entropy: label_smoothing must be between 0.0 and 1.0, got {label_smoothing}"
        )
    if target.dtype in FLOATING and target.shape == input.shape and input.ndim:
        if target.dtype != input.dtype:
            raise RuntimeError(
                f"cross_entropy: target probabilities have dtype {target.dtype} but input has "
                f"dtype {input.dtype}"
            )
        return SoftCrossEntropy.apply(input, target, weight, reduction, smoothing)
    if _is_common_case(input, target, weight, ignore_index, reduction, smoothing):
        return ClassCrossEntropy._apply3(input, target, reduction == "mean")
    return CrossEntropy.apply(input, target, weight, int(ignore_index), reduction, smoothing)


def _is_common_case(input: Any, target: Any, weight: Any, ignore_index: int, reduction: str,
                    smoothing: float) -> bool:
    """(N, C) logits and valid class indices, no weights, smoothing or per-entry losses."""
    if weight is not None or smoothing or reduction == "none":
        return False
    if not (isinstance(input, Tensor) and isinstance(target, Tensor)):
        return False
    x, t = input.data, target.data
    if x.ndim != 2 or t.ndim != 1 or t.dtype != int64 or x.dtype.kind != "f" or len(t) != len(x):
        return False
    classes = x.shape[1]
    if 0 <= ignore_index < classes or not len(t):
        return False  # ignored entries, or an empty batch: the general path handles them
    graph_break("cross_entropy chooses its path by the values of the targets")
    return ids_in_range(t, classes)  # else the general path raises


def nll_loss(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    ignore_index: int = -100,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Negative log-likelihood of class ``target`` under log-probabilities ``input``.

    Shapes, ``weight``, ``ignore_index`` and ``reduction`` (and the deprecated
    ``size_average``/``reduce``) as in ``cross_entropy``.
    """
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    _check_reduction("nll_loss", reduction)
    return NLLLoss.apply(input, target, weight, int(ignore_index), reduction)
