"""Elementwise losses: mse, l1, huber, smooth_l1, binary cross-entropy (on probabilities and
on logits) and the Gaussian negative log-likelihood.

Each is one ``Function``: forward computes the loss of every element and reduces it
(``reduction='none' | 'mean' | 'sum'``); backward is the closed-form derivative times
the upstream gradient (divided by the count for ``'mean'``). Losses on probabilities
clamp their logs at -100 as PyTorch does; the logits form is written with softplus, so
logits of any magnitude give finite losses and gradients. (``cross_entropy`` and
``nll_loss`` live in ``cross_entropy``.)
"""

from __future__ import annotations

import math

import numpy as np

from .._capture import graph_break
from ..broadcast import unbroadcast
from ..function import Function
from ..tensor import Tensor
from ._loss_common import (
    _difference_grads,
    _difference_loss,
    _floats,
    _not_differentiable,
    _pair,
    _reduce,
    _reduction,
    _sample_weight,
    _upstream,
)
from .elementwise import _not_tensor, _sign

__all__ = [
    "mse_loss", "l1_loss", "huber_loss", "smooth_l1_loss", "binary_cross_entropy",
    "binary_cross_entropy_with_logits", "gaussian_nll_loss",
]

_HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)
_BCE_EPS = float(np.float32(1e-12))  # PyTorch's floor under x (1 - x), a float32 constant


class MSELoss(Function):
    """l = d**2 with d = x - t;  dl/dx = 2 d = -dl/dt  (times weight w; dl/dw = d**2)."""

    @staticmethod
    def forward(ctx, x, t, w, reduction):
        x, t = _floats("mse_loss", x, t)
        d = x - t
        return _difference_loss(ctx, d * d, d, w, reduction, True)

    @staticmethod
    def backward(ctx, grad):
        d = ctx.saved_tensors[0]
        return _difference_grads(ctx, grad, lambda: 2 * d)


class L1Loss(Function):
    """l = |d| with d = x - t;  dl/dx = sign(d) = -dl/dt (0 at d = 0 and, as PyTorch's
    |x - t|, where d is nan)."""

    @staticmethod
    def forward(ctx, x, t, w, reduction):
        x, t = _floats("l1_loss", x, t)
        d = x - t
        return _difference_loss(ctx, np.abs(d), d, w, reduction, True)

    @staticmethod
    def backward(ctx, grad):
        d = ctx.saved_tensors[0]
        return _difference_grads(ctx, grad, lambda: _sign(d))


class HuberLoss(Function):
    """l = d**2 / 2 where |d| < delta, else delta (|d| - delta / 2), all times ``scale``;
    dl/dx = clip(d, -delta, delta) * scale = -dl/dt.  (smooth_l1: delta = beta, scale = 1/beta.)"""

    @staticmethod
    def forward(ctx, x, t, w, reduction, delta, scale, op):
        x, t = _floats(op, x, t)
        d = x - t
        a = np.abs(d)
        m = np.minimum(a, delta)
        loss = 0.5 * m * m + delta * (a - m)  # both branches at once, no mask
        if scale != 1:
            loss *= scale
        ctx.delta, ctx.scale = delta, scale
        return _difference_loss(ctx, loss, d, w, reduction, False)

    @staticmethod
    def backward(ctx, grad):
        d = ctx.saved_tensors[0]
        slope = lambda: np.clip(d, -ctx.delta, ctx.delta) * ctx.scale  # noqa: E731
        return (*_difference_grads(ctx, grad, slope), None, None, None)


# --- binary cross-entropy -----------------------------------------------------------------


