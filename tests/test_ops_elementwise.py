"""Elementwise ops (abs exp log sqrt tanh sigmoid relu clamp maximum minimum where, casts)
against PyTorch: forward values and gradients in float64, edge cases, dtypes and errors."""

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
UNARY = ["abs", "exp", "log", "sqrt", "tanh", "sigmoid", "relu", "sin", "cos", "sinh", "cosh",
         "square", "log1p", "expm1", "reciprocal", "rsqrt", "sign"]
POSITIVE_ONLY = {"log", "sqrt", "log1p", "rsqrt"}
SHAPES = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)
GRID = st.sampled_from([-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0])  # small set: ties happen


def pair(array, requires_grad=True):
    """The same float64 data as a chainrule tensor and a torch tensor."""
    array = np.array(array, dtype=np.float64)
    return (cr.Tensor(array, dtype=cr.float64, requires_grad=requires_grad),
            torch.tensor(array, dtype=torch.float64, requires_grad=requires_grad))


def close(ours, theirs):
    """Values (and nan/inf positions) agree with a torch tensor."""
    expected = theirs.detach().numpy()
    got = np.asarray(ours.data if isinstance(ours, cr.Tensor) else ours)
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


# --- one-input ops -----------------------------------------------------------------------


@pytest.mark.parametrize("name", UNARY)
@given(data=st.data())
@FAST
def test_unary_matches_torch(name, data):
    shape = data.draw(SHAPES)
    low = 0.05 if name in POSITIVE_ONLY else -4.0
    x = data.draw(hnp.arrays(np.float64, shape, elements=st.floats(low, 4.0)))
    seed = data.draw(hnp.arrays(np.float64, shape, elements=st.floats(-2, 2)))
    a, t = pair(x)
    use_method = data.draw(st.booleans())
    ours = getattr(a, name)() if use_method else getattr(cr, name)(a)
    theirs = getattr(torch, name)(t)
    close(ours, theirs)
    assert ours.requires_grad and ours.dtype == cr.float64
    backward_both(ours, theirs, seed)
    close(a.grad, t.grad)


@pytest.mark.parametrize("name", UNARY)
def test_unary_gradcheck(name):
    x = np.random.default_rng(0).uniform(0.2, 2.0, size=(2, 3))
    x[0] *= -1 if name not in POSITIVE_ONLY else 1
    assert gradcheck(getattr(cr, name), [cr.Tensor(x, dtype=cr.float64, requires_grad=True)])


def test_abs_relu_gradient_is_zero_at_zero():
    for name in ["abs", "relu"]:
        a, t = pair([-1.0, 0.0, 2.0])
        ours, theirs = getattr(a, name)(), getattr(t, name)()
        backward_both(ours.sum(), theirs.sum(), 1.0)
        close(a.grad, t.grad)
        assert a.grad.data[1] == 0


def test_abs_gradient_at_nan_is_zero_like_torch():
    for values in ([np.nan, -np.inf, -2.0, 0.0, 3.0], np.nan):
        a, t = pair(values)
        ours, theirs = a.abs(), t.abs()
        backward_both(ours, theirs, np.ones(np.shape(values)))
        np.testing.assert_array_equal(a.grad.data, t.grad.numpy())


@pytest.mark.parametrize("name", ["log", "sqrt", "exp"])
def test_silent_nan_and_inf_like_torch(name):
    values = [-1.0, 0.0, 1.0, 800.0, -800.0]
    a, t = pair(values)
    with no_warnings():
        ours = getattr(a, name)()
        theirs = getattr(t, name)()
        close(ours, theirs)
        backward_both(ours, theirs, np.ones(5))
    close(a.grad, t.grad)


