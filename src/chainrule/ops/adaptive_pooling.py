"""Adaptive average pooling: ``adaptive_avg_pool2d`` (and 1-D) to a given output size.

Output cell i along a dim of size n averages the input from floor(i * n / out) up to
ceil((i + 1) * n / out), as PyTorch's windows run. The average over a rectangle is
separable, so the whole pooling is two small matrix products: ``rows @ x @ cols``, where
row i of ``rows`` holds 1 / (window length) over window i; the gradient is
``rows.T @ grad @ cols.T``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..function import Function
from ..tensor import Tensor
from .elementwise import _not_tensor

__all__ = ["adaptive_avg_pool1d", "adaptive_avg_pool2d"]


def _averaging(size: int, out: int, dtype: np.dtype) -> np.ndarray:
    """(out, size): row i averages window i of an axis of ``size`` cut into ``out``."""
    matrix = np.zeros((out, size), dtype=dtype)
    for i in range(out):
        start, end = (i * size) // out, -((-(i + 1) * size) // out)
        matrix[i, start:end] = 1.0 / (end - start)
    return matrix


class AdaptiveAvgPool2d(Function):
    """out = rows @ x @ cols over the last two dims;  dx = rows.T @ grad @ cols.T."""

    @staticmethod
    def forward(ctx, x, output_size):
        rows = _averaging(x.shape[-2], output_size[0], x.dtype)
        cols = _averaging(x.shape[-1], output_size[1], x.dtype).T
        ctx.rows, ctx.cols = rows, cols
        return np.matmul(np.matmul(rows, x), cols)

    @staticmethod
    def backward(ctx, grad):
        return np.matmul(np.matmul(ctx.rows.T, grad), ctx.cols.T), None


def _output_size(op: str, output_size: Any, input_size: tuple[int, ...]) -> tuple[int, ...]:
    sizes = tuple(output_size) if isinstance(output_size, (tuple, list)) else (
        (output_size,) * len(input_size))
    if len(sizes) != len(input_size):
        raise ValueError(f"{op}: output_size must have {len(input_size)} elements, got "
                         f"{output_size!r}")
    sizes = tuple(n if s is None else s for s, n in zip(sizes, input_size))
    if any(not isinstance(s, int | np.integer) or s < 0 for s in sizes):
        raise RuntimeError(f"{op}: output_size must be non-negative ints (or None), got "
                           f"{output_size!r}")
    return tuple(int(s) for s in sizes)


def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:
    """Average pooling of (N, C, H, W) or (C, H, W) input to ``output_size`` (an int, or a
    pair whose None entries keep the input's size)."""
    if not isinstance(input, Tensor):
        raise _not_tensor("adaptive_avg_pool2d", "input", input)
    if input.ndim not in (3, 4):
        raise RuntimeError(f"adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got "
                           f"{list(input.shape)}")
    if input.dtype.kind != "f":
        raise RuntimeError(f"adaptive_avg_pool2d: expected a floating point input, got "
                           f"{input.dtype}")
    size = _output_size("adaptive_avg_pool2d", output_size, tuple(input.shape[-2:]))
    return AdaptiveAvgPool2d._apply2(input, size)


def adaptive_avg_pool1d(input: Tensor, output_size: Any) -> Tensor:
    """Average pooling of (N, C, L) or (C, L) input to ``output_size``."""
    if not isinstance(input, Tensor):
        raise _not_tensor("adaptive_avg_pool1d", "input", input)
    if input.ndim not in (2, 3):
        raise RuntimeError(f"adaptive_avg_pool1d(): Expected 2D or 3D tensor, but got "
                           f"{list(input.shape)}")
    (length,) = _output_size("adaptive_avg_pool1d", output_size, tuple(input.shape[-1:]))
    return adaptive_avg_pool2d(input.unsqueeze(-2), (1, length)).squeeze(-2)
