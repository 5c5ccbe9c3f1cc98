"""Channel dropout, as PyTorch's ``Dropout1d``, ``Dropout2d`` and ``Dropout3d``: each whole
channel (a feature map) of each sample is zeroed with probability ``p`` and the rest
scaled by 1 / (1 - p), so neighbouring, correlated values are dropped together."""

from __future__ import annotations

import warnings

import numpy as np

from ..function import Function
from ..random import numpy_generator
from ..tensor import Tensor
from .dropout import Dropout, _check_p

__all__ = ["Dropout1d", "Dropout2d", "Dropout3d", "dropout1d", "dropout2d", "dropout3d"]


class _ChannelDropout(Function):
    """out = x * mask / (1 - p), one mask value per leading ``channels`` dims (broadcast over
    the rest);  d/dx = the same."""

    @staticmethod
    def forward(ctx, x, p, channel_dims):
        shape = x.shape[:channel_dims] + (1,) * (x.ndim - channel_dims)
        keep = numpy_generator().random(shape) >= p
        mask = keep * np.asarray(1.0 / (1.0 - p), dtype=x.dtype)
        ctx.save_for_backward(mask)
        return x * mask

    @staticmethod
    def backward(ctx, grad):
        (mask,) = ctx.saved_tensors
        return grad * mask, None, None


def _channel_dropout(input: Tensor, p: float, training: bool, channel_dims: int) -> Tensor:
    _check_p(p)
    if not training or p == 0:
        return input
    if p == 1:
        return input * 0.0
    return _ChannelDropout.apply(input, p, channel_dims)


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, L) or (C, L) input with probability ``p``."""
    if input.ndim not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {input.ndim}D input. Note "
            "that dropout1d exists to provide channel-wise dropout on inputs with 1 spatial "
            "dimension, a channel dimension, and an optional batch dimension (i.e. 2D or 3D "
            "inputs)."
        )
    return _channel_dropout(input, p, training, input.ndim - 1)


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, H, W) input with probability ``p`` (a 3-D input is
    taken as (N, C, L), with PyTorch's warning)."""
    if input.ndim == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D "
            "dropout behavior is desired - input is interpreted as shape (N, C, L), where C is "
            "the channel dim. This behavior will change in a future release to interpret the "
            "input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D "
            "channel-wise dropout behavior, please switch to using dropout1d instead.",
            stacklevel=2,
        )
    elif input.ndim != 4:
        _warn_dims("dropout2d", input.ndim, 2)
    return _channel_dropout(input, p, training, min(2, input.ndim))


def dropout3d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, D, H, W) or (C, D, H, W) input with probability ``p``."""
    if input.ndim not in (4, 5):
        _warn_dims("dropout3d", input.ndim, 3)
    return _channel_dropout(input, p, training, 1 if input.ndim == 4 else min(2, input.ndim))


def _warn_dims(op: str, ndim: int, spatial: int) -> None:
    warnings.warn(
        f"{op}: Received a {ndim}-D input to {op}, which is deprecated and will result in an "
        f"error in a future release. To retain the behavior and silence this warning, please "
        f"use dropout instead. Note that {op} exists to provide channel-wise dropout on "
        f"inputs with {spatial} spatial dimensions, a channel dimension, and an optional "
        f"batch dimension (i.e. {spatial + 1}D or {spatial + 2}D inputs).",
        stacklevel=3,
    )


class Dropout1d(Dropout):
    """Channel dropout of (N, C, L) or (C, L) input in training mode."""

    def forward(self, input: Tensor) -> Tensor:
        return dropout1d(input, self.p, self.training)


class Dropout2d(Dropout):
    """Channel dropout of (N, C, H, W) input in training mode."""

    def forward(self, input: Tensor) -> Tensor:
        return dropout2d(input, self.p, self.training)


class Dropout3d(Dropout):
    """Channel dropout of (N, C, D, H, W) or (C, D, H, W) input in training mode."""

    def forward(self, input: Tensor) -> Tensor:
        return dropout3d(input, self.p, self.training)
