"""floor, ceil, trunc, round and prod: values, dtypes and gradients against PyTorch in
float64 (prod's exact at zeros), and gradcheck."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import chainrule as cr
from chainrule.autograd import gradcheck

RNG = np.random.default_rng(4)
X = np.array([[-2.5, -1.5, -0.4, 0.0, 0.5, 1.5, 2.5, 3.7]]).repeat(2, 0) * [[1.0], [-1.0]]


@pytest.mark.parametrize("call", [
    lambda lib, x: x.floor(), lambda lib, x: lib.ceil(x), lambda lib, x: lib.trunc(x),
    lambda lib, x: x.round(), lambda lib, x: lib.round(x, decimals=1),
])
def test_rounding_matches_torch_with_zero_gradient(call):
    ours, theirs = cr.tensor(X, requires_grad=True), torch.tensor(X, requires_grad=True)
    out, tout = call(cr, ours), call(torch, theirs)
    np.testing.assert_array_equal(out.data, tout.detach().numpy())
    out.sum().backward()
    tout.sum().backward()
    np.testing.assert_array_equal(ours.grad.data, theirs.grad.numpy())
    ints = call(cr, cr.tensor([1, -2]))
    assert ints.dtype == cr.int64 and ints.tolist() == [1, -2]


PROD_INPUTS = {
    "no zeros": RNG.uniform(0.5, 1.5, size=(3, 4)),
    "one zero": np.array([[1.5, 0.0, 2.0, -1.0], [2.0, 3.0, -0.5, 1.0], [0.0, 0.0, 2.0, 1.0]]),
}


@pytest.mark.parametrize("inputs", PROD_INPUTS)
@pytest.mark.parametrize("call", [
    lambda lib, x: x.prod(), lambda lib, x: lib.prod(x, 1), lambda lib, x: x.prod(0, True),
    lambda lib, x: x.prod(dim=-1, keepdim=False),
])
def test_prod_matches_torch_even_at_zeros(inputs, call):
    data = PROD_INPUTS[inputs]
    ours, theirs = cr.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    out, tout = call(cr, ours), call(torch, theirs)
    np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=1e-12)
    seed = RNG.normal(size=tout.shape)
    out.backward(seed)
    tout.backward(torch.tensor(seed))
    np.testing.assert_allclose(ours.grad.data, theirs.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_prod_gradcheck_and_dtypes():
    x = cr.tensor(PROD_INPUTS["one zero"], requires_grad=True)
    assert gradcheck(lambda t: t.prod(1), [x])
    assert gradcheck(lambda t: t.prod(), [cr.tensor(PROD_INPUTS["no zeros"], requires_grad=True)])
    assert cr.tensor([True, True]).prod().dtype == cr.int64
    assert cr.tensor([2, 3]).prod(dtype=cr.float64).item() == 6.0
    assert cr.tensor(3.0).prod(0).item() == 3.0


def test_layout_facts_and_cpu_like_torch():
    data = np.arange(24.0).reshape(2, 3, 4)
    ours, theirs = cr.tensor(data), torch.tensor(data)
    assert ours.stride() == theirs.stride() and ours.stride(1) == theirs.stride(1)
    assert ours.element_size() == theirs.element_size() == ours.itemsize == theirs.itemsize
    assert ours.nbytes == theirs.nbytes
    assert ours.is_contiguous() and not ours.transpose(0, 2).is_contiguous()
    assert ours.transpose(0, 2).is_contiguous() == theirs.transpose(0, 2).is_contiguous()
    assert ours.cpu() is ours
