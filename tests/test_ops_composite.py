"""dot, outer, trace, diag, repeat, tile, broadcast_to, broadcast_tensors, meshgrid,
masked_select, nonzero, count_nonzero: values and gradients against PyTorch in float64,
gradcheck and errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import chainrule as cr
from chainrule.autograd import gradcheck

RNG = np.random.default_rng(17)
V, W = RNG.normal(size=4), RNG.normal(size=4)
M = RNG.normal(size=(3, 5))
MASK = RNG.random((3, 5)) > 0.4

# name -> (inputs, the op for either library)
CASES = {
    "dot": ((V, W), lambda lib, a, b: lib.dot(a, b)),
    "dot-method": ((V, W), lambda lib, a, b: a.dot(b)),
    "outer": ((V, W[:3]), lambda lib, a, b: lib.outer(a, b)),
    "trace": ((M,), lambda lib, a: lib.trace(a)),
    "diag-of-vector": ((V,), lambda lib, a: lib.diag(a)),
    "diag-of-vector-offset": ((V,), lambda lib, a: a.diag(-2)),
    "diag-of-matrix": ((M,), lambda lib, a: lib.diag(a, 1)),
    "repeat": ((M,), lambda lib, a: a.repeat(2, 1, 3)),
    "repeat-list": ((V,), lambda lib, a: a.repeat([3, 2])),
    "tile": ((M,), lambda lib, a: a.tile((2,))),
    "broadcast_to": ((V,), lambda lib, a: lib.broadcast_to(a, (3, 4))),
    "broadcast_tensors": ((V, M[:, :1]), lambda lib, a, b: lib.broadcast_tensors(a, b)),
    "meshgrid-ij": ((V, W[:3]), lambda lib, a, b: lib.meshgrid(a, b, indexing="ij")),
    "meshgrid-xy": ((V, W[:3], M[0]), lambda lib, a, b, c: lib.meshgrid(a, b, c, indexing="xy")),
    "masked_select": ((M,), lambda lib, a: lib.masked_select(a, lib.tensor(MASK))),
    "masked_select-broadcast": ((M[0],), lambda lib, a: a.masked_select(lib.tensor(MASK))),
}


def _outputs(result):
    return list(result) if isinstance(result, tuple) else [result]


@pytest.mark.parametrize("name", CASES)
def test_matches_torch(name):
    arrays, op = CASES[name]
    ours = [cr.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    outs, touts = _outputs(op(cr, *ours)), _outputs(op(torch, *theirs))
    for out, tout in zip(outs, touts, strict=True):
        np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=1e-12, atol=1e-12)
        seed = RNG.normal(size=tout.shape)
        out.backward(seed)
        tout.backward(torch.tensor(seed))
    for a, t in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.data, t.grad.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", CASES)
def test_gradcheck(name):
    arrays, op = CASES[name]
    inputs = [cr.tensor(a, requires_grad=True) for a in arrays]
    assert gradcheck(lambda *t: _outputs(op(cr, *t))[-1], inputs)


def test_nonzero_and_count_nonzero_like_torch():
    data = np.array([[0.0, 1.5, 0.0], [2.0, 0.0, -1.0]])
    ours, theirs = cr.tensor(data), torch.tensor(data)
    np.testing.assert_array_equal(ours.nonzero().data, theirs.nonzero().numpy())
    for got, expected in zip(cr.nonzero(ours, as_tuple=True), theirs.nonzero(as_tuple=True)):
        np.testing.assert_array_equal(got.data, expected.numpy())
    for dim in (None, 0, (0, 1), -1):
        np.testing.assert_array_equal(cr.count_nonzero(ours, dim).data,
                                      torch.count_nonzero(theirs, dim).numpy())
    assert ours.nonzero().dtype == cr.int64


def test_errors():
    with pytest.raises(RuntimeError, match="inconsistent tensor size"):
        cr.dot(cr.ones(3), cr.ones(4))
    with pytest.raises(RuntimeError, match="should be 1-D"):
        cr.outer(cr.ones(2, 2), cr.ones(2))
    with pytest.raises(RuntimeError, match="expected a matrix"):
        cr.trace(cr.ones(3))
    with pytest.raises(RuntimeError, match="can not be smaller"):
        cr.ones(2, 3).repeat(2)
    with pytest.raises(RuntimeError, match="cannot be broadcast"):
        cr.broadcast_tensors(cr.ones(2), cr.ones(3))
    with pytest.raises(RuntimeError, match="BoolTensor"):
        cr.masked_select(cr.ones(2), cr.tensor([1, 0]))