@pytest.mark.parametrize("dtype", [cr.float32, cr.float64])
def test_sigmoid_stable_for_large_inputs(dtype):
    values = np.array([-1e4, -750.0, -100.0, -1.0, 0.0, 1.0, 100.0, 750.0, 1e4])
    a = cr.Tensor(values, dtype=dtype, requires_grad=True)
    t = torch.tensor(values, dtype=getattr(torch, str(np.dtype(dtype))), requires_grad=True)
    with no_warnings():
        ours = a.sigmoid()
        ours.sum().backward()
    theirs = t.sigmoid()
    theirs.sum().backward()
    assert ours.dtype == dtype and np.all(np.isfinite(ours.data))
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-6, atol=1e-37)
    np.testing.assert_allclose(a.grad.data, t.grad.numpy(), rtol=1e-5, atol=1e-37)


def test_tanh_backward_uses_saved_output():
    a, t = pair([-30.0, -0.5, 0.0, 0.5, 30.0])
    backward_both(a.tanh().sum(), t.tanh().sum(), 1.0)
    close(a.grad, t.grad)


@pytest.mark.parametrize("name", UNARY)
def test_unary_keeps_float32(name):
    x = cr.Tensor([0.5, 1.0, 2.0])
    assert x.dtype == cr.float32
    assert getattr(x, name)().dtype == cr.float32


@pytest.mark.parametrize("name", UNARY)
def test_unary_dtype_of_int_input_like_torch(name):
    ours = getattr(cr, name)(cr.Tensor([1, 2, 3]))
    theirs = getattr(torch, name)(torch.tensor([1, 2, 3]))
    assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch.")
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-6)


def test_unary_needs_a_tensor():
    with pytest.raises(TypeError, match=r"exp\(\): argument 'input'.*must be Tensor, not float"):
        cr.exp(1.0)


def test_abs_of_bool_is_not_implemented():
    with pytest.raises(NotImplementedError, match="abs"):
        cr.abs(cr.Tensor([True, False]))


# --- clamp ---------------------------------------------------------------------------------


@given(data=st.data())
@FAST
def test_clamp_numbers_matches_torch(data):
    shape = data.draw(SHAPES)
    x = data.draw(hnp.arrays(np.float64, shape, elements=GRID))
    lo = data.draw(st.one_of(st.none(), GRID))
    hi = data.draw(st.one_of(st.none(), GRID) if lo is not None else GRID)
    seed = data.draw(hnp.arrays(np.float64, shape, elements=st.floats(-2, 2)))
    a, t = pair(x)
    use_clip = data.draw(st.booleans())
    ours = a.clip(min=lo, max=hi) if use_clip else cr.clamp(a, lo, hi)
    theirs = torch.clamp(t, lo, hi)
    close(ours, theirs)
    backward_both(ours, theirs, seed)
    close(a.grad, t.grad)


def test_clamp_gradient_passes_at_both_bounds():
    a, t = pair([-1.0, 0.0, 0.5, 1.0, 2.0])
    backward_both(a.clamp(0, 1).sum(), t.clamp(0, 1).sum(), 1.0)
    close(a.grad, t.grad)
    np.testing.assert_array_equal(a.grad.data, [0, 1, 1, 1, 0])


def test_clamp_min_above_max_gives_max():
    a, t = pair([-1.0, 0.0, 3.0])
    ours, theirs = a.clamp(min=2.0, max=0.0), t.clamp(min=2.0, max=0.0)
    close(ours, theirs)
    backward_both(ours.sum(), theirs.sum(), 1.0)
    close(a.grad, t.grad)


