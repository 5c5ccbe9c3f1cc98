"""``Embedding``: a lookup table of learned vectors, indexed by integer ids."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._capture import graph_break
from ..dtypes import as_dtype
from ..function import Function
from ..ops.indexing import IndexRows, ids_in_range, scatter_add_rows
from ..tensor import Tensor
from . import init
from .module import Module
from .parameter import Parameter


def _check_ids(ids: np.ndarray, rows: int) -> None:
    """Raise IndexError naming an id outside [0, rows), if ``ids`` has one."""
    if ids.size and not ids_in_range(ids, rows):
        bad = int(ids.min()) if ids.min() < 0 else int(ids.max())
        raise IndexError(
            f"embedding: index {bad} is out of range for an embedding of {rows} rows "
            f"(expected 0 <= index < {rows})"
        )


class EmbeddingRows(IndexRows):
    """out = weight[ids] for ids checked to lie in [0, rows) (negative ones too are an
    error, unlike in indexing); the backward is ``IndexRows``'."""

    @staticmethod
    def forward(ctx, weight, ids):
        _check_ids(ids, weight.shape[0])
        ctx.shape, ctx.key = weight.shape, ids
        return weight.take(ids, axis=0)


class EmbeddingLookup(Function):
    """out = weight[ids];  d/dweight: each output row's gradient added into the row it came
    from (divided by how often its id occurs in ``ids`` when ``scale_grad_by_freq``), and
    nothing into the padding row."""

    @staticmethod
    def forward(ctx, weight, ids, padding_idx, scale_grad_by_freq):
        _check_ids(ids, weight.shape[0])
        ctx.shape, ctx.ids = weight.shape, ids
        ctx.padding_idx, ctx.scale_grad_by_freq = padding_idx, scale_grad_by_freq
        return weight.take(ids, axis=0)

    @staticmethod
    def backward(ctx, grad):
        ids = ctx.ids
        if ctx.scale_grad_by_freq:
            counts = np.bincount(ids.reshape(-1), minlength=ctx.shape[0])
            grad = grad / counts[ids].reshape(ids.shape + (1,) * (grad.ndim - ids.ndim))
        grad_weight = scatter_add_rows(ids, grad, ctx.shape)
        if ctx.padding_idx is not None:
            grad_weight[ctx.padding_idx] = 0
        return grad_weight, None, None, None


def _refuse_sparse() -> None:
    raise RuntimeError(
        "embedding: sparse=True asks for sparse gradients, which chainrule does not have; "
        "its gradients are dense arrays (leave sparse=False)"
    )


def _padding_row(padding_idx: int | None, rows: int) -> int | None:
    """``padding_idx`` as a row number (negative ones count from the end), checked."""
    if padding_idx is None:
        return None
    if not -rows <= padding_idx < rows:
        raise AssertionError("Padding_idx must be within num_embeddings")
    return padding_idx % rows


def _renorm_rows(weight: Tensor, ids: np.ndarray, max_norm: float, norm_type: float) -> None:
    """Scale, in place, each row of ``weight`` used by ``ids`` whose ``norm_type``-norm
    exceeds ``max_norm`` down to norm ``max_norm`` (PyTorch's ``embedding_renorm_``)."""
    table = weight.data
    rows = np.unique(ids)
    norms = np.linalg.norm(table[rows], ord=norm_type, axis=1)
    over = norms > max_norm
    if over.any():
        table[rows[over]] *= (max_norm / (norms[over] + 1e-7))[:, None].astype(table.dtype)


def embedding(
    input: Any,
    weight: Tensor,
    padding_idx: int | None = None,
    max_norm: float | None = None,
    norm_type: float = 2.0,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    """Rows of ``weight`` picked by the integer ids in ``input`` (any shape).

    The backward pass scatter-adds: a row used k times receives the sum of its k
    gradients (their mean with ``scale_grad_by_freq``); the ``padding_idx`` row receives
    none. With ``max_norm``, the rows looked up are first rescaled in place to a
    ``norm_type``-norm of at most ``max_norm``, as in PyTorch. An id outside
    [0, num_embeddings) is an error (negative ones too).
    """
    if sparse:
        _refuse_sparse()
    if not isinstance(input, Tensor):
        input = np.asarray(input)
    ids = input.data if isinstance(input, Tensor) else input
    if ids.dtype.kind not in "iu":
        raise TypeError(
            f"embedding: expected integer ids (int64), got a tensor of dtype {ids.dtype}"
        )
    rows = weight.shape[0]
    if max_norm is not None and ids.size:
        _check_ids(ids, rows)
        graph_break("embedding's max_norm rescales rows of the table in place, outside an op")
        _renorm_rows(weight, ids, max_norm, norm_type)
    if padding_idx is not None or scale_grad_by_freq:
        return EmbeddingLookup.apply(weight, input, _padding_row(padding_idx, rows),
                                     bool(scale_grad_by_freq))
    if ids.ndim:
        return EmbeddingRows._apply2(weight, input)
    _check_ids(ids, rows)
    return weight[Tensor._make(ids)]


class Embedding(Module):
    """A table of ``num_embeddings`` vectors of size ``embedding_dim``, initialised N(0, 1)."""

    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
        _weight: Tensor | None = None,
        _freeze: bool = False,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        for name, value in (("num_embeddings", num_embeddings), ("embedding_dim", embedding_dim)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"Embedding: {name} must be a non-negative int, got {value!r}")
        if sparse:
            _refuse_sparse()
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.padding_idx = _padding_row(padding_idx, num_embeddings)
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        self.sparse = sparse
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
        self.weight.requires_grad = not _freeze
        if device is not None:
            self.to(device)

    @classmethod
    def from_pretrained(
        cls,
        embeddings: Tensor,
        freeze: bool = True,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
    ) -> Embedding:
        """An Embedding whose table is ``embeddings`` (2-D; shared, not copied), frozen
        (no gradient) unless ``freeze=False``."""
        if embeddings.ndim != 2:
            raise AssertionError("Embeddings parameter is expected to be 2-dimensional")
        rows, dim = embeddings.shape
        return cls(rows, dim, padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse,
                   _weight=embeddings, _freeze=freeze)

    def reset_parameters(self) -> None:
        """Draw fresh N(0, 1) vectors (the padding row, if any, is zero)."""
        init.normal_(self.weight)
        if self.padding_idx is not None:
            self.weight.data[self.padding_idx] = 0

    def forward(self, input: Any) -> Tensor:
        return embedding(input, self.weight, self.padding_idx, self.max_norm, self.norm_type,
                         self.scale_grad_by_freq, self.sparse)

    def extra_repr(self) -> str:
        text = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            text += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            text += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            text += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq:
            text += ", scale_grad_by_freq=True"
        if self.sparse:
            text += ", sparse=True"
        return text
