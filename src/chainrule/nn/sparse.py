"""``Embedding``: a lookup table of learned vectors, indexed by integer ids."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..dtypes import as_dtype
from ..ops.indexing import IndexRows, ids_in_range
from ..tensor import Tensor
from . import init
from .module import Module
from .parameter import Parameter


def embedding(input: Any, weight: Tensor) -> Tensor:
    """Rows of ``weight`` picked by the integer ids in ``input`` (any shape).

    The backward pass scatter-adds: a row used k times receives the sum of its k
    gradients. An id outside [0, num_embeddings) is an error (negative ones too).
    """
    ids = input.data if isinstance(input, Tensor) else np.asarray(input)
    if ids.dtype.kind not in "iu":
        raise TypeError(
            f"embedding: expected integer ids (int64), got a tensor of dtype {ids.dtype}"
        )
    rows = weight.shape[0]
    if ids.size and not ids_in_range(ids, rows):
        bad = int(ids.min()) if ids.min() < 0 else int(ids.max())
        raise IndexError(
            f"embedding: index {bad} is out of range for an embedding of {rows} rows "
            f"(expected 0 <= index < {rows})"
        )
    if ids.ndim:
        return IndexRows._apply2(weight, ids)
    return weight[Tensor._make(ids)]


class Embedding(Module):
    """A table of ``num_embeddings`` vectors of size ``embedding_dim``, initialised N(0, 1)."""

    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        padding_idx: int | None = None,
        _weight: Tensor | None = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        for name, value in (("num_embeddings", num_embeddings), ("embedding_dim", embedding_dim)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"Embedding: {name} must be a non-negative int, got {value!r}")
        if padding_idx is not None:
            if not -num_embeddings <= padding_idx < num_embeddings:
                raise AssertionError("Padding_idx must be within num_embeddings")
            padding_idx %= num_embeddings
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.padding_idx = padding_idx
        if _weight is None:
            array = np.zeros((num_embeddings, embedding_dim),
                             dtype=as_dtype(dtype) if dtype is not None else np.float32)
            self.weight = Parameter(array)
            self.reset_parameters()
        else:
            if tuple(_weight.shape) != (num_embeddings, embedding_dim):
                raise ValueError(
                    "Shape of weight does not match num_embeddings and embedding_dim: "
                    f"{tuple(_weight.shape)} vs ({num_embeddings}, {embedding_dim})"
                )
            self.weight = Parameter(_weight)

    def reset_parameters(self) -> None:
        """Draw fresh N(0, 1) vectors (the padding row, if any, is zero)."""
        init.normal_(self.weight)
        if self.padding_idx is not None:
            self.weight.data[self.padding_idx] = 0

    def forward(self, input: Any) -> Tensor:
        out = embedding(input, self.weight)
        return out

    def extra_repr(self) -> str:
        text = f"{self.num_embeddings}, {self.embedding_dim}"
        return text if self.padding_idx is None else text + f", padding_idx={self.padding_idx}"
