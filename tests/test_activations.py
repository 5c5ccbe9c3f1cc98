"""Activation functions (leaky_relu elu selu gelu softplus silu hardtanh relu6 logsigmoid) and
the activation modules: values and gradients against PyTorch in float64, gradcheck, the
exact GELU against the standard library's erfc, stability at large magnitudes, float32
preservation, module reprs and error messages."""

from __future__ import annotations

import math
import warnings

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
import torch
import torch.nn as tnn
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

import chainrule as cr
from chainrule.autograd import gradcheck
from chainrule.nn import activation as nn_act
from chainrule.nn import functional as act

FAST = settings(max_examples=25, deadline=None)
RTOL, ATOL = 1e-10, 1e-13
SHAPES = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)

# (name, keyword arguments): each is called as act.<name>(x, **kw) and F.<name>(x, **kw).
CASES = [
    ("leaky_relu", {}), ("leaky_relu", {"negative_slope": 0.2}),
    ("leaky_relu", {"negative_slope": -0.5}), ("leaky_relu", {"negative_slope": 1.5}),
    ("elu", {}), ("elu", {"alpha": 0.5}), ("selu", {}),
    ("gelu", {}), ("gelu", {"approximate": "tanh"}),
    ("softplus", {}), ("softplus", {"beta": 2.0, "threshold": 3.0}),
    ("softplus", {"beta": 0.5}),
    ("silu", {}), ("hardtanh", {}), ("hardtanh", {"min_val": -0.5, "max_val": 2.0}),
    ("relu6", {}), ("logsigmoid", {}),
    ("mish", {}), ("softsign", {}), ("hardsigmoid", {}), ("hardswish", {}), ("tanhshrink", {}),
    ("celu", {}), ("celu", {"alpha": 0.5}), ("celu", {"alpha": 3.0}),
    ("hardshrink", {}), ("hardshrink", {"lambd": 1.0}), ("hardshrink", {"lambd": 0.0}),
    ("softshrink", {}), ("softshrink", {"lambd": 1.5}), ("softshrink", {"lambd": 0.0}),
    ("threshold", {"threshold": 0.5, "value": -2.0}),
    ("threshold", {"threshold": -1.0, "value": 3.0}),
]
IDS = [f"{name}-{kw}" for name, kw in CASES]
# Ties and kinks: 0 and the hardtanh/relu6 corners, with ordinary values around them.
SPECIAL = st.sampled_from([0.0, -0.5, 2.0, 6.0, -1.0, 1.0, 1.5])


def pair(array: np.ndarray, grad: bool = True) -> tuple[cr.Tensor, torch.Tensor]:
    return cr.Tensor(array, requires_grad=grad), torch.tensor(array, requires_grad=grad)


def close(ours, theirs, rtol=RTOL, atol=ATOL):
    expected = theirs.detach().numpy() if isinstance(theirs, torch.Tensor) else theirs
    got = ours.data if isinstance(ours, cr.Tensor) else np.asarray(ours)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol, equal_nan=True)


def run_both(name, kw, array, upstream):
    """Forward and backward through chainrule and torch; returns (ours, theirs, x, xt)."""
    x, xt = pair(array)
    ours, theirs = getattr(act, name)(x, **kw), getattr(F, name)(xt, **kw)
    ours.backward(upstream.astype(array.dtype))
    theirs.backward(torch.tensor(upstream, dtype=theirs.dtype))
    return ours, theirs, x, xt


# --- against torch -------------------------------------------------------------------------


@pytest.mark.parametrize("name, kw", CASES, ids=IDS)
@given(data=st.data())
@FAST
def test_matches_torch(name, kw, data):
    shape = data.draw(SHAPES)
    values = st.one_of(st.floats(-8, 8), SPECIAL)
    array = data.draw(hnp.arrays(np.float64, shape, elements=values))
    upstream = np.random.default_rng(data.draw(st.integers(0, 2**16))).standard_normal(shape)
    ours, theirs, x, xt = run_both(name, kw, array, upstream)
    assert ours.dtype == cr.float64 and ours.requires_grad
    close(ours, theirs)
    close(x.grad, xt.grad)


@pytest.mark.parametrize("name, kw", CASES, ids=IDS)
def test_gradcheck(name, kw):
    # Away from the kinks (0, the hardtanh corners), where finite differences straddle them.
    array = np.array([[-2.7, -0.8, -0.3], [0.2, 0.7, 3.1]])
    x = cr.Tensor(array, requires_grad=True)
    assert gradcheck(lambda t: getattr(act, name)(t, **kw), (x,))


