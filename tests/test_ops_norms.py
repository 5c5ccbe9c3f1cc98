"""norm: values and gradients against PyTorch in float64 for p = fro, 2, 1, 3, 0.5, inf,
-inf and 0, over all dims, one dim and two dims, with zero rows and tied maxima."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import chainrule as cr
from chainrule.autograd import gradcheck

X = np.array([[3.0, -3.0, 1.0], [0.0, 0.0, 0.0], [0.0, -2.0, 0.5]])
RNG = np.random.default_rng(12)


@pytest.mark.parametrize("p", ["fro", 2, 1, 3, 0.5, math.inf, -math.inf, 0])
@pytest.mark.parametrize("dim, keepdim", [(None, False), (1, False), (0, True), ((0, 1), False),
                                          (-1, True)])
def test_norm_matches_torch(p, dim, keepdim):
    if p == "fro" and dim is not None and not isinstance(dim, tuple):
        dim = (dim,)
    ours, theirs = cr.tensor(X, requires_grad=True), torch.tensor(X, requires_grad=True)
    out = ours.norm(p, dim, keepdim) if dim is not None else cr.norm(ours, p)
    tout = theirs.norm(p, dim, keepdim) if dim is not None else torch.norm(theirs, p)
    np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=1e-12)
    seed = RNG.normal(size=tout.shape)
    out.backward(seed)
    tout.backward(torch.tensor(seed))
    expected = torch.zeros_like(theirs) if theirs.grad is None else theirs.grad
    np.testing.assert_allclose(ours.grad.data, expected.numpy(), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("p", [2, 1, 3, 0.5, math.inf])
def test_norm_gradcheck(p):
    x = cr.tensor(RNG.normal(size=(3, 4)), requires_grad=True)
    assert gradcheck(lambda t: t.norm(p, dim=1), [x])


def test_norm_errors_and_dtype():
    with pytest.raises(RuntimeError, match="matrix norm"):
        cr.ones(2, 2).norm("nuc")
    with pytest.raises(RuntimeError, match="floating point"):
        cr.tensor([1, 2]).norm()
    with pytest.raises(RuntimeError, match="empty tensor"):
        cr.ones(0).norm(math.inf)
    assert cr.tensor([3, 4]).norm(dtype=cr.float64).item() == 5.0
    assert cr.ones(3).norm().dtype == cr.float32
