"""masked_fill, tril, triu, flip, roll, cumsum: values and gradients against PyTorch in
float64, gradcheck, dtypes and errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import chainrule as cr
from chainrule.autograd import gradcheck

RNG = np.random.default_rng(21)
X = RNG.normal(size=(3, 4, 5))
MASK = RNG.random((4, 5)) > 0.5

# name -> the same op written for either library (lib is cr or torch)
CASES = {
    "masked_fill": lambda lib, x: x.masked_fill(lib.tensor(MASK), -2.5),
    "masked_fill-fn": lambda lib, x: lib.masked_fill(x, lib.tensor(MASK[0]), 7.0),
    "tril": lambda lib, x: x.tril(),
    "tril-1": lambda lib, x: lib.tril(x, 1),
    "triu--2": lambda lib, x: x.triu(-2),
    "flip-0": lambda lib, x: x.flip(0),
    "flip-(1,-1)": lambda lib, x: lib.flip(x, (1, -1)),
    "flip-method-dims": lambda lib, x: x.flip(2, 0),
    "roll-flat": lambda lib, x: x.roll(7),
    "roll-dims": lambda lib, x: lib.roll(x, (1, -3), (0, 2)),
    "cumsum-0": lambda lib, x: x.cumsum(0),
    "cumsum--1": lambda lib, x: lib.cumsum(x, dim=-1),
}


@pytest.mark.parametrize("name", CASES)
def test_matches_torch(name):
    ours = cr.tensor(X, requires_grad=True)
    theirs = torch.tensor(X, requires_grad=True)
    out, tout = CASES[name](cr, ours), CASES[name](torch, theirs)
    np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=1e-12, atol=1e-12)
    seed = RNG.normal(size=tout.shape)
    out.backward(seed)
    tout.backward(torch.tensor(seed))
    np.testing.assert_allclose(ours.grad.data, theirs.grad.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", CASES)
def test_gradcheck(name):
    x = cr.tensor(X[:2, :3, :4] if "masked" not in name else X, requires_grad=True)
    assert gradcheck(lambda t: CASES[name](cr, t), [x])


def test_cumsum_dtypes_and_zero_d_like_torch():
    for data in ([1, 2, 3], [True, False, True]):
        ours, theirs = cr.tensor(data).cumsum(0), torch.tensor(data).cumsum(0)
        assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch.")
        np.testing.assert_array_equal(ours.data, theirs.numpy())
    assert cr.tensor([1, 2]).cumsum(0, dtype=cr.float64).dtype == cr.float64
    scalar = cr.tensor(2.5, requires_grad=True)
    out = scalar.cumsum(0)
    assert out.shape == torch.tensor(2.5).cumsum(0).shape == ()
    out.backward()
    assert scalar.grad.item() == 1.0


def test_errors_name_what_is_wrong():
    x = cr.ones(2, 3)
    with pytest.raises(RuntimeError, match="boolean masks"):
        x.masked_fill(cr.tensor([1, 0, 1]), 0.0)
    with pytest.raises(RuntimeError, match=r"\(4,\).*\(2, 3\)"):
        x.masked_fill(cr.tensor([True] * 4), 0.0)
    with pytest.raises(RuntimeError, match="at least 2 dimensions"):
        cr.ones(3).tril()
    with pytest.raises(RuntimeError, match="dims has duplicates"):
        x.flip((0, -2))
    with pytest.raises(RuntimeError, match="shifts and dimensions must align"):
        x.roll((1, 2), 0)
    with pytest.raises(IndexError, match="Dimension out of range"):
        x.cumsum(2)
