"""Comparisons and logical ops against PyTorch: bool results with broadcasting, never any
gradient, hashing by identity, errors."""

from __future__ import annotations

import operator

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import chainrule as cr

FAST = settings(max_examples=25, deadline=None)
GRID = st.sampled_from([-1.0, 0.0, 0.5, 1.0, float("nan")])
NAMES = ["eq", "ne", "lt", "le", "gt", "ge"]
OPERATORS = {"eq": operator.eq, "ne": operator.ne, "lt": operator.lt, "le": operator.le,
             "gt": operator.gt, "ge": operator.ge}


def same(ours, theirs):
    assert ours.dtype == cr.bool and theirs.dtype == torch.bool
    assert not ours.requires_grad and ours.grad_fn is None
    np.testing.assert_array_equal(ours.data, theirs.numpy())


@pytest.mark.parametrize("name", NAMES)
@given(data=st.data())
@FAST
def test_comparisons_broadcast_like_torch(name, data):
    shapes = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3))
    x, y = (data.draw(hnp.arrays(np.float64, s, elements=GRID)) for s in shapes.input_shapes)
    a = cr.Tensor(x, dtype=cr.float64, requires_grad=True)
    b = cr.Tensor(y, dtype=cr.float64)
    t, u = torch.tensor(x), torch.tensor(y)
    expected = getattr(torch, name)(t, u)
    same(getattr(cr, name)(a, b), expected)
    same(getattr(a, name)(b), expected)
    same(OPERATORS[name](a, b), expected)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("number", [0.5, 1, True])
def test_comparisons_with_numbers_both_sides(name, number):
    values = [[-1.0, 0.5], [1.0, 2.0]]
    a, t = cr.Tensor(values), torch.tensor(values)
    op = OPERATORS[name]
    same(op(a, number), op(t, number))
    same(op(number, a), op(number, t))
    same(getattr(cr, name)(a, number), getattr(torch, name)(t, number))


def test_int_tensor_against_float_number():
    same(cr.Tensor([1, 2]) < 1.5, torch.tensor([1, 2]) < 1.5)
    same(cr.Tensor([1, 2]) == cr.Tensor([1.0, 3.0]),
         torch.tensor([1, 2]) == torch.tensor([1.0, 3.0]))


def test_zero_dim_comparison_is_a_tensor():
    out = cr.Tensor(1.0) > 0
    assert isinstance(out, cr.Tensor) and out.shape == () and bool(out)


def test_hash_by_identity_and_none():
    a, b = cr.Tensor([1.0, 2.0]), cr.Tensor([1.0, 2.0])
    assert hash(a) != hash(b) or a is b
    table = {a: "a", b: "b"}
    assert table[a] == "a" and table[b] == "b"
    assert len({a, b, a}) == 2
    assert (a == None) is False  # noqa: E711
    assert (a != None) is True  # noqa: E711
    assert (a == None) is (torch.tensor([1.0]) == None)  # noqa: E711


def test_comparison_shape_mismatch_names_both_shapes():
    with pytest.raises(RuntimeError, match=r"lt\(\).*\(2,\) and \(3,\)"):
        _ = cr.Tensor([1.0, 2.0]) < cr.Tensor([1.0, 2.0, 3.0])


@pytest.mark.parametrize("name", ["isnan", "isinf", "isfinite", "logical_not"])
def test_unary_predicates_like_torch(name):
    values = [float("nan"), float("inf"), -float("inf"), 0.0, 1.5]
    a, t = cr.Tensor(values, requires_grad=True), torch.tensor(values)
    same(getattr(cr, name)(a), getattr(torch, name)(t))
    same(getattr(a, name)(), getattr(t, name)())


@pytest.mark.parametrize("name", ["logical_and", "logical_or", "logical_xor"])
def test_logical_binary_like_torch(name):
    x = [[True, False, True], [False, False, True]]
    y = [True, False, False]
    same(getattr(cr, name)(cr.Tensor(x), cr.Tensor(y)),
         getattr(torch, name)(torch.tensor(x), torch.tensor(y)))
    same(getattr(cr.Tensor([0.0, 2.0]), name)(cr.Tensor([1.0, 0.0])),
         getattr(torch.tensor([0.0, 2.0]), name)(torch.tensor([1.0, 0.0])))


def test_invert_and_bitwise_like_torch():
    bools = [True, False, True]
    same(~cr.Tensor(bools), ~torch.tensor(bools))
    np.testing.assert_array_equal((~cr.Tensor([1, 2])).data, (~torch.tensor([1, 2])).numpy())
    with pytest.raises(TypeError, match="only implemented on integer and Boolean"):
        ~cr.Tensor([1.0])
    a, b = cr.Tensor([True, True, False]), cr.Tensor([True, False, False])
    t, u = torch.tensor([True, True, False]), torch.tensor([True, False, False])
    same(a & b, t & u)
    same(a | b, t | u)
    same(a ^ b, t ^ u)
    same(True & b, True & u)
    mask = (cr.Tensor([0.1, 0.5, 0.9]) > 0.2) & (cr.Tensor([0.1, 0.5, 0.9]) < 0.8)
    np.testing.assert_array_equal(mask.data, [False, True, False])
    with pytest.raises(TypeError, match="only supported for integer and Boolean"):
        cr.Tensor([1.0]) & cr.Tensor([True])
