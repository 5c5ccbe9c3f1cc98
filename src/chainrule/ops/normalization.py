"""Batch and layer normalisation, each one fused op with its closed-form backward.

With x_hat = (x - mean) / sqrt(var + eps) over the n values being normalised
together (var the biased variance) and out = gamma * x_hat + beta, the chain rule
through mean and var collapses (makemore part 4) to

    dx = gamma / sqrt(var + eps) / n * (n * dout - sum(dout) - x_hat * sum(dout * x_hat))

and dgamma = sum(dout * x_hat), dbeta = sum(dout), the sums over the same values.
"""

from __future__ import annotations

import math

import numpy as np

from ..function import Function
from ..tensor import Tensor
from ._matrix_sums import add_reduce, sum_columns

__all__ = ["batch_norm", "layer_norm"]


def _channel_view(array: np.ndarray | None, ndim: int) -> np.ndarray | None:
    """A per-channel (C,) array shaped to broadcast against (N, C, ...)."""
    if array is None or ndim == 2:
        return array
    return array.reshape((-1,) + (1,) * (ndim - 2))


def _batch_axes(ndim: int) -> tuple[int, ...]:
    """Every axis of an (N, C, ...) array but the channels'."""
    return (0, *range(2, ndim))


def _sum_per_channel(array: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    """Sum over ``axes`` (every axis but the channels'), keeping the dims."""
    if len(axes) == 1:
        return sum_columns(array)[None]
    return add_reduce(array, axes, True)


class BatchNorm(Function):
    """Normalise each channel with this batch's mean and biased variance (training).

    ``batches_tracked`` (a 0-d int64 array, or None) counts the batches seen, in place;
    with ``momentum`` None the running statistics are then the cumulative average.
    """

    @staticmethod
    def forward(ctx, x, weight, bias, running_mean, running_var, batches_tracked, momentum, eps):
        if batches_tracked is not None:
            batches_tracked[()] += 1  # 0-d: a tenth of `+=` on the array
            if momentum is None:
                momentum = 1.0 / float(batches_tracked)
        axes = _batch_axes(x.ndim)
        n = x.size // x.shape[1]
        mean = _sum_per_channel(x, axes) / n
        centered = x - mean
        var = _sum_per_channel(np.square(centered), axes) / n
        inv_std = 1.0 / np.sqrt(var + eps)
        if running_mean is not None:
            running_mean *= 1 - momentum
            running_mean += momentum * mean.reshape(-1)
        if running_var is not None:
            running_var *= 1 - momentum
            running_var += (momentum * n / max(n - 1, 1)) * var.reshape(-1)
        gamma = _channel_view(weight, x.ndim)
        if any(ctx.needs_input_grad[:3]):
            # x_hat = centered * inv_std is never formed: its per-channel factor is folded
            # into the others, here and in backward (one pass over the batch fewer).
            ctx.save_for_backward(centered, inv_std, gamma)
            ctx.axes = axes
        out = centered * (inv_std if gamma is None else inv_std * gamma)
        if bias is not None:
            out += _channel_view(bias, x.ndim)
        return out

    @staticmethod
    def backward(ctx, grad):
        centered, inv_std, gamma = ctx.saved_tensors
        axes = ctx.axes
        needs_x, needs_weight, needs_bias = ctx.needs_input_grad[:3]
        grad_sum = _sum_per_channel(grad, axes)
        grad_dot_x_hat = _sum_per_channel(grad * centered, axes) * inv_std
        grad_x = grad_weight = grad_bias = None
        if needs_x:
            n = grad.size // grad.shape[1]
            scale = inv_std / n if gamma is None else gamma * inv_std / n
            grad_x = n * grad
            grad_x -= grad_sum
            grad_x -= centered * (inv_std * grad_dot_x_hat)  # x_hat * sum(grad * x_hat)
            grad_x *= scale
        if needs_weight:
            grad_weight = grad_dot_x_hat.reshape(-1)
        if needs_bias:
            grad_bias = grad_sum.reshape(-1)
        return grad_x, grad_weight, grad_bias, None, None, None, None, None


class BatchNormEval(Function):
    """Normalise with fixed statistics (evaluation): an affine map per channel."""

    @staticmethod
    def forward(ctx, x, weight, bias, running_mean, running_var, eps):
        inv_std = 1.0 / np.sqrt(running_var + eps)
        scale = inv_std if weight is None else weight * inv_std
        shift = -running_mean * scale if bias is None else bias - running_mean * scale
        scale, shift = _channel_view(scale, x.ndim), _channel_view(shift, x.ndim)
        x_hat = None
        if ctx.needs_input_grad[1]:
            x_hat = (x - _channel_view(running_mean, x.ndim)) * _channel_view(inv_std, x.ndim)
        ctx.save_for_backward(scale, x_hat)
        ctx.axes = _batch_axes(x.ndim)
        return x * scale + shift

    @staticmethod
    def backward(ctx, grad):
        scale, x_hat = ctx.saved_tensors
        needs_x, needs_weight, needs_bias = ctx.needs_input_grad[:3]
        grad_x = grad * scale if needs_x else None
        grad_weight = (grad * x_hat).sum(axis=ctx.axes) if needs_weight else None
        grad_bias = grad.sum(axis=ctx.axes) if needs_bias else None
        return grad_x, grad_weight, grad_bias, None, None, None


def _raise_channel_mismatch(input: Tensor, *tensors: Tensor | None) -> None:
    """Name the first of batch_norm's per-channel tensors whose shape is not (C,)."""
    channels = input.shape[1]
    names = ("running_mean", "running_var", "weight", "bias")
    for name, tensor in zip(names, tensors):
        if tensor is not None and tensor.shape != (channels,):
            raise RuntimeError(
                f"batch_norm: {name} should have shape ({channels},) to match the {channels} "
                f"channels of input of shape {tuple(input.shape)}, got {tuple(tensor.shape)}"
            )


def batch_norm(
    input: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Batch normalisation of (N, C, ...) input over every dim but C, per channel C.

    In training, the batch's statistics normalise and the running statistics (if
    given) are updated in place: ``running = (1 - momentum) * running + momentum
    * batch`` with the unbiased variance stored, as PyTorch does. Otherwise the
    running statistics normalise.
    """
    return _batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)


def _batch_norm(
    input: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None,
    bias: Tensor | None,
    training: bool,
    momentum: float | None,
    eps: float,
    num_batches_tracked: Tensor | None = None,
) -> Tensor:
    """``batch_norm``, counting the batch into ``num_batches_tracked`` (if given) when
    training; ``momentum`` None then means the cumulative average (``BatchNorm1d``'s)."""
    if input.ndim < 2:
        raise ValueError(f"batch_norm: expected an input of 2 or more dims (N, C, ...), got "
                         f"{input.ndim}D input")
    channels = input.shape[1]
    expected = (channels,)
    for tensor in (running_mean, running_var, weight, bias):
        if tensor is not None and tensor.data.shape != expected:
            _raise_channel_mismatch(input, running_mean, running_var, weight, bias)
    if training:
        if input.data.size // channels <= 1:
            raise ValueError(
                "Expected more than 1 value per channel when training, got input size "
                f"{tuple(input.shape)}"
            )
        return BatchNorm.apply(input, weight, bias, running_mean, running_var,
                               num_batches_tracked, momentum, eps)
    if running_mean is None or running_var is None:
        raise ValueError("batch_norm: running_mean and running_var are needed when not training")
    return BatchNormEval.apply(input, weight, bias, running_mean, running_var, eps)


class LayerNorm(Function):
    """Normalise over the trailing ``k`` dims of each sample; gamma/beta of those dims."""

    @staticmethod
    def forward(ctx, x, k, weight, bias, eps):
        axes = tuple(range(x.ndim - k, x.ndim))
        n = math.prod(x.shape[x.ndim - k:])
        mean = add_reduce(x, axes, True) / n
        x_hat = x - mean
        var = add_reduce(np.square(x_hat), axes, True) / n
        inv_std = 1.0 / np.sqrt(var + eps)
        x_hat *= inv_std
        ctx.save_for_backward(x_hat, inv_std, weight)
        ctx.axes = axes
        out = x_hat * weight if weight is not None else x_hat.copy()
        if bias is not None:
            out += bias
        return out

    @staticmethod
    def backward(ctx, grad):
        x_hat, inv_std, weight = ctx.saved_tensors
        axes = ctx.axes
        needs_x, _, needs_weight, needs_bias = ctx.needs_input_grad[:4]
        batch_axes = tuple(range(grad.ndim - len(axes)))
        grad_x = grad_weight = grad_bias = None
        if needs_x:
            g = grad * weight if weight is not None else grad
            grad_x = g - g.mean(axis=axes, keepdims=True)
            grad_x -= x_hat * (g * x_hat).mean(axis=axes, keepdims=True)
            grad_x *= inv_std
        if needs_weight:
            grad_weight = (grad * x_hat).sum(axis=batch_axes)
        if needs_bias:
            grad_bias = grad.sum(axis=batch_axes)
        return grad_x, None, grad_weight, grad_bias, None


def layer_norm(
    input: Tensor,
    normalized_shape: int | tuple[int, ...] | list[int],
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise over the trailing dims given by ``normalized_shape``, per sample."""
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    if tuple(input.shape[len(input.shape) - len(shape):]) != shape:
        raise RuntimeError(
            f"layer_norm: normalized_shape {shape} does not match the trailing dimensions of "
            f"input of shape {tuple(input.shape)}"
        )
    return LayerNorm.apply(input, len(shape), weight, bias, eps)

