"""``Flatten``: merge a range of dimensions into one."""

from __future__ import annotations

from collections.abc import Sequence
from math import prod

from ..tensor import Tensor
from .module import Module


class Flatten(Module):
    """Flatten dims ``start_dim`` to ``end_dim`` (by default all but the batch dim)."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input: Tensor) -> Tensor:
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Split dim ``dim`` into the dims ``unflattened_size`` (the inverse of ``Flatten``)."""

    def __init__(self, dim: int, unflattened_size: Sequence[int]) -> None:
        super().__init__()
        self.dim = dim
        self.unflattened_size = unflattened_size  # kept as given (list or tuple), as PyTorch

    def forward(self, input: Tensor) -> Tensor:
        shape = tuple(input.shape)
        dim = self.dim % len(shape) if shape else 0
        size = tuple(self.unflattened_size)
        known = [n for n in size if n != -1]
        if size.count(-1) > 1 or (size.count(-1) == 0 and prod(size) != shape[dim]) or (
                size.count(-1) == 1 and (not known or shape[dim] % prod(known))):
            raise RuntimeError(
                f"unflatten: Provided sizes {list(size)} don't multiply up to the size of dim "
                f"{self.dim} ({shape[dim]}) in the input tensor"
            )
        return input.reshape(shape[:dim] + size + shape[dim + 1:])

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