@given(data=st.data())
@FAST
def test_clamp_tensor_bounds_matches_torch(data):
    shapes = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=3, max_side=3))
    x_shape, lo_shape, hi_shape = shapes.input_shapes
    x, lo, hi = (data.draw(hnp.arrays(np.float64, s, elements=GRID))
                 for s in (x_shape, lo_shape, hi_shape))
    use = data.draw(st.sampled_from(["both", "min", "max"]))
    a, t = pair(x)
    lo_a, lo_t = pair(lo)
    hi_a, hi_t = pair(hi)
    # torch's clamp backward fails on bounds of different shapes (its own bug), so its inputs
    # are expanded to the result shape first; expand's backward sums back, as broadcasting does.
    used = [x_shape] + [lo_shape] * (use != "max") + [hi_shape] * (use != "min")
    shape = np.broadcast_shapes(*used)
    kwargs_a = {"min": lo_a if use != "max" else None, "max": hi_a if use != "min" else None}
    kwargs_t = {"min": lo_t.expand(shape) if use != "max" else None,
                "max": hi_t.expand(shape) if use != "min" else None}
    ours, theirs = cr.clamp(a, **kwargs_a), torch.clamp(t.expand(shape), **kwargs_t)
    close(ours, theirs)
    backward_both(ours, theirs, np.random.default_rng(0).normal(size=shape))
    close(a.grad, t.grad)
    for bound_a, bound_t in [(lo_a, lo_t), (hi_a, hi_t)]:
        if bound_t.grad is None:
            assert bound_a.grad is None
        else:
            close(bound_a.grad, bound_t.grad)


def test_clamp_gradcheck():
    x = cr.Tensor([[-1.3, 0.2, 0.7], [1.6, -0.4, 0.05]], dtype=cr.float64, requires_grad=True)
    lo = cr.Tensor([-0.5, 0.0, 0.5], dtype=cr.float64, requires_grad=True)
    assert gradcheck(lambda x: cr.clamp(x, -0.5, 0.6), [x])
    assert gradcheck(lambda x, lo: cr.clamp(x, min=lo, max=1.0), [x, lo])


def test_clamp_dtypes_like_torch():
    assert cr.Tensor([0.5, 2.0]).clamp(0, 1).dtype == cr.float32
    assert cr.Tensor([0.5, 2.0]).clamp(np.float64(0.1)).dtype == cr.float32
    ints = cr.Tensor([0, 1, 2])
    assert ints.clamp(1).dtype == cr.int64
    assert ints.clamp(0.5).dtype == cr.float32 == str(torch.tensor([0]).clamp(0.5).dtype)[6:]


def test_clamp_needs_a_bound():
    with pytest.raises(RuntimeError, match="At least one of 'min' or 'max'"):
        cr.Tensor([1.0]).clamp()


# --- maximum, minimum ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["maximum", "minimum"])
@given(data=st.data())
@FAST
def test_maximum_minimum_broadcast_and_ties_match_torch(name, data):
    shapes = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3))
    x, y = (data.draw(hnp.arrays(np.float64, s, elements=GRID)) for s in shapes.input_shapes)
    seed = data.draw(hnp.arrays(np.float64, shapes.result_shape, elements=st.floats(-2, 2)))
    (a, t), (b, u) = pair(x), pair(y)
    use_method = data.draw(st.booleans())
    ours = getattr(a, name)(b) if use_method else getattr(cr, name)(a, b)
    theirs = getattr(torch, name)(t, u)
    close(ours, theirs)
    backward_both(ours, theirs, seed)
    close(a.grad, t.grad)
    close(b.grad, u.grad)


def test_maximum_tie_splits_gradient_in_half():
    (a, t), (b, u) = pair([1.0, 2.0, 3.0]), pair([1.0, 1.0, 4.0])
    backward_both(cr.maximum(a, b).sum(), torch.maximum(t, u).sum(), 1.0)
    np.testing.assert_array_equal(a.grad.data, [0.5, 1.0, 0.0])
    close(a.grad, t.grad)
    close(b.grad, u.grad)


def test_maximum_minimum_with_nan_like_torch():
    nan = float("nan")
    for name in ["maximum", "minimum"]:
        (a, t), (b, u) = pair([1.0, nan]), pair([nan, 0.0])
        ours, theirs = getattr(cr, name)(a, b), getattr(torch, name)(t, u)
        close(ours, theirs)
        backward_both(ours.sum(), theirs.sum(), 1.0)
        close(a.grad, t.grad)
        close(b.grad, u.grad)


@pytest.mark.parametrize("name", ["maximum", "minimum"])
def test_maximum_minimum_gradcheck(name):
    rng = np.random.default_rng(1)
    a = cr.Tensor(rng.normal(size=(2, 3)), dtype=cr.float64, requires_grad=True)
    b = cr.Tensor(rng.normal(size=(3,)), dtype=cr.float64, requires_grad=True)
    assert gradcheck(getattr(cr, name), [a, b])


