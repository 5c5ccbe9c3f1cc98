"""Elementwise losses (mse l1 huber smooth_l1 binary_cross_entropy[_with_logits]
gaussian_nll) and the loss modules: values and gradients (input, target, var, weight)
against PyTorch in float64 for every reduction, gradcheck, stability at large logits,
float32 preservation, warnings and error messages."""

from __future__ import annotations

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
from chainrule.nn import loss as nn_loss
from chainrule.ops import losses

FAST = settings(max_examples=25, deadline=None)
RTOL, ATOL = 1e-10, 1e-13
REDUCTIONS = ["none", "mean", "sum"]
REGRESSION = {"mse_loss": {}, "l1_loss": {}, "huber_loss": {"delta": 0.7},
              "smooth_l1_loss": {"beta": 0.6}}
SHAPES = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)


def pair(array, grad: bool = True) -> tuple[cr.Tensor, torch.Tensor]:
    array = np.asarray(array)
    return cr.Tensor(array, requires_grad=grad), torch.tensor(array, requires_grad=grad)


def close(ours, theirs, rtol=RTOL, atol=ATOL):
    expected = theirs.detach().numpy() if isinstance(theirs, torch.Tensor) else theirs
    got = ours.data if isinstance(ours, cr.Tensor) else np.asarray(ours)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol, equal_nan=True)


def backward_both(ours, theirs, seed=0):
    upstream = np.random.default_rng(seed).standard_normal(theirs.shape)
    ours.backward(upstream.astype(ours.dtype))
    theirs.backward(torch.tensor(upstream, dtype=theirs.dtype))


def check_grads(*pairs, rtol=RTOL, atol=ATOL):
    for ours, theirs in pairs:
        if theirs.grad is None:
            assert ours.grad is None or not np.any(ours.grad.data)
        else:
            close(ours.grad, theirs.grad, rtol, atol)


