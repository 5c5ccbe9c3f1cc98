"""``BatchNorm1d``, ``BatchNorm2d``, ``LayerNorm``, ``GroupNorm`` and ``RMSNorm`` modules (the
math is in ``ops/normalization.py`` and ``ops/group_rms_norm.py``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..dtypes import as_dtype
from ..ops.group_rms_norm import group_norm, rms_norm
from ..ops.normalization import _batch_norm, layer_norm
from ..tensor import Tensor
from .module import Module
from .parameter import Parameter


def _register_affine(module: Module, shape: Any, dtype: Any, affine: bool, bias: bool) -> None:
    """Register ``weight`` (ones) and ``bias`` (zeros) of ``shape``, or None for each one
    that is off (``affine`` False turns both off)."""
    float_dtype = as_dtype(dtype) if dtype is not None else np.dtype(np.float32)
    weight = Parameter(np.ones(shape, dtype=float_dtype)) if affine else None
    module.register_parameter("weight", weight)
    module.register_parameter(
        "bias", Parameter(np.zeros(shape, dtype=float_dtype)) if affine and bias else None)


class BatchNorm1d(Module):
    """Batch normalisation over (N, C) or (N, C, L) input, per channel.

    Training: normalise with the batch's mean and biased variance, and update
    ``running_mean`` / ``running_var`` (unbiased) with ``momentum`` (None: a
    cumulative average). Evaluation: normalise with the running statistics.
    """

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        device: Any = None,
        dtype: Any = None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__()
        if not isinstance(num_features, int) or num_features <= 0:
            raise ValueError(f"{type(self).__name__}: num_features must be a positive int, "
                             f"got {num_features!r}")
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        float_dtype = as_dtype(dtype) if dtype is not None else np.dtype(np.float32)
        _register_affine(self, num_features, dtype, affine, bias)
        if track_running_stats:
            self.register_buffer("running_mean", Tensor(np.zeros(num_features, float_dtype)))
            self.register_buffer("running_var", Tensor(np.ones(num_features, float_dtype)))
            self.register_buffer("num_batches_tracked", Tensor(np.array(0, dtype=np.int64)))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        if device is not None:
            self.to(device)

    def reset_running_stats(self) -> None:
        """Running mean 0, running variance 1, no batches seen."""
        if self.track_running_stats:
            self.running_mean.data[...] = 0
            self.running_var.data[...] = 1
            self.num_batches_tracked.data[...] = 0

    _dims: tuple[int, ...] = (2, 3)

    def forward(self, input: Tensor) -> Tensor:
        if input.ndim not in self._dims:
            expected = " or ".join(f"{n}D" for n in self._dims)
            raise ValueError(f"expected {expected} input (got {input.ndim}D input)")
        if input.shape[1] != self.num_features:
            raise RuntimeError(
                f"{type(self).__name__}({self.num_features}): input of shape "
                f"{tuple(input.shape)} has {input.shape[1]} channels in dim 1, expected "
                f"{self.num_features}"
            )
        use_batch_stats = self.training or not self.track_running_stats
        update = self.training and self.track_running_stats
        return _batch_norm(
            input,
            self.running_mean if update or not use_batch_stats else None,
            self.running_var if update or not use_batch_stats else None,
            self.weight,
            self.bias,
            use_batch_stats,
            self.momentum if update else 0.0,
            self.eps,
            self.num_batches_tracked if update else None,
        )

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")


class BatchNorm2d(BatchNorm1d):
    """Batch normalisation over (N, C, H, W) input, per channel (over N, H and W)."""

    _dims = (4,)


class LayerNorm(Module):
    """Normalise each sample over its trailing ``normalized_shape`` dims."""

    def __init__(
        self,
        normalized_shape: int | tuple[int, ...] | list[int],
        eps: float = 1e-5,
        elementwise_affine: bool = True,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        shape = ((normalized_shape,) if isinstance(normalized_shape, int)
                 else tuple(normalized_shape))
        self.normalized_shape = shape
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        _register_affine(self, shape, dtype, elementwise_affine, bias)
        if device is not None:
            self.to(device)

    def forward(self, input: Tensor) -> Tensor:
        return layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}")


class GroupNorm(Module):
    """Normalise (N, C, ...) input over groups of channels of each sample (``F.group_norm``),
    then scale and shift each channel (``weight`` ones, ``bias`` zeros at the start)."""

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5,
                 affine: bool = True, device: Any = None, dtype: Any = None, *,
                 bias: bool = True) -> None:
        super().__init__()
        if num_channels % num_groups:
            raise ValueError(f"num_channels ({num_channels}) must be divisible by num_groups "
                             f"({num_groups})")
        self.num_groups, self.num_channels, self.eps, self.affine = (num_groups, num_channels,
                                                                     eps, affine)
        _register_affine(self, num_channels, dtype, affine, bias)
        if device is not None:
            self.to(device)

    def forward(self, input: Tensor) -> Tensor:
        return group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, "
                f"affine={self.affine}, bias={self.bias is not None}")


class RMSNorm(Module):
    """Divide each sample by the root mean square of its trailing ``normalized_shape`` dims
    (``F.rms_norm``), then scale elementwise (``weight`` ones at the start)."""

    def __init__(self, normalized_shape: int | tuple[int, ...] | list[int],
                 eps: float | None = None, elementwise_affine: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self.normalized_shape = ((normalized_shape,) if isinstance(normalized_shape, int)
                                 else tuple(normalized_shape))
        self.eps, self.elementwise_affine = eps, elementwise_affine
        float_dtype = as_dtype(dtype) if dtype is not None else np.dtype(np.float32)
        if elementwise_affine:
            self.weight = Parameter(np.ones(self.normalized_shape, dtype=float_dtype))
        else:
            self.register_parameter("weight", None)
        if device is not None:
            self.to(device)

    def forward(self, input: Tensor) -> Tensor:
        return rms_norm(input, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}")
