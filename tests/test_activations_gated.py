"""prelu, glu and softmin (functions and modules) against PyTorch in float64 and by gradcheck."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import chainrule as cr
import chainrule.nn.functional as F
from chainrule.autograd import gradcheck

RNG = np.random.default_rng(11)


def _close(ours, theirs):
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("shape, weight_shape", [
    ((5, 3), (3,)), ((5, 3), (1,)), ((5, 3), ()), ((4, 3, 6), (3,)), ((2, 4, 3, 3), (4,)),
    ((7,), (1,)), ((), (1,)), ((6, 1), (1,)),
])
def test_prelu_matches_torch_values_and_gradients(shape, weight_shape):
    x = RNG.standard_normal(shape)
    if x.size:
        x.flat[0] = 0.0  # the kink: PyTorch gives the input slope there
    w = RNG.uniform(-0.5, 0.5, weight_shape)
    x_ours, w_ours = cr.tensor(x, requires_grad=True), cr.tensor(w, requires_grad=True)
    x_theirs = torch.tensor(x, requires_grad=True)
    w_theirs = torch.tensor(w, requires_grad=True)
    ours, theirs = F.prelu(x_ours, w_ours), TF.prelu(x_theirs, w_theirs)
    _close(ours, theirs)
    upstream = RNG.standard_normal(shape)
    ours.backward(cr.tensor(upstream))
    theirs.backward(torch.tensor(upstream))
    _close(x_ours.grad, x_theirs.grad)
    _close(w_ours.grad, w_theirs.grad)
    assert w_ours.grad.shape == w_ours.shape
    assert gradcheck(F.prelu, (cr.tensor(x + 0.01, requires_grad=True),
                               cr.tensor(w, requires_grad=True)))


@pytest.mark.parametrize("shape, weight_shape, message", [
    ((5, 3), (2,), "Found parameter numbers = 2 and channel size = 3"),
    ((3,), (3,), "Found parameter numbers = 3 and channel size = 1"),
    ((5, 3), (1, 3), "Expected `weight` to be a scalar or 1D tensor, but got: ndim = 2"),
])
def test_prelu_rejects_a_weight_that_does_not_fit_like_torch(shape, weight_shape, message):
    for lib, make in ((F, cr.ones), (TF, torch.ones)):
        with pytest.raises(RuntimeError, match=message.replace("(", r"\(")):
            lib.prelu(make(*shape, dtype=cr.float64 if lib is F else torch.float64),
                      make(*weight_shape, dtype=cr.float64 if lib is F else torch.float64))


def test_prelu_module_matches_torch_and_learns_its_slopes():
    ours, theirs = cr.nn.PReLU(3, init=0.1).double(), torch.nn.PReLU(3, init=0.1).double()
    assert repr(ours) == repr(theirs) == "PReLU(num_parameters=3)"
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["weight"]
    np.testing.assert_array_equal(ours.weight.data, theirs.weight.detach().numpy())
    x = RNG.standard_normal((4, 3, 2))
    out, tout = ours(cr.tensor(x)), theirs(torch.tensor(x))
    _close(out, tout)
    out.sum().backward()
    tout.sum().backward()
    _close(ours.weight.grad, theirs.weight.grad)
    assert cr.nn.PReLU().weight.dtype == cr.float32 and cr.nn.PReLU().weight.shape == (1,)


@pytest.mark.parametrize("shape, dim", [((4, 6), -1), ((4, 6), 1), ((6, 3), 0), ((2, 4, 5), 1),
                                        ((8,), 0)])
def test_glu_matches_torch_values_and_gradients(shape, dim):
    x = RNG.standard_normal(shape) * 3
    x_ours, x_theirs = cr.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ours, theirs = F.glu(x_ours, dim), TF.glu(x_theirs, dim)
    _close(ours, theirs)
    upstream = RNG.standard_normal(theirs.shape)
    ours.backward(cr.tensor(upstream))
    theirs.backward(torch.tensor(upstream))
    _close(x_ours.grad, x_theirs.grad)
    assert gradcheck(lambda t: F.glu(t, dim), (cr.tensor(x, requires_grad=True),))
    module, tmodule = cr.nn.GLU(dim), torch.nn.GLU(dim)
    assert repr(module) == repr(tmodule)
    _close(module(cr.tensor(x)), tmodule(torch.tensor(x)))


@pytest.mark.parametrize("make, message", [
    (lambda lib, ones: lib.glu(ones(2, 3)), "Halving dimension must be even, but dimension 1 is "
                                            "size 3"),
    (lambda lib, ones: lib.glu(ones(())), "glu does not support scalars"),
])
def test_glu_errors_like_torch(make, message):
    for lib, ones in ((F, cr.ones), (TF, torch.ones)):
        with pytest.raises(RuntimeError, match=message):
            make(lib, ones)


@pytest.mark.parametrize("shape, dim", [((3, 5), 1), ((3, 5), 0), ((2, 3, 4), -1), ((4,), 0)])
def test_softmin_matches_torch_values_and_gradients(shape, dim):
    x = RNG.standard_normal(shape) * 4
    x[..., 0] = 1e4  # a large entry: exp(-x) underflows, the rest stays exact
    x_ours, x_theirs = cr.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ours, theirs = F.softmin(x_ours, dim), TF.softmin(x_theirs, dim)
    _close(ours, theirs)
    upstream = RNG.standard_normal(shape)
    ours.backward(cr.tensor(upstream))
    theirs.backward(torch.tensor(upstream))
    _close(x_ours.grad, x_theirs.grad)
    assert gradcheck(lambda t: F.softmin(t, dim), (cr.tensor(x / 1e3, requires_grad=True),))
    as_float32 = F.softmin(cr.tensor(x), dim, dtype=cr.float32)
    assert as_float32.dtype == cr.float32


def test_softmin_without_dim_warns_like_torch():
    x = RNG.standard_normal((2, 3))
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmin"):
        ours = F.softmin(cr.tensor(x))
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmin"):
        theirs = TF.softmin(torch.tensor(x))
    _close(ours, theirs)


def test_celu_with_alpha_zero_is_refused_like_torch():
    for lib, tensor in ((F, cr.ones(3)), (TF, torch.ones(3))):
        with pytest.raises(RuntimeError, match="alpha cannot be 0 for CELU"):
            lib.celu(tensor, alpha=0.0)


def test_softshrink_with_a_negative_lambda_is_refused_like_torch():
    for lib, tensor in ((F, cr.ones(3)), (TF, torch.ones(3))):
        with pytest.raises(RuntimeError, match=r"lambda must be in range \[0, 3.40282e\+38\] "
                                               "for input dtype Float, but found -1$"):
            lib.softshrink(tensor, -1.0)