@pytest.mark.parametrize("name, kw", CASES, ids=IDS)
@pytest.mark.parametrize("scale", [30.0, 800.0, 1e4])
def test_large_magnitudes_are_finite_and_match_torch(name, kw, scale):
    array = np.array([-1.0, -0.25, 0.5, 1.0]) * scale
    upstream = np.ones(4)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow RuntimeWarning either
        ours, theirs, x, xt = run_both(name, kw, array, upstream)
    assert np.all(np.isfinite(ours.data)) and np.all(np.isfinite(x.grad.data))
    # torch's GELU loses the far negative tail to 1 + erf(x) cancelling: an absolute
    # error of about |x| * 1e-16 (checked exactly in the erfc tests below).
    close(ours, theirs, atol=1e-15 * scale)
    close(x.grad, xt.grad, atol=1e-15 * scale)


@pytest.mark.parametrize("name, kw", CASES, ids=IDS)
def test_nan_infinities_and_signed_zeros_like_torch(name, kw):
    # Which side of a piecewise derivative a nan input takes is PyTorch's convention too.
    array = np.array([np.nan, -np.inf, np.inf, -0.0, 0.0, -2.0, 2.0])
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        ours, theirs, x, xt = run_both(name, kw, array, np.linspace(1.0, 2.0, len(array)))
    close(ours, theirs)
    close(x.grad, xt.grad)


@pytest.mark.parametrize("name, kw", CASES, ids=IDS)
def test_float32_stays_float32(name, kw):
    array = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32) * 4
    upstream = np.random.default_rng(1).standard_normal((3, 4))
    ours, theirs, x, xt = run_both(name, kw, array, upstream)
    assert ours.dtype == cr.float32 and x.grad.dtype == cr.float32
    close(ours, theirs, rtol=2e-6, atol=2e-6)
    close(x.grad, xt.grad, rtol=2e-6, atol=2e-6)


@pytest.mark.parametrize("name, kw", CASES, ids=IDS)
def test_no_graph_without_grad(name, kw):
    x = cr.Tensor(np.linspace(-3, 3, 7))
    out = getattr(act, name)(x, **kw)
    assert not out.requires_grad and out.grad_fn is None
    with cr.no_grad():
        out = getattr(act, name)(cr.Tensor(np.linspace(-3, 3, 7), requires_grad=True), **kw)
    assert not out.requires_grad
    close(out, getattr(F, name)(torch.tensor(np.linspace(-3, 3, 7)), **kw))


# --- the exact GELU's normal CDF ------------------------------------------------------------


def reference_gelu(x: float) -> tuple[float, float]:
    """x * Phi(x) and its derivative, from the standard library's erfc."""
    cdf = 0.5 * math.erfc(-x / math.sqrt(2))
    pdf = math.exp(-x * x / 2) / math.sqrt(2 * math.pi)
    return x * cdf, cdf + x * pdf


def test_gelu_float64_is_accurate_far_into_the_tails():
    # Where 1 + erf(x) cancels (torch's form), x * erfc(-x / sqrt 2) / 2 keeps every digit.
    xs = np.concatenate([np.linspace(-37, 37, 2001), -np.geomspace(1e-12, 37, 300),
                         np.geomspace(1e-12, 37, 300)])
    x = cr.Tensor(xs, requires_grad=True)
    out = act.gelu(x)
    out.backward(np.ones_like(xs))
    values, slopes = np.array([reference_gelu(v) for v in xs]).T
    np.testing.assert_allclose(out.data, values, rtol=5e-13, atol=0)
    np.testing.assert_allclose(x.grad.data, slopes, rtol=5e-13, atol=1e-300)


def test_gelu_float32_is_accurate_to_float32():
    xs = np.linspace(-10, 10, 2001).astype(np.float32)
    x = cr.Tensor(xs, requires_grad=True)
    out = act.gelu(x)
    out.backward(np.ones_like(xs))
    assert out.dtype == cr.float32 and x.grad.dtype == cr.float32
    values, slopes = np.array([reference_gelu(float(v)) for v in xs]).T
    np.testing.assert_allclose(out.data, values, rtol=1e-5, atol=1e-38)
    np.testing.assert_allclose(x.grad.data, slopes, rtol=1e-5, atol=1e-7)


def test_gelu_infinities_and_nan_like_torch():
    array = np.array([-np.inf, np.inf, np.nan, 0.0])
    for approximate in ("none", "tanh"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            ours = act.gelu(cr.Tensor(array), approximate=approximate)
        close(ours, F.gelu(torch.tensor(array), approximate=approximate))


def test_softplus_stays_finite_where_torch_overflows():
    # torch returns inf for log1p(exp(1e4)) when the threshold is raised above 1e4.
    x = cr.Tensor(np.array([1e4, 700.0, -1e4]), requires_grad=True)
    out = act.softplus(x, threshold=1e5)
    out.sum().backward()
    np.testing.assert_array_equal(out.data, [1e4, 700.0, 0.0])
    np.testing.assert_array_equal(x.grad.data, [1.0, 1.0, 0.0])


# --- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["leaky_relu", "elu", "selu", "gelu", "softplus", "silu",
                                  "logsigmoid"])
def test_integer_input_is_not_implemented(name):
    with pytest.raises(NotImplementedError, match=rf"{name}: not implemented for int64 tensors"):
        getattr(act, name)(cr.Tensor(np.array([1, 2])))
    with pytest.raises(NotImplementedError):
        getattr(F, name)(torch.tensor([1, 2]))


