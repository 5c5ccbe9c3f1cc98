"""More activation layers: CELU, Hardshrink, Softshrink, Threshold, PReLU (a learned slope),
GLU and Softmin, each calling its functional form and printed as PyTorch prints it."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..dtypes import as_dtype
from ..ops.activations_gated import glu, prelu, softmin
from ..ops.activations_piecewise import celu, hardshrink, softshrink, threshold
from ..tensor import Tensor
from .module import Module
from .parameter import Parameter

__all__ = ["CELU", "Hardshrink", "Softshrink", "Threshold", "PReLU", "GLU", "Softmin"]


class CELU(Module):
    """``max(0, input) + min(0, alpha * (exp(input / alpha) - 1))``."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return celu(input, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class Hardshrink(Module):
    """input where ``|input| > lambd``, else 0."""

    def __init__(self, lambd: float = 0.5) -> None:
        super().__init__()
        self.lambd = lambd

    def forward(self, input: Tensor) -> Tensor:
        return hardshrink(input, self.lambd)

    def extra_repr(self) -> str:
        return f"{self.lambd}"


class Softshrink(Hardshrink):
    """input moved ``lambd`` towards 0, and 0 within ``lambd`` of it."""

    def forward(self, input: Tensor) -> Tensor:
        return softshrink(input, self.lambd)


class Threshold(Module):
    """``value`` where input <= ``threshold``, input elsewhere."""

    def __init__(self, threshold: float, value: float, inplace: bool = False) -> None:
        super().__init__()
        self.threshold = threshold
        self.value = value
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return threshold(input, self.threshold, self.value)

    def extra_repr(self) -> str:
        inplace = ", inplace=True" if self.inplace else ""
        return f"threshold={self.threshold}, value={self.value}{inplace}"


class PReLU(Module):
    """input where positive, ``weight * input`` elsewhere; ``weight`` is learned: one slope,
    or one per channel (``num_parameters`` = the channels, dim 1), all starting at ``init``."""

    def __init__(self, num_parameters: int = 1, init: float = 0.25, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        self.num_parameters = num_parameters
        self.init = init
        float_dtype = as_dtype(dtype) if dtype is not None else np.dtype(np.float32)
        self.weight = Parameter(np.full(num_parameters, init, dtype=float_dtype))
        if device is not None:
            self.to(device)

    def reset_parameters(self) -> None:
        """Every slope back to ``init``."""
        self.weight.data[...] = self.init

    def forward(self, input: Tensor) -> Tensor:
        return prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class GLU(Module):
    """The gated linear unit: ``a * sigmoid(b)`` for the two halves ``a, b`` of ``dim``."""

    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return glu(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Softmin(Module):
    """softmax(-input) along ``dim`` (left out: chosen with a warning, as PyTorch does)."""

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return softmin(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"
