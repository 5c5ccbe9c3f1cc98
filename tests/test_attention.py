"""scaled_dot_product_attention against PyTorch in float64: values and the gradients of
query, key, value and a float mask, with bool and float masks, causal masking (square and
not), a custom scale, grouped-query heads and unbatched input; dropout; errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import chainrule as cr
import chainrule.nn.functional as F

RNG = np.random.default_rng(111)


def _check(shapes, mask=None, **kwargs):
    arrays = [RNG.standard_normal(s) for s in shapes]
    ours_in = [cr.tensor(a, requires_grad=True) for a in arrays]
    theirs_in = [torch.tensor(a, requires_grad=True) for a in arrays]
    ours_mask = theirs_mask = None
    length, source = shapes[0][-2], shapes[1][-2]
    if mask == "bool":
        allowed = RNG.random((length, source)) > 0.3
        allowed[:, 0] = True
        ours_mask, theirs_mask = cr.tensor(allowed), torch.tensor(allowed)
    elif mask == "float":
        bias = RNG.standard_normal((length, source))
        ours_mask = cr.tensor(bias, requires_grad=True)
        theirs_mask = torch.tensor(bias, requires_grad=True)
    ours = F.scaled_dot_product_attention(*ours_in, attn_mask=ours_mask, **kwargs)
    theirs = torch.nn.functional.scaled_dot_product_attention(*theirs_in, attn_mask=theirs_mask,
                                                             **kwargs)
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-10, atol=1e-12)
    upstream = RNG.standard_normal(tuple(theirs.shape))
    ours.backward(cr.tensor(upstream))
    theirs.backward(torch.tensor(upstream))
    pairs = list(zip(ours_in, theirs_in))
    if mask == "float":
        pairs.append((ours_mask, theirs_mask))
    for a, b in pairs:
        np.testing.assert_allclose(a.grad.data, b.grad.numpy(), rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("shapes, mask, kwargs", [
    (((2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 7)), None, {}),
    (((2, 3, 4, 5), (2, 3, 4, 5), (2, 3, 4, 5)), None, {"is_causal": True}),
    (((2, 3, 5, 5), (2, 3, 4, 5), (2, 3, 4, 5)), None, {"is_causal": True}),
    (((2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 7)), "bool", {}),
    (((2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 7)), "float", {"scale": 0.3}),
    (((4, 5), (6, 5), (6, 2)), None, {}),
    (((2, 4, 3, 5), (2, 2, 6, 5), (2, 2, 6, 7)), None, {"enable_gqa": True}),
])
def test_attention_matches_torch(shapes, mask, kwargs):
    _check(shapes, mask, **kwargs)


def test_attention_dropout_drops_weights_and_errors():
    q = cr.ones(1, 2, 4, 3)
    cr.manual_seed(0)
    out = F.scaled_dot_product_attention(q, q, cr.ones(1, 2, 4, 3), dropout_p=0.5)
    assert set(np.unique(np.round(out.data, 6))) <= {0.0, 0.5, 1.0, 1.5, 2.0}
    assert not np.allclose(out.data, 1.0)
    with pytest.raises(RuntimeError, match="Explicit attn_mask should not be set when "
                                           "is_causal=True"):
        F.scaled_dot_product_attention(q, q, q, attn_mask=cr.ones(4, 4), is_causal=True)