def test_maximum_dtypes_and_errors():
    f32 = cr.Tensor([1.0, 2.0])
    assert cr.maximum(f32, cr.Tensor([0.0, 3.0])).dtype == cr.float32
    assert cr.maximum(cr.Tensor([1, 2]), f32).dtype == cr.float32  # torch: int with float32
    assert cr.minimum(f32, cr.Tensor([0.0], dtype=cr.float64)).dtype == cr.float64
    with pytest.raises(TypeError, match=r"maximum\(\): argument 'other' \(position 2\)"):
        cr.maximum(f32, 1.0)
    with pytest.raises(RuntimeError, match=r"maximum\(\).*\(2,\) and \(3,\)"):
        cr.maximum(f32, cr.Tensor([1.0, 2.0, 3.0]))


# --- where ---------------------------------------------------------------------------------


@given(data=st.data())
@FAST
def test_where_broadcast_matches_torch(data):
    shapes = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=3, max_side=3))
    c_shape, x_shape, y_shape = shapes.input_shapes
    cond = data.draw(hnp.arrays(np.bool_, c_shape))
    x = data.draw(hnp.arrays(np.float64, x_shape, elements=st.floats(-3, 3)))
    y = data.draw(hnp.arrays(np.float64, y_shape, elements=st.floats(-3, 3)))
    seed = data.draw(hnp.arrays(np.float64, shapes.result_shape, elements=st.floats(-2, 2)))
    (a, t), (b, u) = pair(x), pair(y)
    form = data.draw(st.sampled_from(["tensor", "array", "method"]))
    if form == "method":
        ours = a.where(cr.Tensor(cond), b)
    else:
        ours = cr.where(cr.Tensor(cond) if form == "tensor" else cond, a, b)
    theirs = torch.where(torch.tensor(cond), t, u)
    close(ours, theirs)
    backward_both(ours, theirs, seed)
    close(a.grad, t.grad)
    close(b.grad, u.grad)


def test_where_gradient_only_to_selected_side():
    (a, _), (b, _) = pair([1.0, 2.0, 3.0]), pair([4.0, 5.0, 6.0])
    cr.where(cr.Tensor([True, False, True]), a, b).sum().backward()
    np.testing.assert_array_equal(a.grad.data, [1, 0, 1])
    np.testing.assert_array_equal(b.grad.data, [0, 1, 0])


def test_where_gradcheck():
    rng = np.random.default_rng(2)
    cond = cr.Tensor(rng.normal(size=(2, 3)) > 0)
    a = cr.Tensor(rng.normal(size=(2, 3)), dtype=cr.float64, requires_grad=True)
    b = cr.Tensor(rng.normal(size=(1, 3)), dtype=cr.float64, requires_grad=True)
    assert gradcheck(lambda a, b: cr.where(cond, a, b), [a, b])


def test_where_scalars_and_dtypes_like_torch():
    cond = [True, False, True]
    t_cond = torch.tensor(cond)
    cases = [
        (cr.where(cr.Tensor(cond), 1.0, 0.0), torch.where(t_cond, 1.0, 0.0)),
        (cr.where(cr.Tensor(cond), cr.Tensor([1, 2, 3]), 0.5),
         torch.where(t_cond, torch.tensor([1, 2, 3]), 0.5)),
        (cr.where(cr.Tensor(cond), cr.Tensor([1, 2, 3]), 5),
         torch.where(t_cond, torch.tensor([1, 2, 3]), 5)),
        (cr.where(cr.Tensor(cond), cr.Tensor([1.0, 2.0, 3.0]), 0.0),
         torch.where(t_cond, torch.tensor([1.0, 2.0, 3.0]), 0.0)),
    ]
    for ours, theirs in cases:
        assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch.")
        np.testing.assert_array_equal(ours.data, theirs.numpy())