class BinaryCrossEntropy(Function):
    """l = -w (t log x + (1 - t) log(1 - x)), each log clamped at -100;
    dl/dx = w (x - t) / max(x (1 - x), 1e-12),  dl/dt = w (log(1 - x) - log x)."""

    @staticmethod
    def forward(ctx, x, t, w, reduction):
        _not_differentiable("binary_cross_entropy", ctx, 2, "weight")
        with np.errstate(divide="ignore"):
            log_x, log_1mx = np.log(x), np.log1p(-x)
        loss = -(t * np.maximum(log_x, -100) + (1 - t) * np.maximum(log_1mx, -100))
        if w is not None:
            loss *= w
        needs_x, needs_t = ctx.needs_input_grad[:2]
        ctx.save_for_backward(x if needs_x else None, t if needs_x else None, w,
                              log_1mx - log_x if needs_t else None)
        return _reduce(ctx, loss, reduction)

    @staticmethod
    def backward(ctx, grad):
        x, t, w, log_odds = ctx.saved_tensors
        up = _upstream(ctx, grad)
        if w is not None:
            up = up * w
        grad_x = up * (x - t) / np.maximum(x * (1 - x), _BCE_EPS) if x is not None else None
        grad_t = up * log_odds if log_odds is not None else None
        return grad_x, grad_t, None, None


class BinaryCrossEntropyWithLogits(Function):
    """l = w ((1 - t) x + L softplus(-x)) with L = 1 + (p - 1) t  (p: pos_weight; L = 1 if absent);
    dl/dx = w ((1 - t) - L sigmoid(-x)),  dl/dt = -w x without p. With p, in PyTorch's form
    (the same where finite; it decides what an infinite x or t gives):
    dl/dx = w ((p t + 1 - t) sigmoid(x) - p t),  dl/dt = w (p softplus(-x) - softplus(x))."""

    @staticmethod
    def forward(ctx, x, t, w, p, reduction):
        op = "binary_cross_entropy_with_logits"
        _not_differentiable(op, ctx, 2, "weight")
        _not_differentiable(op, ctx, 3, "pos_weight")
        softplus = np.maximum(-x, 0) + np.log1p(np.exp(-np.abs(x)))  # log(1 + e**-x), finite
        if p is None:
            loss = (1 - t) * x + softplus
        else:
            loss = (1 - t) * x + (1 + (p - 1) * t) * softplus
        if w is not None:
            loss *= w
        needs_x, needs_t = ctx.needs_input_grad[:2]
        ctx.save_for_backward(x, t if needs_x else None, w, p, softplus if needs_t else None)
        out = _reduce(ctx, loss, reduction)
        return out.astype(t.dtype, copy=False)  # PyTorch returns the target's dtype

    @staticmethod
    def backward(ctx, grad):
        x, t, w, p, softplus = ctx.saved_tensors
        up = _upstream(ctx, grad)
        if w is not None:
            up = up * w
        grad_x = grad_t = None
        if t is not None:
            if p is None:
                with np.errstate(over="ignore"):  # sigmoid(-x) = 1 / (1 + e**x): inf gives 0
                    sigmoid_neg = 1 / (1 + np.exp(x))
                grad_x = up * ((1 - t) - sigmoid_neg)
            else:
                with np.errstate(over="ignore"):
                    sigmoid = 1 / (1 + np.exp(-x))
                pt = p * t
                grad_x = up * ((pt + 1 - t) * sigmoid - pt)
        if softplus is not None:
            if p is None:
                grad_t = -up * x
            else:  # log(1 + e**x), finite
                softplus_pos = np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))
                grad_t = up * (p * softplus - softplus_pos)
        return grad_x, grad_t, None, None, None


# --- Gaussian negative log-likelihood -----------------------------------------------------


class GaussianNLLLoss(Function):
    """l = (log v + d**2 / v) / 2  (+ log(2 pi) / 2 if full),  d = x - t,  v = max(var, eps);
    dl/dx = d / v = -dl/dt,  dl/dvar = (1 / v - d**2 / v**2) / 2 (through the clamp, as
    PyTorch: the clamp is not differentiated)."""

    @staticmethod
    def forward(ctx, x, t, var, eps, full, reduction, unsqueeze):
        x, t = _floats("gaussian_nll_loss", x, t)
        if unsqueeze:  # var of shape input.shape[:-1]: one variance per row
            var = var[..., None]
        if isinstance(var, float):  # stays a Python float: float32 stays float32
            v = max(var, eps)
            log_v = math.log(v)
        else:
            v = np.maximum(var, eps)
            log_v = np.log(v)
        d = x - t
        scaled = d / v
        loss = 0.5 * (log_v + d * scaled)
        if full:
            loss += _HALF_LOG_2PI
        if any(ctx.needs_input_grad[:3]):
            ctx.save_for_backward(v, d, scaled)
            ctx.var_shape, ctx.unsqueezed = np.shape(var), unsqueeze
        return _reduce(ctx, loss, reduction)

    @staticmethod
    def backward(ctx, grad):
        v, d, scaled = ctx.saved_tensors
        needs_x, needs_t, needs_var = ctx.needs_input_grad[:3]
        up = _upstream(ctx, grad)
        grad_x = up * scaled if needs_x or needs_t else None
        grad_t = -grad_x if needs_t else None
        grad_var = None
        if needs_var:
            grad_var = unbroadcast(0.5 * up * (1 / v - scaled * scaled), ctx.var_shape)
            if ctx.unsqueezed:
                grad_var = grad_var[..., 0]
        return grad_x, grad_t, grad_var, None, None, None, None


