"""All parameters as one flat vector and back, as ``torch.nn.utils``."""

from __future__ import annotations

from collections.abc import Iterable

from ...ops.join import cat
from ...tensor import Tensor

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """The parameters flattened and concatenated, in order (differentiable, like ``cat``)."""
    flat = [p.reshape(-1) for p in parameters]
    return cat(flat)


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Give each parameter, in order, the next slice of ``vec`` as its data (a view of it)."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(vec).__name__}")
    data = vec.data
    pointer = 0
    for param in parameters:
        size = param.data.size
        param.data = data[pointer:pointer + size].reshape(param.data.shape)
        pointer += size
