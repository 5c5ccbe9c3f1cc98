"""sort, argsort, topk: values, indices and gradients against PyTorch in float64, nan
placement, stability, gradcheck and errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import chainrule as cr
from chainrule.autograd import gradcheck

RNG = np.random.default_rng(8)
X = RNG.permutation(60).reshape(3, 4, 5) / 7.0  # distinct values: a unique order

CASES = {
    "sort": lambda lib, x: lib.sort(x),
    "sort-0-desc": lambda lib, x: x.sort(0, descending=True),
    "sort-1-stable": lambda lib, x: x.sort(dim=1, stable=True),
    "topk-2": lambda lib, x: x.topk(2),
    "topk-3-dim0-smallest": lambda lib, x: lib.topk(x, 3, dim=0, largest=False),
    "topk-all-dim1": lambda lib, x: x.topk(4, 1),
}


@pytest.mark.parametrize("name", CASES)
def test_values_indices_and_gradients_match_torch(name):
    ours, theirs = cr.tensor(X, requires_grad=True), torch.tensor(X, requires_grad=True)
    out, tout = CASES[name](cr, ours), CASES[name](torch, theirs)
    np.testing.assert_array_equal(out.values.data, tout.values.detach().numpy())
    np.testing.assert_array_equal(out.indices.data, tout.indices.numpy())
    assert out.indices.dtype == cr.int64
    seed = RNG.normal(size=tout.values.shape)
    out.values.backward(seed)
    tout.values.backward(torch.tensor(seed))
    np.testing.assert_allclose(ours.grad.data, theirs.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize("name", CASES)
def test_gradcheck(name):
    x = cr.tensor(X, requires_grad=True)
    assert gradcheck(lambda t: CASES[name](cr, t).values, [x])


def test_argsort_nan_and_ties_like_torch():
    data = np.array([[2.0, np.nan, -1.0, 2.0, np.inf, -np.inf, 2.0]])
    for descending in (False, True):
        ours = cr.tensor(data).argsort(descending=descending, stable=True)
        theirs = torch.tensor(data).argsort(descending=descending, stable=True)
        np.testing.assert_array_equal(ours.data, theirs.numpy())
    ints = np.array([3, 1, 3, 0, 1])
    for descending in (False, True):
        ours = cr.sort(cr.tensor(ints), descending=descending, stable=True)
        theirs = torch.sort(torch.tensor(ints), descending=descending, stable=True)
        np.testing.assert_array_equal(ours.values.data, theirs.values.numpy())
        np.testing.assert_array_equal(ours.indices.data, theirs.indices.numpy())


def test_topk_k_out_of_range_and_zero_d():
    with pytest.raises(RuntimeError, match="k = 6 for dim of size 5"):
        cr.tensor(X).topk(6)
    values, indices = cr.tensor(3.0).sort()
    assert values.item() == 3.0 and indices.item() == 0