# --- public functions ---------------------------------------------------------------------


def mse_loss(input: Tensor, target: Tensor, size_average: bool | None = None,
             reduce: bool | None = None, reduction: str = "mean",
             weight: Tensor | None = None) -> Tensor:
    """Mean squared error: (input - target)**2, reduced.

    A target of another shape warns (as PyTorch) and broadcasts. ``weight`` (the input's
    shape) multiplies each element's loss; the weighted mean divides by ``weight.sum()``.
    ``size_average`` and ``reduce`` are PyTorch's deprecated spellings of ``reduction``.
    """
    _pair("mse_loss", input, target)
    reduction = _reduction("mse_loss", reduction, size_average, reduce)
    _sample_weight("mse_loss", weight, input, exact=True)
    return MSELoss.apply(input, target, weight, reduction)


def l1_loss(input: Tensor, target: Tensor, size_average: bool | None = None,
            reduce: bool | None = None, reduction: str = "mean",
            weight: Tensor | None = None) -> Tensor:
    """Mean absolute error: |input - target|, reduced (``weight`` as in ``mse_loss``)."""
    _pair("l1_loss", input, target)
    reduction = _reduction("l1_loss", reduction, size_average, reduce)
    _sample_weight("l1_loss", weight, input, exact=True)
    return L1Loss.apply(input, target, weight, reduction)


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0,
               weight: Tensor | None = None) -> Tensor:
    """Squared error below ``delta``, linear (slope ``delta``) above, reduced.

    ``weight`` (the input's shape) multiplies each element's loss; its mean divides by
    the number of elements (PyTorch's choice, unlike ``mse_loss``).
    """
    _pair("huber_loss", input, target)
    reduction = _reduction("huber_loss", reduction)
    if not delta > 0:
        raise RuntimeError(f"huber_loss does not support non-positive values for delta, got "
                           f"{delta}.")
    _sample_weight("huber_loss", weight, input, exact=True)
    return HuberLoss.apply(input, target, weight, reduction, float(delta), 1.0, "huber_loss")


