"""``group_norm`` and ``rms_norm``, composed of chainrule's ops (so their gradients are the
composition's): group norm is ``layer_norm`` over each sample's groups of channels, then a
per-channel scale and shift; RMS norm divides by the root mean square of the last dims."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..tensor import Tensor
from .elementwise import _not_tensor
from .normalization import LayerNorm

__all__ = ["group_norm", "rms_norm"]


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Normalise (N, C, ...) input over each sample's ``num_groups`` groups of C / groups
    channels (and every other dim), then scale and shift each channel."""
    if not isinstance(input, Tensor):
        raise _not_tensor("group_norm", "input", input)
    if input.ndim < 2 or input.shape[1] % num_groups:
        raise RuntimeError(
            "Expected number of channels in input to be divisible by num_groups, but got input "
            f"of shape {list(input.shape)} and num_groups={num_groups}"
        )
    n, channels = input.shape[0], input.shape[1]
    grouped = input.reshape(n, num_groups, -1)
    out = LayerNorm.apply(grouped, 1, None, None, eps).reshape(input.shape)
    channel_view = (channels,) + (1,) * (input.ndim - 2)
    if weight is not None:
        out = out * weight.reshape(channel_view)
    if bias is not None:
        out = out + bias.reshape(channel_view)
    return out


def rms_norm(input: Tensor, normalized_shape: int | Sequence[int],
             weight: Tensor | None = None, eps: float | None = None) -> Tensor:
    """input / sqrt(mean(input ** 2 over the trailing ``normalized_shape`` dims) + eps),
    times ``weight``; ``eps`` None is the dtype's machine epsilon, as in PyTorch."""
    if not isinstance(input, Tensor):
        raise _not_tensor("rms_norm", "input", input)
    shape = ((normalized_shape,) if isinstance(normalized_shape, int)
             else tuple(normalized_shape))
    if tuple(input.shape[input.ndim - len(shape):]) != shape or len(shape) > input.ndim:
        raise RuntimeError(
            f"Given normalized_shape={list(shape)}, expected input with shape "
            f"[*{', '.join(str(n) for n in shape)}], but got input of size{list(input.shape)}"
        )
    if eps is None:
        eps = float(np.finfo(input.dtype).eps)
    dims = tuple(range(input.ndim - len(shape), input.ndim))
    out = input * ((input * input).mean(dim=dims, keepdim=True) + eps).rsqrt()
    return out if weight is None else out * weight
