"""``Conv1d`` and ``Conv2d``: learned convolutions, initialised and printed as PyTorch's."""

from __future__ import annotations

from typing import Any

from ..ops.convolution import conv1d, conv2d
from ..ops.padding import pad
from ..tensor import Tensor
from .linear import _empty, reset_like_pytorch
from .module import Module

__all__ = ["Conv1d", "Conv2d"]

_PADDING_STRINGS = {"same", "valid"}
_PADDING_MODES = {"zeros", "reflect", "replicate", "circular"}


def _tuple(value: Any, dims: int) -> tuple[int, ...]:
    return tuple(value) if isinstance(value, (tuple, list)) else (value,) * dims


class _ConvNd(Module):
    """What Conv1d and Conv2d share (PyTorch's constructor signature among it): checks,
    parameters, initialisation, forward and repr."""

    _dims = 2
    _function: Any

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, dilation: Any = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        if not isinstance(groups, int) or groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups:
            raise ValueError("out_channels must be divisible by groups")
        dims = self._dims
        stride, dilation = _tuple(stride, dims), _tuple(dilation, dims)
        if isinstance(padding, str):
            if padding not in _PADDING_STRINGS:
                raise ValueError(f"Invalid padding string {padding!r}, should be one of "
                                 f"{_PADDING_STRINGS}")
            if padding == "same" and any(s != 1 for s in stride):
                raise ValueError("padding='same' is not supported for strided convolutions")
        else:
            padding = _tuple(padding, dims)
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"padding_mode must be one of {_PADDING_MODES}, but got "
                             f"padding_mode='{padding_mode}'")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = _tuple(kernel_size, dims)
        self.stride, self.padding, self.dilation = stride, padding, dilation
        self.transposed, self.output_padding = False, (0,) * dims
        self.groups, self.padding_mode = groups, padding_mode
        self.weight = _empty((out_channels, in_channels // groups, *self.kernel_size), dtype)
        self.register_parameter("bias", _empty((out_channels,), dtype) if bias else None)
        self.reset_parameters()
        if device is not None:
            self.to(device)

    def reset_parameters(self) -> None:
        """PyTorch's initialisation: the weight by ``kaiming_uniform_`` with a = sqrt(5),
        the bias from U(-1/sqrt(fan_in), 1/sqrt(fan_in))."""
        reset_like_pytorch(self.weight, self.bias)

    def _padding_amounts(self) -> tuple[int, ...]:
        """``F.pad``'s amounts (last dim first) for a ``padding_mode`` other than zeros."""
        if self.padding == "valid":
            return (0, 0) * self._dims
        if self.padding == "same":
            totals = [d * (k - 1) for d, k in zip(self.dilation, self.kernel_size)]
            pairs = [(t // 2, t - t // 2) for t in totals]
        else:
            pairs = [(p, p) for p in self.padding]
        return tuple(amount for pair in reversed(pairs) for amount in pair)

    def forward(self, input: Tensor) -> Tensor:
        if self.padding_mode != "zeros":
            padded = pad(input, self._padding_amounts(), mode=self.padding_mode)
            return self._function(padded, self.weight, self.bias, self.stride, 0,
                                  self.dilation, self.groups)
        return self._function(input, self.weight, self.bias, self.stride, self.padding,
                              self.dilation, self.groups)

    def extra_repr(self) -> str:
        text = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}")
        if self.padding != (0,) * self._dims:
            text += f", padding={self.padding}"
        if self.dilation != (1,) * self._dims:
            text += f", dilation={self.dilation}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        if self.padding_mode != "zeros":
            text += f", padding_mode={self.padding_mode}"
        return text


class Conv2d(_ConvNd):
    """2-D convolution of (N, C_in, H, W) or (C_in, H, W) input (see ``F.conv2d``)."""

    _function = staticmethod(conv2d)


class Conv1d(_ConvNd):
    """1-D convolution of (N, C_in, L) or (C_in, L) input (see ``F.conv1d``)."""

    _dims = 1
    _function = staticmethod(conv1d)
