"""``Linear`` (y = x W^T + b) and ``Identity``."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..dtypes import as_dtype
from ..ops.linalg import linear
from ..tensor import Tensor
from . import init
from .module import Module
from .parameter import Parameter


def _empty(shape: tuple[int, ...], dtype: Any) -> Parameter:
    return Parameter(np.zeros(shape, dtype=as_dtype(dtype) if dtype is not None else np.float32))


def reset_like_pytorch(weight: Parameter, bias: Parameter | None) -> None:
    """PyTorch's default for Linear and convolutions: the weight by ``kaiming_uniform_``
    with a = sqrt(5), the bias from U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (left at zero when
    there are no inputs)."""
    init.kaiming_uniform_(weight, a=math.sqrt(5))
    if bias is not None:
        fan_in = init._calculate_fan_in_and_fan_out(weight)[0]
        if fan_in > 0:
            bound = 1 / math.sqrt(fan_in)
            init.uniform_(bias, -bound, bound)


class Identity(Module):
    """Returns its input unchanged (a placeholder layer)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: Tensor) -> Tensor:
        return input


class Linear(Module):
    """y = x @ weight.T + bias, with weight of shape (out_features, in_features).

    Initialised as PyTorch does: weight and bias from U(-1/sqrt(in_features),
    1/sqrt(in_features)) (``kaiming_uniform_`` with a = sqrt(5) for the weight).
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        for name, value in (("in_features", in_features), ("out_features", out_features)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"Linear: {name} must be a non-negative int, got {value!r}")
        self.in_features = in_features
        self.out_features = out_features
        self.weight = _empty((out_features, in_features), dtype)
        if bias:
            self.bias = _empty((out_features,), dtype)
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()
        if device is not None:
            self.to(device)

    def reset_parameters(self) -> None:
        """Draw fresh initial weights (PyTorch's default scheme)."""
        reset_like_pytorch(self.weight, self.bias)

    def forward(self, input: Tensor) -> Tensor:
        try:
            return linear(input, self.weight, self.bias)
        except RuntimeError:
            if input.shape[-1:] != (self.in_features,):
                raise RuntimeError(
                    f"Linear: input of shape {tuple(input.shape)} has "
                    f"{input.shape[-1:] or 'no'} features in its last dimension, expected "
                    f"{self.in_features} (weight shape {tuple(self.weight.shape)})"
                ) from None
            raise

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")
