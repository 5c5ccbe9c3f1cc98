"""Tensor creation against PyTorch: dtype rules, shapes, values and errors.

Each case is built twice, with chainrule and with torch, from the same arguments;
dtypes are compared by name (``chainrule.float32`` is NumPy's float32).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import chainrule as cr
from chainrule import creation

FAST = settings(max_examples=40, deadline=None)


def torch_dtype(dtype: np.dtype | None) -> torch.dtype | None:
    return None if dtype is None else getattr(torch, np.dtype(dtype).name)


def assert_same(ours: cr.Tensor, theirs: torch.Tensor, exact: bool = True) -> None:
    """Same dtype, shape and values (bit for bit unless ``exact`` is False)."""
    assert isinstance(ours, cr.Tensor)
    assert ours.dtype.name == str(theirs.dtype).removeprefix("torch."), (ours.dtype, theirs.dtype)
    assert ours.shape == tuple(theirs.shape)
    expected = theirs.detach().numpy()
    if exact:
        np.testing.assert_array_equal(ours.data, expected)
    else:
        rtol = 1e-6 if ours.dtype == cr.float32 else 1e-13
        np.testing.assert_allclose(ours.data, expected, rtol=rtol, atol=rtol * 10)


# --- tensor() ---------------------------------------------------------------------------

TENSOR_DATA = [
    1.5,
    3,
    True,
    [],
    [1.0, 2.0],
    [1, 2, 3],
    [True, False],
    [1, 2.5],
    [True, 1],
    [True, 1.5],
    [[1, 2], [3, 4]],
    [[[1.0], [2.0]], [[3.0], [4.0]]],
    [-0.0, float("inf"), float("nan")],
    np.array([1.0, 2.0]),  # float64 kept
    np.array([1.0, 2.0], dtype=np.float32),
    np.array([1.0, 2.0], dtype=np.float16),
    np.array([1, 2], dtype=np.int32),
    np.array([1, 2], dtype=np.int64),
    np.array([True, False]),
    np.float64(2.5),
    np.zeros((2, 0, 3)),
]


@pytest.mark.parametrize("data", TENSOR_DATA, ids=repr)
def test_tensor_dtype_inference_matches_torch(data):
    assert_same(cr.tensor(data), torch.tensor(data))


@pytest.mark.parametrize("dtype", [cr.float32, cr.float64, cr.int64, cr.int32, cr.bool])
@pytest.mark.parametrize("data", [[1.7, -2.2, 0.0], [[1, 0], [3, -4]], np.array([0.5, 2.0])],
                         ids=repr)
def test_tensor_dtype_argument(data, dtype):
    assert_same(cr.tensor(data, dtype=dtype), torch.tensor(data, dtype=torch_dtype(dtype)))


def test_tensor_copies_and_detaches_its_input():
    array = np.array([1.0, 2.0])
    t = cr.tensor(array)
    array[0] = 10.0
    assert t.tolist() == [1.0, 2.0]

    source = cr.tensor([1.0, 2.0], requires_grad=True)
    copy = cr.tensor(source)
    assert not copy.requires_grad and copy.is_leaf and copy.dtype == cr.float32
    copy.data[0] = 5.0
    assert source.tolist() == [1.0, 2.0]


def test_tensor_requires_grad_and_device():
    t = cr.tensor([[1.0, 2.0]], requires_grad=True, device="cpu")
    assert t.requires_grad and t.is_leaf and t.grad is None and t.device == "cpu"
    with pytest.raises(RuntimeError, match="floating point"):
        cr.tensor([1, 2], requires_grad=True)
    with pytest.raises(ValueError, match="unknown device"):
        cr.tensor([1.0], device="tpu")


def test_tensor_rejects_ragged_and_non_numeric_data():
    with pytest.raises(ValueError, match="rectangular"):
        cr.tensor([[1, 2], [3]])
    with pytest.raises(TypeError):
        cr.tensor("abc")
    with pytest.raises(TypeError, match="unsupported dtype"):
        cr.tensor([1.0], dtype="complex64")


# --- filled ---------------------------------------------------------------------------

SIZES = [(2, 3), ((2, 3),), ([4],), ((),), (0,), (3, 0, 2), (np.int64(2), 1), (1, 1, 1, 1)]
FILLED = ["zeros", "ones", "empty"]


@pytest.mark.parametrize("size", SIZES, ids=repr)
@pytest.mark.parametrize("name", FILLED)
@pytest.mark.parametrize("dtype", [None, cr.float64, cr.int64, cr.bool])
def test_filled_match_torch(name, size, dtype):
    ours = getattr(cr, name)(*size, dtype=dtype)
    theirs = getattr(torch, name)(*size, dtype=torch_dtype(dtype))
    if name == "empty":  # values are undefined: compare dtype and shape only
        ours, theirs = cr.zeros_like(ours), torch.zeros_like(theirs)
    assert_same(ours, theirs)


@pytest.mark.parametrize("fill", [3, 1.5, True, -2, float("nan"), np.float32(0.25), np.int64(7)])
@pytest.mark.parametrize("dtype", [None, cr.float64, cr.int64])
def test_full_matches_torch(fill, dtype):
    if dtype == cr.int64 and isinstance(fill, float) and math.isnan(fill):
        return  # NaN has no integer value
    assert_same(cr.full((2, 3), fill, dtype=dtype),
                torch.full((2, 3), fill, dtype=torch_dtype(dtype)))
    assert_same(cr.full([4], fill, dtype=dtype), torch.full([4], fill, dtype=torch_dtype(dtype)))


@pytest.mark.parametrize("name", ["zeros_like", "ones_like", "empty_like", "full_like"])
@pytest.mark.parametrize("data", [[[1.5, 2.0]], [1, 2, 3], [True], np.ones((2, 2))], ids=repr)
@pytest.mark.parametrize("dtype", [None, cr.float64, cr.int64])
def test_like_functions_match_torch(name, data, dtype):
    extra = (7,) if name == "full_like" else ()
    ours = getattr(cr, name)(cr.tensor(data), *extra, dtype=dtype)
    theirs = getattr(torch, name)(torch.tensor(data), *extra, dtype=torch_dtype(dtype))
    if name == "empty_like":
        ours, theirs = cr.zeros_like(ours), torch.zeros_like(theirs)
    assert_same(ours, theirs)


def test_like_functions_need_a_tensor():
    for name in ["zeros_like", "ones_like", "empty_like", "rand_like", "randn_like"]:
        with pytest.raises(TypeError, match="must be Tensor"):
            getattr(cr, name)([1.0, 2.0])
        with pytest.raises(TypeError):
            getattr(torch, name)([1.0, 2.0])


@pytest.mark.parametrize("make", [
    lambda **kw: cr.zeros(2, 3, **kw), lambda **kw: cr.ones((2,), **kw),
    lambda **kw: cr.full((2,), 1.0, **kw), lambda **kw: cr.eye(3, **kw),
    lambda **kw: cr.arange(0.0, 3.0, 1.0, **kw), lambda **kw: cr.linspace(0, 1, 3, **kw),
    lambda **kw: cr.zeros_like(cr.ones(2), **kw), lambda **kw: cr.empty(2, **kw),
])
def test_requires_grad_gives_a_float_leaf(make):
    t = make(requires_grad=True)
    assert t.requires_grad and t.is_leaf and t.grad is None and t.dtype == cr.float32
    assert not make().requires_grad
    with pytest.raises(RuntimeError, match="floating point"):
        make(dtype=cr.int64, requires_grad=True)


# --- ranges -----------------------------------------------------------------------------

ARANGE_ARGS = [(5,), (0,), (1, 4), (10, 0, -3), (-5, 5, 2), (5, 5), (True,),
               (5.0,), (0.0, 1.0, 0.1), (-1.5, 2.5, 0.1), (1, 2.5), (0, 3, 1.0),
               (0.3, 7.9, 0.7), (-3.0, 0.0, 0.003), (0, 1000, 0.37), (2.5, -1.0, -0.25)]


@pytest.mark.parametrize("args", ARANGE_ARGS, ids=repr)
@pytest.mark.parametrize("dtype", [None, cr.float64, cr.int64])
def test_arange_matches_torch(args, dtype):
    try:
        torch.arange(*args, dtype=torch_dtype(dtype))
    except Exception as error:  # a fractional step that is 0 in an integer dtype
        with pytest.raises(type(error), match="step must be nonzero"):
            cr.arange(*args, dtype=dtype)
        return
    ours, theirs = cr.arange(*args, dtype=dtype), torch.arange(*args, dtype=torch_dtype(dtype))
    # Float ranges may differ from torch's vectorised kernel in the last bit.
    assert_same(ours, theirs, exact=ours.dtype.kind != "f")


def test_arange_keywords_and_tensor_arguments():
    assert_same(cr.arange(start=1, end=4), torch.arange(start=1, end=4))
    assert_same(cr.arange(end=3), torch.arange(end=3))
    assert_same(cr.arange(cr.tensor(3)), torch.arange(torch.tensor(3)))
    assert_same(cr.arange(0, 3, cr.tensor(1.0)), torch.arange(0, 3, torch.tensor(1.0)))


@FAST
@given(start=st.integers(-50, 50), end=st.integers(-50, 50),
       step=st.integers(-7, 7).filter(bool))
def test_arange_integers_hypothesis(start, end, step):
    if (step > 0 and end < start) or (step < 0 and end > start):
        with pytest.raises(RuntimeError, match="inconsistent with step sign"):
            cr.arange(start, end, step)
        return
    assert_same(cr.arange(start, end, step), torch.arange(start, end, step))


@FAST
@given(start=st.floats(-100, 100), length=st.floats(0, 100), step=st.floats(0.01, 10),
       down=st.booleans(), double=st.booleans())
def test_arange_floats_hypothesis(start, length, step, down, double):
    end = start - length if down else start + length
    step = -step if down else step
    dtype = cr.float64 if double else None
    ours = cr.arange(start, end, step, dtype=dtype)
    assert_same(ours, torch.arange(start, end, step, dtype=torch_dtype(dtype)), exact=False)


@FAST
@given(start=st.floats(-1e4, 1e4), end=st.floats(-1e4, 1e4), steps=st.integers(0, 300),
       dtype=st.sampled_from([None, cr.float64, cr.int64, cr.int32]))
def test_linspace_matches_torch_bit_for_bit(start, end, steps, dtype):
    assert_same(cr.linspace(start, end, steps, dtype=dtype),
                torch.linspace(start, end, steps, dtype=torch_dtype(dtype)))


@pytest.mark.parametrize("args", [(0, 1, 5), (-3, 0, 1000), (0, 10, 4), (-10, 10, 6),
                                  (0.0, 1.0, 4), (1.7, -2.3, 77), (3, 3, 10), (0, 1, 1),
                                  (0, 1, 0), (-47.6, 17.3, 55), (-11.2, 29.2, 37),
                                  # ties that need the single rounding (double rounding fails)
                                  (1.0, 7.487766534137122e-124, 42),
                                  (-1.5301357655053936e-37, -0.9785190780566395, 96)], ids=repr)
@pytest.mark.parametrize("dtype", [None, cr.float64, cr.int64])
def test_linspace_table(args, dtype):
    assert_same(cr.linspace(*args, dtype=dtype), torch.linspace(*args, dtype=torch_dtype(dtype)))


def test_linspace_tensor_endpoints():
    assert_same(cr.linspace(cr.tensor(0), 1, 3), torch.linspace(torch.tensor(0), 1, 3))


@pytest.mark.parametrize("args", [(0,), (3,), (2, 3), (3, 2), (4, 0)], ids=repr)
@pytest.mark.parametrize("dtype", [None, cr.float64, cr.int64, cr.bool])
def test_eye_matches_torch(args, dtype):
    assert_same(cr.eye(*args, dtype=dtype), torch.eye(*args, dtype=torch_dtype(dtype)))


# --- errors -----------------------------------------------------------------------------

# (call with module `m` = cr or torch, exception type, words our message must contain)
ERRORS = [
    (lambda m: m.zeros(), TypeError, "size"),
    (lambda m: m.zeros(-1, 2), RuntimeError, "negative dimension -1"),
    (lambda m: m.ones((2, -3)), RuntimeError, "negative dimension -3"),
    (lambda m: m.zeros(2.0), TypeError, "tuple of ints"),
    (lambda m: m.zeros((2, 3.0)), TypeError, "tuple of ints"),
    (lambda m: m.zeros(True), TypeError, "tuple of ints"),
    (lambda m: m.zeros((2,), (3,)), TypeError, "tuple of ints"),
    (lambda m: m.full((-2,), 1.0), RuntimeError, "negative dimension"),
    (lambda m: m.arange(0, 5, 0), RuntimeError, "step must be nonzero"),
    (lambda m: m.arange(5, 0), RuntimeError, "inconsistent with step sign"),
    (lambda m: m.arange(0, -1.5, 0.5), RuntimeError, "inconsistent with step sign"),
    (lambda m: m.arange(0, float("inf")), RuntimeError, "unsupported range"),
    (lambda m: m.arange(0, 1, 0.3, dtype=m.int64), ValueError, "step must be nonzero"),
    (lambda m: m.linspace(0, 1, -1), RuntimeError, "non-negative"),
    (lambda m: m.linspace(0, 1, 2.5), TypeError, "steps"),
    (lambda m: m.eye(-1), RuntimeError, "n must be greater or equal to 0, got -1"),
    (lambda m: m.eye(2, -1), RuntimeError, "m must be greater or equal to 0, got -1"),
    (lambda m: m.ones(2, dtype=m.int64, requires_grad=True), RuntimeError, "floating point"),
]


@pytest.mark.parametrize("call, kind, words", ERRORS)
def test_errors_match_torch(call, kind, words):
    with pytest.raises(kind):
        call(torch)
    with pytest.raises(kind, match=words):
        call(cr)


def test_all_names_are_exported():
    for name in creation.__all__:
        assert getattr(cr, name) is getattr(creation, name), name
    for name in ["tensor", "zeros", "ones", "full", "zeros_like", "ones_like", "arange",
                 "linspace", "eye", "rand", "randn", "randint", "manual_seed", "Generator",
                 "multinomial", "randperm"]:
        assert name in creation.__all__, name