@pytest.mark.parametrize("name, kw", CASES[::2], ids=IDS[::2])
def test_non_tensor_input_is_a_type_error(name, kw):
    with pytest.raises(TypeError, match=rf"{name}\(\): argument 'input' \(position 1\) must be "
                                        r"Tensor, not list"):
        getattr(act, name)([1.0, 2.0], **kw)


def test_hardtanh_on_integers_and_bad_bounds():
    out = act.hardtanh(cr.Tensor(np.array([3, -3, 0])))
    close(out, F.hardtanh(torch.tensor([3, -3, 0])))
    assert out.dtype == cr.int64
    with pytest.raises(ValueError, match="min_val cannot be greater than max_val"):
        act.hardtanh(cr.Tensor(np.zeros(2)), 2.0, 1.0)
    with pytest.raises(ValueError, match="min_val cannot be greater than max_val"):
        F.hardtanh(torch.zeros(2), 2.0, 1.0)


def test_gelu_bad_approximate():
    with pytest.raises(RuntimeError, match="approximate argument must be either none or tanh"):
        act.gelu(cr.Tensor(np.zeros(2)), approximate="erf")
    with pytest.raises(RuntimeError, match="approximate argument must be either none or tanh"):
        F.gelu(torch.zeros(2), approximate="erf")


# --- modules ------------------------------------------------------------------------------

MODULES = [
    ("ReLU", (), {}), ("ReLU", (True,), {}), ("LeakyReLU", (), {}), ("LeakyReLU", (0.2, True), {}),
    ("ELU", (), {"alpha": 1}), ("ELU", (2.0, True), {}), ("SELU", (), {}), ("SELU", (True,), {}),
    ("Sigmoid", (), {}), ("Tanh", (), {}), ("Softmax", (1,), {}), ("Softmax", (), {"dim": -2}),
    ("LogSoftmax", (), {"dim": 0}), ("GELU", (), {}), ("GELU", ("tanh",), {}),
    ("Softplus", (), {}), ("Softplus", (2, 10.0), {}), ("SiLU", (), {}), ("SiLU", (True,), {}),
    ("Hardtanh", (), {}), ("Hardtanh", (0, 6, True), {}), ("ReLU6", (), {}),
    ("ReLU6", (True,), {}), ("LogSigmoid", (), {}),
    ("Mish", (), {}), ("Mish", (True,), {}), ("Softsign", (), {}), ("Hardsigmoid", (), {}),
    ("Hardswish", (True,), {}), ("Hardsigmoid", (True,), {}), ("Tanhshrink", (), {}),
    ("CELU", (), {}), ("CELU", (0.5, True), {}), ("Hardshrink", (), {}), ("Hardshrink", (1.2,), {}),
    ("Softshrink", (), {"lambd": 0.8}), ("Threshold", (0.1, 20), {}),
    ("Threshold", (-1.0, 0.5, True), {}), ("Softmin", (1,), {}), ("Softmin", (), {"dim": 0}),
]


@pytest.mark.parametrize("name, args, kwargs", MODULES)
def test_module_matches_torch_module(name, args, kwargs):
    ours_module = getattr(cr.nn, name)(*args, **kwargs)
    torch_module = getattr(tnn, name)(*args, **kwargs)
    assert repr(ours_module) == repr(torch_module)
    assert list(ours_module.parameters()) == [] and ours_module.state_dict() == {}
    array = np.random.default_rng(2).standard_normal((3, 4)) * 3
    x, xt = pair(array)
    ours, theirs = ours_module(x), torch_module(xt.clone())
    close(ours, theirs)
    upstream = np.random.default_rng(3).standard_normal((3, 4))
    ours.backward(upstream)
    theirs.backward(torch.tensor(upstream))
    close(x.grad, xt.grad)
    np.testing.assert_array_equal(x.data, array)  # inplace=True never writes into the input


def test_softmax_module_without_dim_warns_like_torch():
    array = np.random.default_rng(4).standard_normal((2, 3))
    with pytest.warns(UserWarning, match="Implicit dimension choice"):
        ours = nn_act.Softmax()(cr.Tensor(array))
    with pytest.warns(UserWarning, match="Implicit dimension choice"):
        theirs = tnn.Softmax()(torch.tensor(array))
    close(ours, theirs)
    assert repr(nn_act.Softmax()) == repr(tnn.Softmax()) == "Softmax(dim=None)"


def test_hardtanh_module_old_keywords_and_bounds():
    with pytest.warns(FutureWarning, match="keyword argument `min_value` is deprecated"):
        module = nn_act.Hardtanh(min_value=-2.0)
    assert module.min_val == -2.0 and repr(module) == "Hardtanh(min_val=-2.0, max_val=1.0)"
    with pytest.raises(ValueError, match="max_val must be greater than min_val"):
        nn_act.Hardtanh(1.0, 1.0)
