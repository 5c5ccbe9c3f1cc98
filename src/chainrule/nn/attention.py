"""``scaled_dot_product_attention``, as PyTorch documents it: softmax(q kᵀ · scale + bias) v,
composed of chainrule's ops (so its gradient is theirs)."""

from __future__ import annotations

import math

import numpy as np

from ..ops.elementwise import _not_tensor, where
from ..ops.fused import softmax
from ..tensor import Tensor
from .dropout import dropout

__all__ = ["scaled_dot_product_attention"]


def _repeat_heads(x: Tensor, times: int) -> Tensor:
    """Each head of (..., H, S, E) repeated ``times`` times in place: (..., H * times, S, E)."""
    heads = x.shape[-3]
    expanded = x.unsqueeze(-3).expand(*x.shape[:-3], heads, times, *x.shape[-2:])
    return expanded.reshape(*x.shape[:-3], heads * times, *x.shape[-2:])


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor,
                                 attn_mask: Tensor | None = None, dropout_p: float = 0.0,
                                 is_causal: bool = False, scale: float | None = None,
                                 enable_gqa: bool = False) -> Tensor:
    """Attention of ``query`` (..., L, E) over ``key`` (..., S, E) and ``value`` (..., S, Ev).

    ``attn_mask`` is a bool mask (True: may attend) or a float bias added to the scores;
    ``is_causal`` masks the positions after each query's; ``scale`` defaults to
    1 / sqrt(E); ``dropout_p`` drops attention weights; ``enable_gqa`` repeats each head of
    key and value for a group of query heads.
    """
    for position, (name, value_) in enumerate((("query", query), ("key", key),
                                               ("value", value)), start=1):
        if not isinstance(value_, Tensor):
            raise _not_tensor("scaled_dot_product_attention", name, value_, position)
    if is_causal and attn_mask is not None:
        raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be "
                           "set when is_causal=True")
    if enable_gqa and key.shape[-3] != query.shape[-3]:
        if query.shape[-3] % key.shape[-3]:
            raise RuntimeError("scaled_dot_product_attention: with enable_gqa, the query's "
                               f"heads ({query.shape[-3]}) must be a multiple of the key's "
                               f"({key.shape[-3]})")
        groups = query.shape[-3] // key.shape[-3]
        key, value = _repeat_heads(key, groups), _repeat_heads(value, groups)
    length, source = query.shape[-2], key.shape[-2]
    factor = 1 / math.sqrt(query.shape[-1]) if scale is None else scale
    scores = query @ key.transpose(-2, -1) * factor
    if is_causal:
        allowed = Tensor(np.tril(np.ones((length, source), dtype=bool)))
        scores = where(allowed, scores, -math.inf)
    if attn_mask is not None:
        if attn_mask.dtype == np.bool_:
            scores = where(attn_mask, scores, -math.inf)
        else:
            scores = scores + attn_mask
    weights = softmax(scores, -1)
    if dropout_p > 0:
        weights = dropout(weights, dropout_p, True)
    return weights @ value
