"""Reductions (sum mean var std logsumexp max min amax amin argmax argmin) against PyTorch:
forward values and gradients in float64 over dims (negative, tuples, keepdim both ways),
ties, empty inputs, dtypes and errors."""

from __future__ import annotations

import contextlib
import warnings

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import chainrule as cr
from chainrule.autograd import gradcheck

FAST = settings(max_examples=25, deadline=None)
RTOL = 1e-10
SHAPES = hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=4)
GRID = st.sampled_from([-1.0, 0.0, 1.0, 2.0])  # small set: ties happen


def pair(array, requires_grad=True):
    """The same float64 data as a chainrule tensor and a torch tensor."""
    array = np.array(array, dtype=np.float64)
    return (cr.Tensor(array, dtype=cr.float64, requires_grad=requires_grad),
            torch.tensor(array, dtype=torch.float64, requires_grad=requires_grad))


def close(ours, theirs):
    """Values (and nan/inf positions) and shape agree with a torch tensor."""
    expected = theirs.detach().numpy()
    got = np.asarray(ours.data)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=RTOL, atol=1e-12, equal_nan=True)


def backward_both(ours, theirs, seed):
    """Backpropagate the same upstream gradient through both graphs."""
    ours.backward(cr.Tensor(seed, dtype=cr.float64))
    theirs.backward(torch.tensor(seed, dtype=torch.float64))


