"""softmax / log_softmax / cross_entropy / nll_loss / one_hot: values and gradients against
PyTorch (float64), against chainrule's own unfused composition, gradcheck, stability at
large magnitudes, float32 preservation and error messages."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes

import chainrule as cr
from chainrule.autograd import gradcheck

# The oracle runs tiny ops; its thread pool only costs time on a shared machine.
torch.set_num_threads(1)

RTOL = 1e-10
ATOL = 1e-13
FAST = settings(max_examples=30, deadline=None)


def pair(array: np.ndarray, grad: bool = True) -> tuple[cr.Tensor, torch.Tensor]:
    """The same leaf in chainrule and in torch (float arrays require grad)."""
    return cr.Tensor(array, requires_grad=grad), torch.tensor(array, requires_grad=grad)


def assert_close(ours: cr.Tensor, theirs: torch.Tensor, rtol: float = RTOL,
                 atol: float = ATOL) -> None:
    expected = theirs.detach().numpy()
    assert ours.shape == expected.shape
    np.testing.assert_allclose(ours.data, expected, rtol=rtol, atol=atol)


def backward_both(out: cr.Tensor, expected: torch.Tensor, seed: int = 0) -> None:
    """Backpropagate the same random upstream gradient through both graphs."""
    upstream = np.random.default_rng(seed).standard_normal(expected.shape)
    out.backward(upstream.astype(out.dtype))
    expected.backward(torch.tensor(upstream, dtype=expected.dtype))


# --- softmax and log_softmax -----------------------------------------------------------------

SOFTMAXES = [(cr.softmax, torch.softmax), (cr.log_softmax, torch.log_softmax)]


@st.composite
def array_and_dim(draw) -> tuple[np.ndarray, int]:
    shape = draw(array_shapes(min_dims=0, max_dims=4, min_side=1, max_side=4))
    rank = max(len(shape), 1)
    dim = draw(st.integers(-rank, rank - 1))
    seed = draw(st.integers(0, 2**16))
    return np.random.default_rng(seed).standard_normal(shape) * 3, dim


@FAST
@given(case=array_and_dim(), which=st.sampled_from([0, 1]), method=st.booleans())
def test_softmaxes_match_torch(case, which, method):
    array, dim = case
    ours_fn, torch_fn = SOFTMAXES[which]
    x, xt = pair(array)
    out = getattr(x, ours_fn.__name__)(dim) if method else ours_fn(x, dim)
    expected = torch_fn(xt, dim)
    assert_close(out, expected)
    backward_both(out, expected)
    assert_close(x.grad, xt.grad)


@pytest.mark.parametrize("fn", [cr.softmax, cr.log_softmax])
@pytest.mark.parametrize("shape, dim", [((4,), 0), ((2, 3), 1), ((2, 3), -2), ((2, 2, 3), 1),
                                        ((), 0)])
def test_softmaxes_gradcheck(fn, shape, dim):
    x = cr.Tensor(np.random.default_rng(1).standard_normal(shape), requires_grad=True)
    assert gradcheck(lambda t: fn(t, dim), (x,))


@pytest.mark.parametrize("ours_fn, torch_fn", SOFTMAXES)
def test_softmaxes_keep_float32_and_cast_with_dtype(ours_fn, torch_fn):
    array = np.random.default_rng(2).standard_normal((3, 5)).astype(np.float32)
    x, xt = pair(array)
    out = ours_fn(x, 1)
    assert out.dtype == cr.float32
    out.backward(np.ones((3, 5), dtype=np.float32))
    assert x.grad.dtype == cr.float32
    x, xt = pair(array)
    out, expected = ours_fn(x, -1, dtype=cr.float64), torch_fn(xt, -1, dtype=torch.float64)
    assert out.dtype == cr.float64
    assert_close(out, expected)
    backward_both(out, expected)
    assert x.grad.dtype == cr.float32
    np.testing.assert_allclose(x.grad.data, xt.grad.numpy(), rtol=1e-6)


@pytest.mark.parametrize("ours_fn, torch_fn", SOFTMAXES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmaxes_stable_at_magnitude_1e4(ours_fn, torch_fn, dtype):
    array = (np.random.default_rng(3).standard_normal((4, 6)) * 1e4).astype(dtype)
    x, xt = pair(array)
    out, expected = ours_fn(x, 1), torch_fn(xt, 1)
    assert np.all(np.isfinite(out.data))
    assert_close(out, expected, rtol=1e-6, atol=1e-6 * 1e4 if dtype is np.float32 else 1e-9)
    backward_both(out, expected)
    assert np.all(np.isfinite(x.grad.data))
    assert_close(x.grad, xt.grad, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("ours_fn, torch_fn", SOFTMAXES)
def test_softmaxes_implicit_dim_warns_like_torch(ours_fn, torch_fn):
    for shape in [(3,), (2, 3), (2, 3, 4), (2, 2, 2, 2)]:
        array = np.random.default_rng(4).standard_normal(shape)
        with pytest.warns(UserWarning, match="Implicit dimension choice"):
            out = ours_fn(cr.Tensor(array))
        with pytest.warns(UserWarning):
            expected = getattr(F, ours_fn.__name__)(torch.tensor(array))
        assert_close(out, expected)


def test_softmaxes_errors():
    x = cr.Tensor(np.zeros((2, 3)))
    with pytest.raises(IndexError, match=r"softmax: dim 2 is out of range for a tensor of 2 "
                                         r"dimensions \(expected -2 <= dim <= 1\)"):
        cr.softmax(x, 2)
    with pytest.raises(IndexError, match=r"log_softmax: dim -3 is out of range"):
        x.log_softmax(-3)
    with pytest.raises(IndexError):
        torch.softmax(torch.zeros(2, 3), 2)
    with pytest.raises(RuntimeError, match="softmax: expected a floating point tensor, got int64"):
        cr.softmax(cr.Tensor(np.array([1, 2])), 0)


def test_softmax_empty_tensor():
    x = cr.Tensor(np.zeros((0, 3)), requires_grad=True)
    out = cr.softmax(x, 1)
    assert out.shape == (0, 3)
    out.backward(np.zeros((0, 3)))
    assert x.grad.shape == (0, 3)


# --- fused vs unfused (chainrule's own primitive ops) --------------------------------------

def unfused_log_softmax(x: cr.Tensor, dim: int) -> cr.Tensor:
    return x - x.exp().sum(dim, keepdim=True).log()


def unfused_softmax(x: cr.Tensor, dim: int) -> cr.Tensor:
    e = x.exp()
    return e / e.sum(dim, keepdim=True)


@pytest.mark.parametrize("fused, unfused", [(cr.log_softmax, unfused_log_softmax),
                                            (cr.softmax, unfused_softmax)])
@pytest.mark.parametrize("shape, dim", [((5, 7), 1), ((5, 7), 0), ((2, 3, 4), -1)])
def test_fused_softmaxes_match_unfused_composition(fused, unfused, shape, dim):
    array = np.random.default_rng(5).standard_normal(shape) * 2
    upstream = np.random.default_rng(6).standard_normal(shape)
    a, b = cr.Tensor(array, requires_grad=True), cr.Tensor(array, requires_grad=True)
    out_fused, out_unfused = fused(a, dim), unfused(b, dim)
    np.testing.assert_allclose(out_fused.data, out_unfused.data, rtol=1e-12, atol=1e-14)
    out_fused.backward(upstream)
    out_unfused.backward(upstream)
    np.testing.assert_allclose(a.grad.data, b.grad.data, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_fused_cross_entropy_matches_unfused_composition(reduction):
    rng = np.random.default_rng(7)
    logits, target = rng.standard_normal((6, 5)), rng.integers(0, 5, 6)
    a, b = cr.Tensor(logits, requires_grad=True), cr.Tensor(logits, requires_grad=True)
    fused = cr.cross_entropy(a, cr.Tensor(target), reduction=reduction)
    onehot = cr.one_hot(cr.Tensor(target), 5).double()
    unfused = -(unfused_log_softmax(b, 1) * onehot).sum()
    if reduction == "mean":
        unfused = unfused / 6
    np.testing.assert_allclose(fused.data, unfused.data, rtol=1e-12)
    fused.backward()
    unfused.backward()
    np.testing.assert_allclose(a.grad.data, b.grad.data, rtol=1e-10, atol=1e-15)


def test_fused_nll_of_log_softmax_matches_cross_entropy():
    rng = np.random.default_rng(8)
    logits, target = rng.standard_normal((6, 5)), rng.integers(0, 5, 6)
    a, b = cr.Tensor(logits, requires_grad=True), cr.Tensor(logits, requires_grad=True)
    loss_a = cr.nll_loss(cr.log_softmax(a, 1), cr.Tensor(target))
    loss_b = cr.cross_entropy(b, cr.Tensor(target))
    np.testing.assert_allclose(loss_a.data, loss_b.data, rtol=1e-12)
    loss_a.backward()
    loss_b.backward()
    np.testing.assert_allclose(a.grad.data, b.grad.data, rtol=1e-10, atol=1e-15)


# --- cross_entropy and nll_loss with class indices -----------------------------------------

LAYOUTS = {"batch": ((6, 5), (6,)), "unbatched": ((5,), ()), "spatial": ((3, 5, 2, 2), (3, 2, 2))}


def class_case(layout: str, ignore: int | None, seed: int = 9):
    """Input, class targets (some equal to ``ignore`` when given) and class weights."""
    rng = np.random.default_rng(seed)
    x_shape, t_shape = LAYOUTS[layout]
    x = rng.standard_normal(x_shape) * 2
    t = rng.integers(0, 5, t_shape)
    if ignore is not None:
        t.flat[::3] = ignore
    return x, t, rng.random(5) + 0.1


@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize("reduction, weighted, ignore, smoothing", list(itertools.product(
    ["mean", "sum", "none"], [False, True], [None, -100, 2], [0.0, 0.25])))
def test_cross_entropy_grid_matches_torch(layout, reduction, weighted, ignore, smoothing):
    x_array, t_array, w_array = class_case(layout, ignore)
    x, xt = pair(x_array)
    options = {"reduction": reduction, "label_smoothing": smoothing}
    if ignore is not None:
        options["ignore_index"] = ignore
    w = cr.Tensor(w_array) if weighted else None
    wt = torch.tensor(w_array) if weighted else None
    out = cr.cross_entropy(x, cr.Tensor(t_array), w, **options)
    expected = F.cross_entropy(xt, torch.tensor(t_array), wt, **options)
    assert_close(out, expected)
    backward_both(out, expected)
    assert_close(x.grad, xt.grad)


@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize("reduction, weighted, ignore", list(itertools.product(
    ["mean", "sum", "none"], [False, True], [None, -100, 2])))
def test_nll_loss_grid_matches_torch(layout, reduction, weighted, ignore):
    x_array, t_array, w_array = class_case(layout, ignore)
    x, xt = pair(x_array)
    options = {"reduction": reduction} if ignore is None else {"reduction": reduction,
                                                               "ignore_index": ignore}
    w = cr.Tensor(w_array) if weighted else None
    wt = torch.tensor(w_array) if weighted else None
    out = cr.nll_loss(x, cr.Tensor(t_array), w, **options)
    expected = F.nll_loss(xt, torch.tensor(t_array), wt, **options)
    assert_close(out, expected)
    backward_both(out, expected)
    assert_close(x.grad, xt.grad)


@FAST
@given(n=st.integers(1, 8), c=st.integers(1, 7), extra=st.lists(st.integers(1, 3), max_size=2),
       seed=st.integers(0, 2**16), reduction=st.sampled_from(["mean", "sum", "none"]),
       smoothing=st.sampled_from([0.0, 0.1, 1.0]), weighted=st.booleans())
def test_cross_entropy_random_shapes_match_torch(n, c, extra, seed, reduction, smoothing,
                                                  weighted):
    rng = np.random.default_rng(seed)
    x, xt = pair(rng.standard_normal((n, c, *extra)) * 3)
    target = rng.integers(0, c, (n, *extra))
    w_array = rng.random(c) + 0.1
    w, wt = (cr.Tensor(w_array), torch.tensor(w_array)) if weighted else (None, None)
    out = cr.cross_entropy(x, cr.Tensor(target), w, reduction=reduction,
                           label_smoothing=smoothing)
    expected = F.cross_entropy(xt, torch.tensor(target), wt, reduction=reduction,
                               label_smoothing=smoothing)
    assert_close(out, expected)
    backward_both(out, expected, seed)
    assert_close(x.grad, xt.grad)


@pytest.mark.parametrize("reduction", ["mean", "none"])
def test_cross_entropy_and_nll_gradcheck(reduction):
    x_array, t_array, w_array = class_case("batch", -100)
    x = cr.Tensor(x_array[:4], requires_grad=True)
    t, w = cr.Tensor(t_array[:4]), cr.Tensor(w_array)
    assert gradcheck(lambda x: cr.cross_entropy(x, t, reduction=reduction), (x,))
    assert gradcheck(lambda x: cr.cross_entropy(x, t, w, reduction=reduction,
                                                label_smoothing=0.3), (x,))
    assert gradcheck(lambda x: cr.nll_loss(x, t, w, reduction=reduction), (x,))
    spatial, t_spatial, _ = class_case("spatial", None)
    xs = cr.Tensor(spatial[:1], requires_grad=True)
    assert gradcheck(lambda x: cr.cross_entropy(x, cr.Tensor(t_spatial[:1]), w,
                                                reduction=reduction, label_smoothing=0.2), (xs,))


@pytest.mark.parametrize("weighted", [False, True])
def test_cross_entropy_all_ignored_gives_nan_and_zero_gradient_like_torch(weighted):
    x, xt = pair(np.random.default_rng(10).standard_normal((3, 4)))
    target = np.full(3, -100)
    w = cr.Tensor(np.ones(4)) if weighted else None
    wt = torch.ones(4, dtype=torch.float64) if weighted else None
    out = cr.cross_entropy(x, cr.Tensor(target), w, label_smoothing=0.1)
    expected = F.cross_entropy(xt, torch.tensor(target), wt, label_smoothing=0.1)
    assert np.isnan(out.item()) and np.isnan(expected.item())
    out.backward()
    expected.backward()
    assert_close(x.grad, xt.grad)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_cross_entropy_stable_at_magnitude_1e4(dtype, smoothing):
    rng = np.random.default_rng(11)
    logits = (rng.standard_normal((8, 5)) * 1e4).astype(dtype)
    target = rng.integers(0, 5, 8)
    x = cr.Tensor(logits, requires_grad=True)
    xt = torch.tensor(logits.astype(np.float64), requires_grad=True)
    out = cr.cross_entropy(x, cr.Tensor(target), label_smoothing=smoothing)
    expected = F.cross_entropy(xt, torch.tensor(target), label_smoothing=smoothing)
    assert out.dtype == dtype and np.isfinite(out.item())
    np.testing.assert_allclose(out.item(), expected.item(), rtol=1e-6)
    out.backward()
    expected.backward()
    assert np.all(np.isfinite(x.grad.data))
    np.testing.assert_allclose(x.grad.data, xt.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_cross_entropy_keeps_float32():
    rng = np.random.default_rng(12)
    for smoothing, weighted in itertools.product([0.0, 0.2], [False, True]):
        x = cr.Tensor(rng.standard_normal((4, 3)).astype(np.float32), requires_grad=True)
        w = cr.Tensor(np.array([0.5, 1.0, 2.0], dtype=np.float32)) if weighted else None
        target = cr.Tensor(np.array([0, 2, -100, 1]))
        for reduction in ["mean", "sum", "none"]:
            loss = cr.cross_entropy(x, target, w, reduction=reduction, label_smoothing=smoothing)
            assert loss.dtype == cr.float32
            loss.backward(np.ones(loss.shape, dtype=np.float32))
            assert x.grad.dtype == cr.float32
            nll = cr.nll_loss(x, target, w, reduction=reduction)
            assert nll.dtype == cr.float32


# --- cross_entropy with class probabilities ----------------------------------------------

@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize("reduction, weighted, smoothing", list(itertools.product(
    ["mean", "sum", "none"], [False, True], [0.0, 0.3])))
def test_cross_entropy_probability_targets_match_torch(layout, reduction, weighted, smoothing):
    rng = np.random.default_rng(13)
    x_shape = LAYOUTS[layout][0]
    x, xt = pair(rng.standard_normal(x_shape))
    q, qt = pair(rng.random(x_shape))
    w, wt = pair(rng.random(5) + 0.1) if weighted else (None, None)
    out = cr.cross_entropy(x, q, w, reduction=reduction, label_smoothing=smoothing)
    expected = F.cross_entropy(xt, qt, wt, reduction=reduction, label_smoothing=smoothing)
    assert_close(out, expected)
    backward_both(out, expected)
    assert_close(x.grad, xt.grad)
    assert_close(q.grad, qt.grad)
    if weighted:
        assert_close(w.grad, wt.grad)


def test_cross_entropy_probability_targets_gradcheck():
    rng = np.random.default_rng(14)
    x = cr.Tensor(rng.standard_normal((3, 4)), requires_grad=True)
    q = cr.Tensor(rng.random((3, 4)), requires_grad=True)
    w = cr.Tensor(rng.random(4) + 0.1, requires_grad=True)
    assert gradcheck(lambda x, q, w: cr.cross_entropy(x, q, w, label_smoothing=0.2), (x, q, w))


# --- errors --------------------------------------------------------------------------------

def test_cross_entropy_target_out_of_bounds():
    x = cr.Tensor(np.zeros((4, 27), dtype=np.float32))
    with pytest.raises(IndexError) as info:
        cr.cross_entropy(x, cr.Tensor(np.array([1, 30, 2, 40])))
    assert str(info.value) == ("cross_entropy: target 30 is out of bounds for 27 classes "
                               "(expected 0 <= target < 27)")
    with pytest.raises(IndexError, match="cross_entropy: target -1 is out of bounds"):
        cr.cross_entropy(x, cr.Tensor(np.array([1, -1, -100, 2])))
    with pytest.raises(IndexError, match="nll_loss: target 27 is out of bounds for 27 classes"):
        cr.nll_loss(x, cr.Tensor(np.array([1, 27, 2, 3])))
    with pytest.raises(IndexError):  # torch raises the same type
        F.cross_entropy(torch.zeros(4, 27), torch.tensor([1, 30, 2, 40]))
    # an ignored entry may hold any value, even one outside [0, C)
    ok = cr.cross_entropy(x, cr.Tensor(np.array([1, 5, 2, 3])), ignore_index=5)
    assert np.isfinite(ok.item())


def test_cross_entropy_argument_errors():
    x = cr.Tensor(np.zeros((3, 5)))
    t = cr.Tensor(np.array([1, 2, 3]))
    with pytest.raises(ValueError, match=r"cross_entropy: input of shape \(3, 5\) needs a target "
                                         r"of shape \(3,\), got \(2,\)"):
        cr.cross_entropy(x, cr.Tensor(np.array([1, 2])))
    with pytest.raises(RuntimeError, match=r"weight should have one entry per class, shape "
                                           r"\(5,\), got shape \(4,\)"):
        cr.cross_entropy(x, t, cr.Tensor(np.ones(4)))
    with pytest.raises(ValueError, match="'avg' is not a valid value for reduction"):
        cr.cross_entropy(x, t, reduction="avg")
    with pytest.raises(ValueError, match="'avg' is not a valid value for reduction"):
        cr.nll_loss(x, t, reduction="avg")
    with pytest.raises(RuntimeError, match="label_smoothing must be between 0.0 and 1.0, got 1.5"):
        cr.cross_entropy(x, t, label_smoothing=1.5)
    with pytest.raises(RuntimeError, match="class indices with dtype int64, got int32"):
        cr.cross_entropy(x, cr.Tensor(np.array([1, 2, 3], dtype=np.int32)))
    with pytest.raises(RuntimeError, match="weight has dtype float32 but input has dtype float64"):
        cr.cross_entropy(x, t, cr.Tensor(np.ones(5, dtype=np.float32)))


@pytest.mark.parametrize("ours, theirs", [(cr.cross_entropy, F.cross_entropy),
                                          (cr.nll_loss, F.nll_loss)])
def test_class_weight_requiring_grad_is_refused_like_torch(ours, theirs):
    x, xt = pair(np.zeros((3, 5)))
    w, wt = pair(np.ones(5))
    with pytest.raises(RuntimeError, match=f"{ours.__name__}: not differentiable with respect "
                                           "to weight"):
        ours(x, cr.Tensor(np.array([1, 2, 3])), w)
    with pytest.raises(RuntimeError):
        theirs(xt, torch.tensor([1, 2, 3]), wt)
    with cr.no_grad():  # without a graph there is nothing to refuse
        assert np.isfinite(ours(x, cr.Tensor(np.array([1, 2, 3])), w).item())


# --- one_hot -------------------------------------------------------------------------------

@FAST
@given(shape=array_shapes(min_dims=0, max_dims=3, max_side=4), classes=st.integers(1, 6),
       explicit=st.booleans(), seed=st.integers(0, 2**16))
def test_one_hot_matches_torch(shape, classes, explicit, seed):
    indices = np.random.default_rng(seed).integers(0, classes, shape)
    num_classes = classes if explicit else -1
    out = cr.one_hot(cr.Tensor(indices), num_classes)
    expected = F.one_hot(torch.tensor(indices), num_classes)
    assert out.dtype == cr.int64 and not out.requires_grad
    np.testing.assert_array_equal(out.data, expected.numpy())


def test_one_hot_empty_with_explicit_classes():
    out = cr.one_hot(cr.Tensor(np.zeros(0, dtype=np.int64)), 3)
    assert out.shape == (0, 3) and out.dtype == cr.int64


def test_one_hot_errors():
    with pytest.raises(RuntimeError, match="one_hot: class values must be non-negative, got -1"):
        cr.one_hot(cr.Tensor(np.array([0, -1])))
    with pytest.raises(RuntimeError, match=r"one_hot: class value 3 is out of range for "
                                           r"num_classes=3 \(expected 0 <= value < 3\)"):
        cr.one_hot(cr.Tensor(np.array([0, 3])), 3)
    with pytest.raises(RuntimeError, match="one_hot: expected .* int64, got float32"):
        cr.one_hot(cr.Tensor(np.array([0.0, 1.0], dtype=np.float32)))
    with pytest.raises(RuntimeError, match="cannot infer the number of classes"):
        cr.one_hot(cr.Tensor(np.zeros(0, dtype=np.int64)))
    for bad in ([-1], [3]):  # torch raises RuntimeError for the same inputs
        with pytest.raises(RuntimeError):
            F.one_hot(torch.tensor(bad), 3)