def smooth_l1_loss(input: Tensor, target: Tensor, size_average: bool | None = None,
                   reduce: bool | None = None, reduction: str = "mean",
                   beta: float = 1.0) -> Tensor:
    """0.5 d**2 / beta where |d| < beta, else |d| - 0.5 beta (d = input - target), reduced.

    ``beta=0`` is ``l1_loss``.
    """
    _pair("smooth_l1_loss", input, target)
    reduction = _reduction("smooth_l1_loss", reduction, size_average, reduce)
    if beta < 0:
        raise RuntimeError(f"smooth_l1_loss does not support negative values for beta, got "
                           f"{beta}.")
    if beta == 0:
        return L1Loss.apply(input, target, None, reduction)
    return HuberLoss.apply(input, target, None, reduction, float(beta), 1 / beta,
                           "smooth_l1_loss")


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                         size_average: bool | None = None, reduce: bool | None = None,
                         reduction: str = "mean") -> Tensor:
    """-(target log(input) + (1 - target) log(1 - input)), logs clamped at -100, reduced.

    ``input`` holds probabilities in [0, 1] and ``target`` values in [0, 1], with the
    same shape and dtype; ``weight`` broadcasts to the input's shape and rescales each
    element (the mean still divides by the number of elements).
    """
    op = "binary_cross_entropy"
    _pair(op, input, target, same_shape="Using a target size ({target}) that is different "
          "to the input size ({input}) is deprecated. Please ensure they have the same size.")
    reduction = _reduction(op, reduction, size_average, reduce)
    if target.dtype != input.dtype:
        raise RuntimeError(f"{op}: target has dtype {target.dtype} but input has dtype "
                           f"{input.dtype} (expected the same dtype)")
    if input.dtype.kind != "f":
        raise RuntimeError(f"{op}: expected a floating point input, got {input.dtype}")
    _sample_weight(op, weight, input, exact=False)
    x, t = input.data, target.data
    graph_break(f"{op} checks the values of its input and target in Python")
    if not ((x >= 0) & (x <= 1)).all():
        raise RuntimeError(f"{op}: all elements of input should be between 0 and 1")
    if not ((t >= 0) & (t <= 1)).all():
        raise RuntimeError(f"{op}: all elements of target should be between 0 and 1")
    if weight is not None and weight.dtype != input.dtype:
        weight = weight.to(input.dtype)
    return BinaryCrossEntropy.apply(input, target, weight, reduction)


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor,
                                     weight: Tensor | None = None,
                                     size_average: bool | None = None,
                                     reduce: bool | None = None, reduction: str = "mean",
                                     pos_weight: Tensor | None = None) -> Tensor:
    """Binary cross-entropy of sigmoid(input) against ``target``, computed from the logits.

    Stable for logits of any magnitude (softplus form). ``weight`` rescales each element,
    ``pos_weight`` the positive term (one per class, broadcast along the last dim); both
    broadcast to the input's shape. The result has the target's dtype, as in PyTorch.
    """
    op = "binary_cross_entropy_with_logits"
    _pair(op, input, target,
          same_shape="Target size ({target}) must be the same as input size ({input})")
    reduction = _reduction(op, reduction, size_average, reduce)
    if input.dtype.kind != "f" or target.dtype.kind != "f":
        raise RuntimeError(f"{op}: expected floating point input and target, got "
                           f"{input.dtype} and {target.dtype}")
    _sample_weight(op, weight, input, exact=False)
    _sample_weight(op, pos_weight, input, exact=False)
    return BinaryCrossEntropyWithLogits.apply(input, target, weight, pos_weight, reduction)


def gaussian_nll_loss(input: Tensor, target: Tensor, var: Tensor | float, full: bool = False,
                      eps: float = 1e-6, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of ``target`` under Normal(input, var), reduced.

    ``var`` has the input's shape, or one dimension fewer (one variance per row), or
    broadcasts to it with a single size-1 dimension, or is a number; it must not be
    negative, and is clamped to at least ``eps`` (the gradient passes through the clamp,
    as in PyTorch). ``full`` adds the constant log(2 pi) / 2.
    """
    op = "gaussian_nll_loss"
    if not isinstance(input, Tensor):
        raise _not_tensor(op, "input", input)
    if not isinstance(target, Tensor):
        raise _not_tensor(op, "target", target, 2)
    unsqueeze = False
    if isinstance(var, Tensor):
        graph_break(f"{op} checks the values of var in Python")
        if (var.data < 0).any():
            raise ValueError(f"{op}: var has negative entry/entries")
        if var.shape != input.shape:
            unsqueeze = input.shape[:-1] == var.shape
            mismatched = [v for i, v in zip(input.shape, var.shape) if i != v]
            if not unsqueeze and not (var.ndim == input.ndim and sum(mismatched) == 1):
                raise ValueError(
                    f"{op}: var is of incorrect size: expected the input's shape {input.shape}, "
                    f"{input.shape[:-1]}, or that shape with one dimension of size 1; got "
                    f"{var.shape}"
                )
    elif isinstance(var, (int, float)):
        if var < 0:
            raise ValueError(f"{op}: var has negative entry/entries")
        var = float(var)
    else:
        raise _not_tensor(op, "var", var, 3)
    reduction = _reduction(op, reduction)
    return GaussianNLLLoss.apply(input, target, var, float(eps), bool(full), reduction,
                                 unsqueeze)