def quiet(fn, *args, **kwargs):
    """Call ``fn`` with the shape-mismatch warning silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return fn(*args, **kwargs)


# --- mse, l1, huber, smooth_l1 ----------------------------------------------------------------

@st.composite
def input_target_shapes(draw):
    """Equal shapes half the time, otherwise shapes broadcasting either way."""
    if draw(st.booleans()):
        shape = draw(SHAPES)
        return shape, shape
    shapes, _ = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3,
                                                       max_side=4))
    return shapes


@pytest.mark.parametrize("name", REGRESSION)
@given(shapes=input_target_shapes(), reduction=st.sampled_from(REDUCTIONS),
       seed=st.integers(0, 2**16))
@FAST
def test_regression_losses_match_torch(name, shapes, reduction, seed):
    rng = np.random.default_rng(seed)
    x, xt = pair(rng.standard_normal(shapes[0]))
    t, tt = pair(rng.standard_normal(shapes[1]))
    kw = REGRESSION[name]
    ours = quiet(getattr(losses, name), x, t, reduction=reduction, **kw)
    theirs = quiet(getattr(F, name), xt, tt, reduction=reduction, **kw)
    close(ours, theirs)
    backward_both(ours, theirs, seed)
    check_grads((x, xt), (t, tt))


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "huber_loss"])
@given(shape=SHAPES, reduction=st.sampled_from(REDUCTIONS), seed=st.integers(0, 2**16),
       broadcast_target=st.booleans())
@FAST
def test_weighted_regression_losses_match_torch(name, shape, reduction, seed, broadcast_target):
    rng = np.random.default_rng(seed)
    x, xt = pair(rng.standard_normal(shape))
    target_shape = (2,) + shape if broadcast_target else shape  # weight stays input-shaped
    t, tt = pair(rng.standard_normal(target_shape))
    w, wt = pair(rng.uniform(0.1, 2.0, shape))
    ours = quiet(getattr(losses, name), x, t, reduction=reduction, weight=w)
    theirs = quiet(getattr(F, name), xt, tt, reduction=reduction, weight=wt)
    close(ours, theirs)
    backward_both(ours, theirs, seed)
    check_grads((x, xt), (t, tt), (w, wt))


def test_kinks_match_torch():
    # l1 at d = 0, huber / smooth_l1 exactly at |d| = delta / beta.
    x = np.array([0.0, 0.7, -0.7, 0.6, -0.6, 1.0, 2.0])
    t = np.zeros(7)
    for name, kw in REGRESSION.items():
        a, at = pair(x)
        b, bt = pair(t)
        ours = getattr(losses, name)(a, b, reduction="sum", **kw)
        theirs = getattr(F, name)(at, bt, reduction="sum", **kw)
        close(ours, theirs)
        ours.backward()
        theirs.backward()
        check_grads((a, at), (b, bt))


def test_smooth_l1_with_beta_zero_is_l1():
    x, xt = pair(np.array([-2.0, 0.0, 0.5]))
    t, tt = pair(np.array([1.0, 0.0, 0.25]))
    ours, theirs = losses.smooth_l1_loss(x, t, beta=0.0), F.smooth_l1_loss(xt, tt, beta=0.0)
    close(ours, theirs)
    ours.backward()
    theirs.backward()
    check_grads((x, xt), (t, tt))


def test_regression_mixed_dtypes_promote_like_torch():
    x32 = np.array([0.5, 1.5], dtype=np.float32)
    for target in (np.array([1, 2]), np.array([1.0, 2.0])):
        for name in ("mse_loss", "l1_loss"):
            ours = getattr(losses, name)(cr.Tensor(x32), cr.Tensor(target))
            theirs = getattr(F, name)(torch.tensor(x32), torch.tensor(target))
            assert str(ours.dtype) == str(theirs.dtype).replace("torch.", "")
            close(ours, theirs, rtol=1e-6)
    with pytest.raises(RuntimeError, match="mse_loss: expected floating point input or target, "
                                           "got int64 and int64"):
        losses.mse_loss(cr.Tensor(np.array([1, 2])), cr.Tensor(np.array([1, 2])))


# --- binary cross-entropy -------------------------------------------------------------------

@st.composite
def weight_shape(draw, shape):
    """None, or a shape that broadcasts to ``shape`` without changing it."""
    if not shape or draw(st.booleans()):
        return None
    tail = shape[draw(st.integers(0, len(shape) - 1)):]
    return tuple(1 if draw(st.booleans()) else n for n in tail)


@given(data=st.data(), reduction=st.sampled_from(REDUCTIONS), seed=st.integers(0, 2**16))
@FAST
def test_binary_cross_entropy_matches_torch(data, reduction, seed):
    shape = data.draw(SHAPES)
    wshape = data.draw(weight_shape(shape))
    rng = np.random.default_rng(seed)
    probs = rng.uniform(0.001, 0.999, shape)
    if data.draw(st.booleans()):  # exact 0s and 1s: logs clamped at -100, grads at the clamp
        probs = np.where(rng.uniform(size=shape) < 0.3, rng.integers(0, 2, shape), probs)
    x, xt = pair(probs)
    t, tt = pair(rng.uniform(0, 1, shape))
    w, wt = pair(rng.uniform(0, 2, wshape), grad=False) if wshape is not None else (None, None)
    ours = losses.binary_cross_entropy(x, t, weight=w, reduction=reduction)
    theirs = F.binary_cross_entropy(xt, tt, weight=wt, reduction=reduction)
    close(ours, theirs)
    backward_both(ours, theirs, seed)
    check_grads((x, xt), (t, tt))


@given(data=st.data(), reduction=st.sampled_from(REDUCTIONS), seed=st.integers(0, 2**16),
       scale=st.sampled_from([1.0, 10.0, 40.0]))
@FAST
def test_binary_cross_entropy_with_logits_matches_torch(data, reduction, seed, scale):
    shape = data.draw(SHAPES)
    wshape, pshape = data.draw(weight_shape(shape)), data.draw(weight_shape(shape))
    rng = np.random.default_rng(seed)
    x, xt = pair(rng.standard_normal(shape) * scale)
    t, tt = pair(rng.uniform(0, 1, shape))
    w, wt = pair(rng.uniform(0, 2, wshape), grad=False) if wshape is not None else (None, None)
    p, pt = pair(rng.uniform(0, 3, pshape), grad=False) if pshape is not None else (None, None)
    ours = losses.binary_cross_entropy_with_logits(x, t, weight=w, pos_weight=p,
                                                   reduction=reduction)
    theirs = F.binary_cross_entropy_with_logits(xt, tt, weight=wt, pos_weight=pt,
                                                reduction=reduction)
    close(ours, theirs)
    backward_both(ours, theirs, seed)
    check_grads((x, xt), (t, tt))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("pos_weight", [None, 2.5])
def test_binary_cross_entropy_with_logits_stable_at_1e4(dtype, pos_weight):
    logits = np.array([1e4, -1e4, 1e4, -1e4, 0.0], dtype=dtype)
    target = np.array([1.0, 0.0, 0.0, 1.0, 0.5], dtype=dtype)
    x, xt = pair(logits)
    t, tt = pair(target)
    p = None if pos_weight is None else np.full(5, pos_weight, dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ours = losses.binary_cross_entropy_with_logits(
            x, t, pos_weight=None if p is None else cr.Tensor(p), reduction="none")
        ours.sum().backward()
    theirs = F.binary_cross_entropy_with_logits(
        xt, tt, pos_weight=None if p is None else torch.tensor(p), reduction="none")
    theirs.sum().backward()
    assert ours.dtype == dtype and x.grad.dtype == dtype and t.grad.dtype == dtype
    assert np.all(np.isfinite(ours.data)) and np.all(np.isfinite(x.grad.data))
    close(ours, theirs, rtol=1e-6)
    check_grads((x, xt), (t, tt), rtol=1e-6)


def test_binary_cross_entropy_with_logits_result_has_target_dtype():
    for xd, td in [(np.float32, np.float64), (np.float64, np.float32)]:
        x, xt = pair(np.array([0.5, -1.0], dtype=xd))
        t, tt = pair(np.array([1.0, 0.0], dtype=td))
        ours = losses.binary_cross_entropy_with_logits(x, t)
        theirs = F.binary_cross_entropy_with_logits(xt, tt)
        assert ours.dtype == td and theirs.dtype == torch.tensor(np.zeros(1, td)).dtype
        close(ours, theirs, rtol=1e-6)


def test_binary_cross_entropy_equals_logits_form_where_both_are_exact():
    rng = np.random.default_rng(5)
    logits = rng.standard_normal((4, 3)) * 3
    target = rng.uniform(0, 1, (4, 3))
    a, b = cr.Tensor(logits, requires_grad=True), cr.Tensor(logits, requires_grad=True)
    fused = losses.binary_cross_entropy_with_logits(a, cr.Tensor(target))
    composed = losses.binary_cross_entropy(cr.sigmoid(b), cr.Tensor(target))
    close(fused, composed.data, rtol=1e-12)
    fused.backward()
    composed.backward()
    close(a.grad, b.grad.data, rtol=1e-9)


# --- Gaussian NLL ---------------------------------------------------------------------------

VAR_LAYOUTS = {"same": (3, 4), "one fewer dim": (3,), "size-1 dim": (3, 1),
               "leading size-1": (1, 4), "float": None}


@pytest.mark.parametrize("layout", VAR_LAYOUTS)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("full", [False, True])
def test_gaussian_nll_loss_matches_torch(layout, reduction, full):
    rng = np.random.default_rng(len(layout) + 7 * full)
    x, xt = pair(rng.standard_normal((3, 4)))
    t, tt = pair(rng.standard_normal((3, 4)))
    vshape = VAR_LAYOUTS[layout]
    if vshape is None:
        v = vt = 0.7
    else:
        variances = rng.uniform(0.1, 2.0, vshape)
        variances.flat[0] = 0.0  # clamped to eps; the gradient passes through the clamp
        v, vt = pair(variances)
    ours = losses.gaussian_nll_loss(x, t, v, full=full, eps=1e-3, reduction=reduction)
    theirs = F.gaussian_nll_loss(xt, tt, vt, full=full, eps=1e-3, reduction=reduction)
    close(ours, theirs)
    backward_both(ours, theirs)
    pairs = [(x, xt), (t, tt)] + ([(v, vt)] if vshape is not None else [])
    check_grads(*pairs)


def test_gaussian_nll_loss_broadcasts_target_and_scalar_var():
    x, xt = pair(np.array([[0.5, 1.5], [1.0, -2.0]]))
    t, tt = pair(np.array([[1.0, 0.0]]))
    for var in (np.array([[0.8], [1.5]]), np.array([0.8, 1.2])):
        v, vt = pair(var)
        ours = losses.gaussian_nll_loss(x, t, v, reduction="none")
        theirs = F.gaussian_nll_loss(xt, tt, vt, reduction="none")
        close(ours, theirs)
        backward_both(ours, theirs)
        check_grads((x, xt), (t, tt), (v, vt))
        for a in (x, t, xt, tt):
            a.grad = None


# --- gradcheck --------------------------------------------------------------------------------

RNG = np.random.default_rng(11)
X, T, W = RNG.standard_normal((2, 3)), RNG.standard_normal((2, 3)), RNG.uniform(0.5, 2, (2, 3))


def leaves(*arrays):
    return tuple(cr.Tensor(a, requires_grad=True) for a in arrays)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", REGRESSION)
def test_regression_gradcheck(name, reduction):
    fn = getattr(losses, name)
    assert gradcheck(lambda x, t: quiet(fn, x, t, reduction=reduction, **REGRESSION[name]),
                     leaves(X, T[:1]))
    if name != "smooth_l1_loss":
        assert gradcheck(lambda x, t, w: fn(x, t, reduction=reduction, weight=w),
                         leaves(X, T, W))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy_gradcheck(reduction):
    probs, target = RNG.uniform(0.1, 0.9, (2, 3)), RNG.uniform(0, 1, (2, 3))
    weight = cr.Tensor(RNG.uniform(0.5, 2, (3,)))
    assert gradcheck(lambda x, t: losses.binary_cross_entropy(x, t, weight, reduction=reduction),
                     leaves(probs, target))
    pos = cr.Tensor(RNG.uniform(0.5, 2, (3,)))
    assert gradcheck(lambda x, t: losses.binary_cross_entropy_with_logits(
        x, t, weight, reduction=reduction, pos_weight=pos), leaves(X * 3, target))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_gaussian_nll_gradcheck(reduction):
    for var in (W, W[:, 0], W[:, :1]):
        assert gradcheck(lambda x, t, v: losses.gaussian_nll_loss(x, t, v, reduction=reduction),
                         leaves(X, T, var))


# --- dtypes, empty batches, legacy arguments ----------------------------------------------------

FLOAT32_CALLS = {
    "mse_loss": lambda x, t: losses.mse_loss(x, t),
    "l1_loss": lambda x, t: losses.l1_loss(x, t, weight=cr.ones_like(x)),
    "huber_loss": lambda x, t: losses.huber_loss(x, t, delta=0.5),
    "smooth_l1_loss": lambda x, t: losses.smooth_l1_loss(x, t, beta=2.0),
    "binary_cross_entropy": lambda x, t: losses.binary_cross_entropy(cr.sigmoid(x), t),
    "binary_cross_entropy_with_logits": lambda x, t: losses.binary_cross_entropy_with_logits(
        x, t, pos_weight=cr.ones_like(x)),
    "gaussian_nll_loss": lambda x, t: losses.gaussian_nll_loss(x, t, 0.5, full=True),
    "gaussian_nll_loss var": lambda x, t: losses.gaussian_nll_loss(x, t, x * x, full=True),
}


@pytest.mark.parametrize("name", FLOAT32_CALLS)
def test_float32_stays_float32(name):
    rng = np.random.default_rng(12)
    x = cr.Tensor(rng.standard_normal((3, 4)).astype(np.float32), requires_grad=True)
    t = cr.Tensor(rng.uniform(0, 1, (3, 4)).astype(np.float32), requires_grad=True)
    out = FLOAT32_CALLS[name](x, t)
    assert out.dtype == cr.float32
    out.backward()
    assert x.grad.dtype == cr.float32 and t.grad.dtype == cr.float32


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "binary_cross_entropy",
                                  "binary_cross_entropy_with_logits"])
def test_empty_mean_is_nan_like_torch(name):
    ours = getattr(losses, name)(cr.Tensor(np.zeros(0)), cr.Tensor(np.zeros(0)))
    empty = torch.zeros(0, dtype=torch.float64)
    theirs = getattr(F, name)(empty, empty)
    assert np.isnan(ours.item()) and np.isnan(theirs.item())
    x = cr.Tensor(np.zeros(0))
    assert np.isnan(losses.gaussian_nll_loss(x, x, x).item())


@pytest.mark.parametrize("size_average, reduce", [(False, None), (None, False), (True, True),
                                                  (False, True)])
def test_legacy_size_average_and_reduce(size_average, reduce):
    x, xt = pair(np.array([1.0, 2.0, 4.0]))
    t, tt = pair(np.array([1.5, 2.0, 3.0]))
    legacy = "size_average and reduce args will be deprecated"
    with pytest.warns(UserWarning, match=legacy) as ours_w:
        ours = losses.mse_loss(x, t, size_average, reduce)
    with pytest.warns(UserWarning) as theirs_w:
        theirs = F.mse_loss(xt, tt, size_average, reduce)
    close(ours, theirs)
    assert str(ours_w[0].message) == str(theirs_w[0].message)
    assert ours_w[0].filename == __file__  # the warning points at the caller
    with pytest.warns(UserWarning, match="size_average and reduce"):
        module = nn_loss.BCELoss(size_average=size_average, reduce=reduce)
    with pytest.warns(UserWarning):
        assert module.reduction == tnn.BCELoss(size_average=size_average, reduce=reduce).reduction


@pytest.mark.parametrize("size_average, reduce", [(False, None), (None, False), (True, True)])
@pytest.mark.parametrize("name", ["cross_entropy", "nll_loss"])
def test_legacy_flags_of_the_class_losses_in_torchs_positions(name, size_average, reduce):
    x, xt = pair(np.random.default_rng(5).normal(size=(4, 3)))
    y = np.array([0, 2, 1, 2])
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
        ours = getattr(cr.nn.functional, name)(x, cr.tensor(y), None, size_average, -100, reduce)
    with pytest.warns(UserWarning):
        theirs = getattr(F, name)(xt, torch.tensor(y), None, size_average, -100, reduce)
    close(ours, theirs)


# --- warnings and errors ------------------------------------------------------------------------


@pytest.mark.parametrize("name", REGRESSION)
def test_shape_mismatch_warns_like_torch(name):
    x, t = cr.Tensor(np.zeros((3, 1))), cr.Tensor(np.zeros(3))
    with pytest.warns(UserWarning, match=rf"{name}: Using a target size \(\(3,\)\) that is "
                                         r"different to the input size \(\(3, 1\)\)\. This will "
                                         r"likely lead to incorrect results") as record:
        out = getattr(losses, name)(x, t)
    assert record[0].filename == __file__
    assert out.shape == ()
    with pytest.warns(UserWarning, match="Using a target size"):
        getattr(F, name)(torch.zeros(3, 1), torch.zeros(3))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # same shapes: silent
        getattr(losses, name)(x, cr.Tensor(np.zeros((3, 1))))
    with pytest.raises(RuntimeError, match=rf"{name}: input of shape \(2,\) and target of shape "
                                           r"\(3,\) cannot be broadcast together"):
        quiet(getattr(losses, name), cr.Tensor(np.zeros(2)), cr.Tensor(np.zeros(3)))


def test_binary_cross_entropy_shape_errors_match_torch():
    x, t = cr.Tensor(np.full((3, 1), 0.5)), cr.Tensor(np.ones(3))
    with pytest.raises(ValueError, match=r"binary_cross_entropy: Using a target size \(\(3,\)\) "
                                         r"that is different to the input size \(\(3, 1\)\) is "
                                         r"deprecated\. Please ensure they have the same size\."):
        losses.binary_cross_entropy(x, t)
    with pytest.raises(ValueError, match=r"is deprecated\. Please ensure they have the same size"):
        F.binary_cross_entropy(torch.full((3, 1), 0.5), torch.ones(3))
    with pytest.raises(ValueError, match=r"binary_cross_entropy_with_logits: Target size "
                                         r"\(\(3,\)\) must be the same as input size \(\(3, 1\)\)"):
        losses.binary_cross_entropy_with_logits(x, t)
    with pytest.raises(ValueError, match="must be the same as input size"):
        F.binary_cross_entropy_with_logits(torch.zeros(3, 1), torch.ones(3))


def test_binary_cross_entropy_value_errors():
    half = cr.Tensor(np.full(2, 0.5))
    with pytest.raises(RuntimeError, match="all elements of input should be between 0 and 1"):
        losses.binary_cross_entropy(cr.Tensor(np.array([0.5, 1.5])), half)
    with pytest.raises(RuntimeError, match="all elements of input should be between 0 and 1"):
        losses.binary_cross_entropy(cr.Tensor(np.array([0.5, np.nan])), half)
    with pytest.raises(RuntimeError, match="all elements of target should be between 0 and 1"):
        losses.binary_cross_entropy(half, cr.Tensor(np.array([2.0, -1.0])))
    with pytest.raises(RuntimeError, match="binary_cross_entropy: target has dtype float32 but "
                                           "input has dtype float64"):
        losses.binary_cross_entropy(half, cr.Tensor(np.full(2, 0.5, dtype=np.float32)))
    with pytest.raises(RuntimeError, match="expected floating point input and target, got "
                                           "float64 and int64"):
        losses.binary_cross_entropy_with_logits(half, cr.Tensor(np.array([1, 0])))


@pytest.mark.parametrize("name, argument", [("binary_cross_entropy", "weight"),
                                            ("binary_cross_entropy_with_logits", "weight"),
                                            ("binary_cross_entropy_with_logits", "pos_weight")])
def test_weights_that_require_grad_are_refused_like_torch(name, argument):
    x, t = cr.Tensor(np.full(2, 0.5), requires_grad=True), cr.Tensor(np.ones(2))
    w = cr.Tensor(np.ones(2), requires_grad=True)
    with pytest.raises(RuntimeError, match=rf"{name}: not differentiable with respect to "
                                           rf"{argument}"):
        getattr(losses, name)(x, t, **{argument: w})
    with pytest.raises(RuntimeError, match="not differentiable with respect to argument"):
        getattr(F, name)(torch.full((2,), 0.5, requires_grad=True), torch.ones(2),
                         **{argument: torch.ones(2, requires_grad=True)})
    with cr.no_grad():
        getattr(losses, name)(x, t, **{argument: w})


def test_weight_shape_errors():
    x, t = cr.Tensor(np.zeros((2, 3))), cr.Tensor(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"mse_loss: Weights and input must have the same size "
                                         r"\(weight has shape \(3,\), input has shape \(2, 3\)\)"):
        losses.mse_loss(x, t, weight=cr.Tensor(np.ones(3)))
    with pytest.raises(ValueError, match="Weights and input must have the same size"):
        F.mse_loss(torch.zeros(2, 3), torch.zeros(2, 3), weight=torch.ones(3))
    probs = cr.Tensor(np.full((1, 2), 0.5))
    with pytest.raises(RuntimeError, match=r"binary_cross_entropy: weight of shape \(2, 1\) "
                                           r"cannot be broadcast to the input's shape \(1, 2\)"):
        losses.binary_cross_entropy(probs, probs, weight=cr.Tensor(np.ones((2, 1))))
    with pytest.raises(RuntimeError, match=r"pos_weight|weight of shape \(3,\)"):
        losses.binary_cross_entropy_with_logits(probs, probs, pos_weight=cr.Tensor(np.ones(3)))


@pytest.mark.parametrize("name", [*REGRESSION, "binary_cross_entropy",
                                  "binary_cross_entropy_with_logits", "gaussian_nll_loss"])
def test_bad_reduction(name):
    x = cr.Tensor(np.full(2, 0.5))
    args = (x, x, x) if name == "gaussian_nll_loss" else (x, x)
    with pytest.raises(ValueError, match=rf"{name}: 'bogus' is not a valid value for reduction"):
        getattr(losses, name)(*args, reduction="bogus")
    xt = torch.full((2,), 0.5)
    with pytest.raises(ValueError, match="bogus is not"):
        getattr(F, name)(*((xt,) * len(args)), reduction="bogus")


def test_gaussian_nll_loss_errors_match_torch():
    x = cr.Tensor(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="gaussian_nll_loss: var has negative entry/entries"):
        losses.gaussian_nll_loss(x, x, cr.Tensor(-np.ones((2, 3))))
    with pytest.raises(ValueError, match="gaussian_nll_loss: var has negative entry/entries"):
        losses.gaussian_nll_loss(x, x, -0.5)
    with pytest.raises(ValueError, match="var has negative entry/entries"):
        F.gaussian_nll_loss(torch.zeros(2, 3), torch.zeros(2, 3), -0.5)
    for shape in [(3,), (2, 2), (1, 1, 3)]:
        with pytest.raises(ValueError, match=r"gaussian_nll_loss: var is of incorrect size"):
            losses.gaussian_nll_loss(x, x, cr.Tensor(np.ones(shape)))
        with pytest.raises(ValueError, match="var is of incorrect size"):
            F.gaussian_nll_loss(torch.zeros(2, 3), torch.zeros(2, 3), torch.ones(shape))


def test_regression_parameter_errors_match_torch():
    x = cr.Tensor(np.zeros(2))
    with pytest.raises(RuntimeError, match="huber_loss does not support non-positive values "
                                           "for delta"):
        losses.huber_loss(x, x, delta=0.0)
    with pytest.raises(RuntimeError, match="smooth_l1_loss does not support negative values "
                                           "for beta"):
        losses.smooth_l1_loss(x, x, beta=-1.0)
    with pytest.raises(TypeError, match=r"mse_loss\(\): argument 'target' \(position 2\) must be "
                                        r"Tensor, not list"):
        losses.mse_loss(x, [0.0, 1.0])


# --- modules ------------------------------------------------------------------------------------

def module_cases():
    rng = np.random.default_rng(13)
    logits, probs = rng.standard_normal((4, 3)), rng.uniform(0.05, 0.95, (4, 3))
    soft, classes = rng.uniform(0, 1, (4, 3)), np.array([0, 2, 1, 2])
    class_w, elem_w = np.array([0.5, 1.0, 2.0]), rng.uniform(0.5, 2, (4, 3))
    regression = (logits, rng.standard_normal((4, 3)))
    return [
        ("MSELoss", {}, regression),
        ("MSELoss", {"reduction": "sum"}, regression),
        ("L1Loss", {"reduction": "none"}, regression),
        ("HuberLoss", {"delta": 0.5}, regression),
        ("SmoothL1Loss", {"beta": 0.5, "reduction": "sum"}, regression),
        ("CrossEntropyLoss", {}, (logits, classes)),
        ("CrossEntropyLoss", {"weight": class_w, "label_smoothing": 0.2}, (logits, classes)),
        ("CrossEntropyLoss", {"ignore_index": 2, "reduction": "sum"}, (logits, classes)),
        ("NLLLoss", {"weight": class_w}, (logits, classes)),
        ("BCELoss", {}, (probs, soft)),
        ("BCELoss", {"weight": elem_w, "reduction": "none"}, (probs, soft)),
        ("BCEWithLogitsLoss", {"weight": elem_w, "pos_weight": class_w}, (logits * 5, soft)),
        ("GaussianNLLLoss", {"full": True, "eps": 1e-2}, (*regression, probs)),
    ]


@pytest.mark.parametrize("name, kwargs, arrays", module_cases(),
                         ids=[f"{c[0]}-{sorted(c[1])}" for c in module_cases()])
def test_loss_module_matches_torch_module(name, kwargs, arrays):
    ours_m = getattr(nn_loss, name)(**{k: cr.Tensor(v) if isinstance(v, np.ndarray) else v
                                       for k, v in kwargs.items()})
    torch_m = getattr(tnn, name)(**{k: torch.tensor(v) if isinstance(v, np.ndarray) else v
                                    for k, v in kwargs.items()})
    assert repr(ours_m) == repr(torch_m) == f"{name}()"
    assert list(ours_m.state_dict()) == list(torch_m.state_dict())
    assert list(ours_m.parameters()) == []
    ours_in = [cr.Tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
    torch_in = [torch.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
    ours, theirs = ours_m(*ours_in), torch_m(*torch_in)
    close(ours, theirs)
    backward_both(ours, theirs)
    check_grads(*[(a, b) for a, b in zip(ours_in, torch_in) if b.requires_grad])


def test_loss_module_buffers_follow_the_module():
    module = nn_loss.BCEWithLogitsLoss(weight=cr.Tensor(np.ones(3, dtype=np.float32)),
                                       pos_weight=cr.Tensor(np.full(3, 2.0, dtype=np.float32)))
    assert [name for name, _ in module.named_buffers()] == ["weight", "pos_weight"]
    module.double()
    assert module.weight.dtype == cr.float64 and module.pos_weight.dtype == cr.float64
    assert nn_loss.CrossEntropyLoss().weight is None
    assert nn_loss.CrossEntropyLoss().state_dict() == {}
    module = nn_loss.GaussianNLLLoss(full=True, eps=0.1, reduction="sum")
    assert (module.full, module.eps, module.reduction) == (True, 0.1, "sum")