def test_where_needs_a_bool_condition():
    with pytest.raises(RuntimeError, match="where expected condition to be a boolean tensor"):
        cr.where(cr.Tensor([1.0, 0.0]), cr.Tensor([1.0, 2.0]), 0.0)


# --- casts, clone, contiguous --------------------------------------------------------------


@pytest.mark.parametrize("method,dtype", [
    ("float", cr.float32), ("double", cr.float64), ("half", cr.float16),
    ("long", cr.int64), ("int", cr.int32), ("bool", cr.bool),
])
def test_casts_like_torch(method, dtype):
    values = [-1.7, 0.0, 0.4, 2.5]
    ours = getattr(cr.Tensor(values, dtype=cr.float64), method)()
    theirs = getattr(torch.tensor(values, dtype=torch.float64), method)()
    assert ours.dtype == dtype
    assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch.")
    np.testing.assert_array_equal(ours.data, theirs.numpy())


def test_float_casts_are_differentiable_and_cast_back():
    x = cr.Tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x.double()
    assert y.dtype == cr.float64 and y.requires_grad
    (y * y).sum().backward()
    assert x.grad.dtype == cr.float32
    np.testing.assert_allclose(x.grad.data, [2.0, 4.0, 6.0])
    x.grad = None
    x.to(cr.float64).half().float().sum().backward()
    np.testing.assert_array_equal(x.grad.data, [1.0, 1.0, 1.0])


def test_casts_to_int_or_bool_have_no_grad():
    x = cr.Tensor([1.5, -2.5], requires_grad=True)
    for out in [x.long(), x.int(), x.bool(), x.to(cr.int64)]:
        assert not out.requires_grad and out.grad_fn is None


def test_same_dtype_cast_returns_self_and_to_variants():
    x = cr.Tensor([1.0, 2.0])
    assert x.float() is x and x.to(cr.float32) is x and x.to("cpu") is x
    assert x.contiguous() is x
    assert x.to("cpu", cr.float64).dtype == cr.float64
    assert x.to(dtype=cr.float64, device="cpu").dtype == cr.float64
    other = cr.Tensor([1], dtype=cr.int64)
    assert x.to(other).dtype == cr.int64 and x.type_as(other).dtype == cr.int64
    copy = x.to(cr.float32, copy=True)
    assert copy is not x and copy.data is not x.data
    with no_warnings():
        assert cr.Tensor([float("nan")]).long().dtype == cr.int64


def test_gradcheck_double_and_clone():
    x = cr.Tensor([[0.3, -1.2], [2.0, 0.7]], dtype=cr.float64, requires_grad=True)
    assert gradcheck(lambda x: x.clone() * x.double(), [x])


def test_clone_is_a_differentiable_copy():
    x = cr.Tensor([1.0, 2.0], requires_grad=True)
    y = cr.clone(x)
    assert y.data is not x.data and y.requires_grad
    y.data[0] = 5.0
    assert x.data[0] == 1.0
    (y * 3).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [3.0, 3.0])


def test_relu_gradient_is_plus_zero_where_the_unit_is_off_even_for_nan_and_inf():
    # A nan input gives a nan output, which is not <= 0: its gradient passes, as in PyTorch.
    x = np.array([-1.0, 0.0, 2.0, -3.0, 4.0, -0.5, np.nan, np.nan])
    grad = np.array([np.nan, np.inf, np.nan, -np.inf, -2.0, -1.0, 5.0, -np.inf])
    for dtype in (np.float32, np.float64):
        ours = cr.tensor(x.astype(dtype), requires_grad=True)
        theirs = torch.tensor(x.astype(dtype), requires_grad=True)
        cr.relu(ours).backward(grad.astype(dtype))
        torch.relu(theirs).backward(torch.tensor(grad.astype(dtype)))
        expected = theirs.grad.numpy()
        np.testing.assert_array_equal(ours.grad.data, expected)
        np.testing.assert_array_equal(np.signbit(ours.grad.data), np.signbit(expected))