@contextlib.contextmanager
def no_warnings():
    """A context in which any warning is an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


@st.composite
def reduction_case(draw, elements=None, allow_none=True, single=False):
    """(array, dim, keepdim): dim None, an int (maybe negative) or a tuple of distinct dims."""
    shape = draw(SHAPES)
    elements = st.floats(-3, 3) if elements is None else elements
    x = draw(hnp.arrays(np.float64, shape, elements=elements))
    ndim = len(shape)
    one = st.integers(-ndim, ndim - 1)
    options = [one]
    if not single:
        options.append(st.lists(one, min_size=1, max_size=ndim,
                                unique_by=lambda d: d % ndim).map(tuple))
    if allow_none:
        options.append(st.none())
    return x, draw(st.one_of(*options)), draw(st.booleans())


def seed_for(draw_data, shape):
    return draw_data.draw(hnp.arrays(np.float64, shape, elements=st.floats(-2, 2)))


# --- sum, mean, var, std, logsumexp ------------------------------------------------------------


@pytest.mark.parametrize("name", ["sum", "mean", "logsumexp", "amax", "amin"])
@given(data=st.data())
@FAST
def test_reduction_matches_torch(name, data):
    ties = name in ("amax", "amin")
    x, dim, keepdim = data.draw(reduction_case(
        elements=GRID if ties else None, allow_none=name not in ("logsumexp", "amax", "amin")))
    a, t = pair(x)
    kwargs = {} if dim is None else {"dim": dim, "keepdim": keepdim}
    use_method = data.draw(st.booleans())
    ours = getattr(a, name)(**kwargs) if use_method else getattr(cr, name)(a, **kwargs)
    theirs = getattr(torch, name)(t, **kwargs)
    close(ours, theirs)
    backward_both(ours, theirs, seed_for(data, tuple(theirs.shape)))
    close(a.grad, t.grad)


@pytest.mark.parametrize("name", ["var", "std"])
@given(data=st.data())
@FAST
def test_var_std_match_torch(name, data):
    x, dim, keepdim = data.draw(reduction_case())
    a, t = pair(x)
    style = data.draw(st.sampled_from(["default", "unbiased", "correction"]))
    kwargs = {} if dim is None else {"dim": dim, "keepdim": keepdim}
    if style == "unbiased":
        kwargs["unbiased"] = data.draw(st.booleans())
    elif style == "correction":
        kwargs["correction"] = data.draw(st.sampled_from([0, 1, 0.5, 2]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # degrees of freedom <= 0: both warn
        ours = getattr(a, name)(**kwargs)
        theirs = getattr(torch, name)(t, **kwargs)
    close(ours, theirs)
    n = x.size // theirs.numel()
    correction = kwargs.get("correction", int(kwargs.get("unbiased", True)))
    # Left out: n <= correction (nan/inf gradients in PyTorch's own way) and std of a constant
    # slice (not differentiable there; PyTorch's gradient is then its rounding noise).
    constant = name == "std" and np.any(np.ptp(x, axis=dim) == 0)
    if n > correction and not constant:
        backward_both(ours, theirs, seed_for(data, tuple(theirs.shape)))
        close(a.grad, t.grad)


@pytest.mark.parametrize("call", [
    lambda m, x: m.sum(x, dim=(0, -1)),
    lambda m, x: m.sum(x, 1, True),
    lambda m, x: m.mean(x, dim=-2),
    lambda m, x: m.mean(x, (1, 0), keepdim=True),
    lambda m, x: m.var(x, 1),
    lambda m, x: m.var(x, dim=0, correction=0),
    lambda m, x: m.std(x, dim=(0, 2), keepdim=True),
    lambda m, x: m.std(x, unbiased=False),
    lambda m, x: m.logsumexp(x, dim=2),
    lambda m, x: m.logsumexp(x, (0, 1), keepdim=True),
    lambda m, x: m.amax(x, dim=(1, 2)),
    lambda m, x: m.amin(x, dim=0, keepdim=True),
    lambda m, x: m.max(x, dim=1).values,
    lambda m, x: m.min(x, 0, keepdim=True)[0],
    lambda m, x: m.max(x),
    lambda m, x: m.min(x),
])
def test_gradcheck(call):
    x = cr.Tensor(np.random.default_rng(0).normal(size=(2, 3, 2)), dtype=cr.float64,
                  requires_grad=True)
    assert gradcheck(lambda x: call(cr, x), [x])


def test_logsumexp_finite_for_huge_inputs():
    for dtype, torch_dtype in [(cr.float32, torch.float32), (cr.float64, torch.float64)]:
        values = np.array([[1e4, 1e4 - 1.0, -1e4], [-1e4, -1e4 + 2.0, -1e4]])
        a = cr.Tensor(values, dtype=dtype, requires_grad=True)
        t = torch.tensor(values, dtype=torch_dtype, requires_grad=True)
        with no_warnings():
            ours = cr.logsumexp(a, dim=1)
            ours.sum().backward()
        theirs = torch.logsumexp(t, dim=1)
        theirs.sum().backward()
        assert ours.dtype == dtype and np.all(np.isfinite(ours.data))
        np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-6)
        np.testing.assert_allclose(a.grad.data, t.grad.numpy(), rtol=1e-5, atol=1e-7)


def test_logsumexp_infinities_like_torch():
    inf = float("inf")
    for values in [[inf, 1.0], [-inf, -inf], [inf, -inf]]:
        a, t = pair(values)
        with no_warnings():
            ours = cr.logsumexp(a, 0)
            ours.backward()
        theirs = torch.logsumexp(t, 0)
        theirs.backward()
        close(ours, theirs)
        close(a.grad, t.grad)


def test_empty_reductions_like_torch():
    with no_warnings():
        for shape, dim in [((0,), None), ((2, 0), 1), ((0, 3), 0), ((0, 3), 1)]:
            a, t = pair(np.zeros(shape))
            kwargs = {} if dim is None else {"dim": dim}
            close(cr.sum(a, **kwargs), torch.sum(t, **kwargs))
            close(cr.mean(a, **kwargs), torch.mean(t, **kwargs))
            if dim is not None:
                close(cr.logsumexp(a, dim), torch.logsumexp(t, dim))
        a, t = pair(np.zeros((2, 0)))
        backward_both(a.mean(1), t.mean(1), np.ones(2))
        close(a.grad, t.grad)


def test_dim_empty_tuple_reduces_everything_like_torch():
    x = np.arange(6.0).reshape(2, 3)
    for name in ["sum", "mean", "var", "std"]:
        a, t = pair(x)
        ours = getattr(a, name)(dim=())
        close(ours, getattr(t, name)(dim=()))
        # torch's own var/std backward mishandles dim=() (gives inf): compare with dim=None
        backward_both(ours, getattr(t, name)(), 1.0)
        close(a.grad, t.grad)
    assert cr.amax(cr.Tensor(x)).item() == 5.0
    with pytest.raises(RuntimeError, match=r"logsumexp\(\): dim=\(\)"):
        cr.logsumexp(cr.Tensor(x), dim=())


def test_zero_dim_tensor_reductions():
    a, t = pair(3.0)
    for name in ["sum", "mean", "logsumexp", "amax"]:
        close(getattr(a, name)(0), getattr(t, name)(0))
        close(getattr(a, name)(-1, keepdim=True), getattr(t, name)(-1, keepdim=True))
    values, indices = a.max(0)
    assert values.item() == 3.0 and indices.item() == 0 and indices.dtype == cr.int64
    assert a.argmax().item() == 0
    with pytest.raises(IndexError, match=r"range of \[-1, 0\], but got 1"):
        a.sum(1)


def test_keepdims_and_axis_aliases():
    x = cr.Tensor(np.arange(6.0).reshape(2, 3))
    assert x.sum(0, keepdims=True).shape == (1, 3)
    assert x.mean(axis=1).shape == (2,)
    assert cr.max(x, axis=0, keepdims=True).values.shape == (1, 3)
    assert x.var(axis=1, keepdims=True).shape == (2, 1)
    assert x.logsumexp(axis=0).shape == (3,)


def test_var_std_positional_forms_like_torch():
    x = np.arange(6.0).reshape(2, 3)
    a, t = pair(x, requires_grad=False)
    close(a.var(False), t.var(False))
    close(a.std(0, True, True), t.std(0, True, True))
    close(a.var(1, False), t.var(1, False))
    close(cr.var(a, None, correction=1, keepdim=True), torch.var(t, None, correction=1,
                                                                 keepdim=True))
    with pytest.raises(TypeError, match="either 'unbiased' or 'correction'"):
        a.var(unbiased=True, correction=1)


def test_var_degrees_of_freedom_warning_and_values_like_torch():
    a, t = pair([[1.0, 2.0, 4.0]], requires_grad=False)
    for kwargs in [{"dim": 0}, {"dim": 1, "correction": 3}, {"dim": 1, "correction": 5}]:
        with pytest.warns(UserWarning, match="degrees of freedom is <= 0"):
            ours = a.var(**kwargs)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = t.var(**kwargs)
        close(ours, theirs)


def test_std_gradient_zero_for_constant_slice_like_torch():
    a, t = pair([[2.0, 2.0, 2.0], [1.0, 2.0, 3.0]])
    with no_warnings():
        backward_both(a.std(1), t.std(1), np.ones(2))
    close(a.grad, t.grad)


# --- max, min, argmax, argmin ---------------------------------------------------------------


@pytest.mark.parametrize("name", ["max", "min"])
@given(data=st.data())
@FAST
def test_max_min_along_dim_match_torch(name, data):
    x, dim, keepdim = data.draw(reduction_case(allow_none=False, single=True))
    a, t = pair(x)
    ours = getattr(a, name)(dim, keepdim=keepdim)
    theirs = getattr(torch, name)(t, dim, keepdim=keepdim)
    close(ours.values, theirs.values)
    np.testing.assert_array_equal(ours.indices.data, theirs.indices.numpy())
    assert ours.indices.dtype == cr.int64 and not ours.indices.requires_grad
    values, indices = ours
    assert values is ours.values and indices is ours.indices
    backward_both(ours.values, theirs.values, seed_for(data, tuple(theirs.values.shape)))
    close(a.grad, t.grad)


@pytest.mark.parametrize("name", ["max", "min"])
@given(data=st.data())
@FAST
def test_full_max_min_split_ties_like_torch(name, data):
    x = data.draw(hnp.arrays(np.float64, SHAPES, elements=GRID))
    a, t = pair(x)
    ours, theirs = getattr(cr, name)(a), getattr(torch, name)(t)
    assert ours.shape == ()
    close(ours, theirs)
    backward_both(ours, theirs, 1.5)
    close(a.grad, t.grad)


def test_max_tie_split_evenly_and_dim_picks_one():
    a, t = pair([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]])
    backward_both(a.max(), t.max(), 1.0)
    np.testing.assert_array_equal(a.grad.data, [[0, 0.5, 0.5], [0, 0, 0]])
    a, t = pair([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]])
    backward_both(a.max(1).values, t.max(1).values, np.ones(2))
    np.testing.assert_array_equal(a.grad.data, t.grad.numpy())
    assert a.grad.data.sum() == 2


def test_max_min_with_nan_like_torch():
    nan = float("nan")
    for name in ["max", "min"]:
        a, t = pair([[1.0, nan, nan], [2.0, 0.0, 1.0]])
        ours, theirs = getattr(a, name)(), getattr(t, name)()
        close(ours, theirs)
        backward_both(ours, theirs, 1.0)
        close(a.grad, t.grad)
        ours, theirs = getattr(a, name)(1), getattr(t, name)(1)
        close(ours.values, theirs.values)
        np.testing.assert_array_equal(ours.indices.data, theirs.indices.numpy())


def test_max_min_with_other_tensor_is_elementwise():
    (a, t), (b, u) = pair([1.0, 5.0]), pair([3.0, 2.0])
    close(a.max(b), t.max(u))
    close(cr.min(a, other=b), torch.min(t, other=u))


@pytest.mark.parametrize("name", ["argmax", "argmin"])
@given(data=st.data())
@FAST
def test_argmax_argmin_match_torch(name, data):
    x, dim, keepdim = data.draw(reduction_case(allow_none=True, single=True))
    a, t = pair(x, requires_grad=False)
    ours = getattr(cr, name)(a, dim=dim, keepdim=keepdim)
    theirs = getattr(torch, name)(t, dim=dim, keepdim=keepdim)
    assert ours.dtype == cr.int64
    np.testing.assert_array_equal(ours.data, theirs.numpy())


# --- dtypes ---------------------------------------------------------------------------------


@pytest.mark.parametrize("call", [
    lambda x: x.sum(), lambda x: x.sum(0), lambda x: x.mean(1), lambda x: x.var(),
    lambda x: x.std(0), lambda x: x.logsumexp(1), lambda x: x.max(), lambda x: x.min(1).values,
    lambda x: x.amax(0),
])
def test_float32_stays_float32(call):
    x = cr.Tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.5]], requires_grad=True)
    out = call(x)
    assert out.dtype == cr.float32
    out.sum().backward()
    assert x.grad.dtype == cr.float32


def test_int_and_bool_reductions_like_torch():
    ints = [[1, 2], [3, 4]]
    for dtype, torch_dtype in [(cr.int64, torch.int64), (cr.int32, torch.int32),
                               (cr.bool, torch.bool)]:
        a = cr.Tensor(ints, dtype=dtype)
        t = torch.tensor(ints, dtype=torch_dtype)
        for name in ["sum", "max", "amin"]:
            ours, theirs = getattr(a, name)(), getattr(t, name)()
            assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch.")
            np.testing.assert_array_equal(ours.data, theirs.numpy())
    logsumexp = cr.logsumexp(cr.Tensor([1, 2, 3]), 0)
    assert logsumexp.dtype == cr.float32
    np.testing.assert_allclose(logsumexp.item(), torch.logsumexp(torch.tensor([1, 2, 3]), 0))


def test_sum_and_mean_dtype_argument():
    x = cr.Tensor([1.5, 2.5], requires_grad=True)
    total = x.sum(dtype=cr.float64)
    assert total.dtype == cr.float64
    total.backward()
    assert x.grad.dtype == cr.float32
    assert cr.Tensor([1.5, 2.5]).sum(dtype=cr.int64).item() == torch.tensor([1.5, 2.5]).sum(
        dtype=torch.int64).item()
    assert cr.Tensor([1, 2]).mean(dtype=cr.float64).dtype == cr.float64
    with pytest.raises(RuntimeError, match="Optional dtype must be either a floating point"):
        cr.Tensor([1.0]).mean(dtype=cr.int64)


def test_mean_of_int_raises_like_torch():
    with pytest.raises(RuntimeError, match=r"mean\(\): could not infer output dtype.*Got: Long"):
        cr.Tensor([1, 2, 3]).mean()
    with pytest.raises(RuntimeError, match="std and var only support floating point"):
        cr.Tensor([1, 2, 3]).var()


# --- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize("call", [
    lambda x: x.sum(5), lambda x: x.mean(dim=(0, 5)), lambda x: x.var(5), lambda x: x.std(5),
    lambda x: x.logsumexp(5), lambda x: x.max(5), lambda x: x.min(5), lambda x: x.amax(5),
    lambda x: x.argmax(5), lambda x: x.argmin(5),
])
def test_dim_out_of_range_like_torch(call):
    message = r"Dimension out of range \(expected to be in range of \[-2, 1\], but got 5\)"
    with pytest.raises(IndexError, match=message):
        call(cr.Tensor(np.zeros((2, 3))))
    with pytest.raises(IndexError, match=message):
        call(torch.zeros(2, 3))


def test_other_errors():
    x = cr.Tensor(np.zeros((2, 3)))
    with pytest.raises(RuntimeError, match=r"sum\(\): dim 0 appears multiple times"):
        x.sum((0, -2))
    with pytest.raises(TypeError, match=r"max\(\): argument 'dim' must be int, not tuple"):
        x.max(dim=(0, 1))
    with pytest.raises(TypeError, match="argmax"):
        x.argmax(dim=(0,))
    with pytest.raises(TypeError, match="dim"):
        x.sum(1.5)
    with pytest.raises(TypeError, match=r"logsumexp\(\) missing 1 required positional"):
        cr.logsumexp(x)
    with pytest.raises(TypeError, match=r"sum\(\): argument 'input' must be Tensor"):
        cr.sum([1.0, 2.0])
    empty = cr.Tensor(np.zeros((2, 0)))
    with pytest.raises(RuntimeError, match=r"max\(\): Expected reduction dim to be specified"):
        empty.max()
    with pytest.raises(IndexError, match=r"max\(\): Expected reduction dim 1 to have non-zero"):
        empty.max(1)
    with pytest.raises(IndexError, match=r"amax\(\): Expected reduction dim 1 to have non-zero"):
        empty.amax(1)
    with pytest.raises(IndexError, match=r"argmin\(\): Expected reduction dim to be specified"):
        empty.argmin()
    assert empty.max(0).values.shape == (0,) == tuple(torch.zeros(2, 0).max(0).values.shape)
