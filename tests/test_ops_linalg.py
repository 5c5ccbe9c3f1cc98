"""matmul / @ / mm / bmm / linear: values and gradients against PyTorch (float64), gradcheck,
float32 preservation and error messages."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes

import chainrule as cr
from chainrule.autograd import gradcheck

# The oracle runs tiny ops; its thread pool only costs time on a shared machine.
torch.set_num_threads(1)

RTOL = 1e-10
FAST = settings(max_examples=40, deadline=None)


def pair(array: np.ndarray) -> tuple[cr.Tensor, torch.Tensor]:
    """The same float64 leaf in chainrule and in torch, both requiring grad."""
    return (cr.Tensor(array, requires_grad=True),
            torch.tensor(array, dtype=torch.float64, requires_grad=True))


def check_against_torch(fn_cr, fn_torch, *arrays: np.ndarray, seed: int = 0) -> None:
    """Forward values and every input's gradient (for a random upstream gradient) agree."""
    ours, theirs = zip(*(pair(a) for a in arrays))
    out, expected = fn_cr(*ours), fn_torch(*theirs)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=RTOL, atol=1e-12)
    assert out.shape == tuple(expected.shape)
    upstream = np.random.default_rng(seed).standard_normal(expected.shape)
    out.backward(upstream)
    expected.backward(torch.tensor(upstream))
    for x, t in zip(ours, theirs):
        assert x.grad.shape == x.shape
        np.testing.assert_allclose(x.grad.data, t.grad.numpy(), rtol=RTOL, atol=1e-12)


@st.composite
def matmul_shapes(draw) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Shapes for a @ b: 1-D cases, plain matrices and broadcast batch dimensions both ways."""
    n, k, m = (draw(st.integers(1, 4)) for _ in range(3))
    batch_a, batch_b = draw(mutually_broadcastable_shapes(num_shapes=2, max_dims=3,
                                                          max_side=3)).input_shapes
    a_vector, b_vector = draw(st.booleans()), draw(st.booleans())
    a = (k,) if a_vector else batch_a + (n, k)
    b = (k,) if b_vector else batch_b + (k, m)
    return a, b


@FAST
@given(shapes=matmul_shapes(), seed=st.integers(0, 2**16))
def test_matmul_matches_torch(shapes, seed):
    rng = np.random.default_rng(seed)
    a, b = (rng.standard_normal(s) for s in shapes)
    check_against_torch(lambda x, y: x @ y, lambda x, y: x @ y, a, b, seed=seed)


@pytest.mark.parametrize("shape_a, shape_b", [
    ((3,), (3,)), ((4, 3), (3,)), ((3,), (3, 5)), ((4, 3), (3, 5)),
    ((2, 4, 3), (3, 5)), ((2, 4, 3), (2, 3, 5)), ((1, 4, 3), (2, 3, 5)), ((4, 3), (2, 3, 5)),
    ((3,), (2, 3, 5)), ((2, 4, 3), (3,)), ((2, 1, 4, 3), (3, 3, 2)),
])
def test_matmul_named_cases(shape_a, shape_b):
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal(shape_a), rng.standard_normal(shape_b)
    check_against_torch(cr.matmul, torch.matmul, a, b)
    check_against_torch(lambda x, y: x.matmul(y), torch.matmul, a, b)


@pytest.mark.parametrize("shape_a, shape_b", [
    ((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 2)), ((2, 3), (3, 2)),
    ((2, 2, 3), (3, 2)), ((1, 2, 3), (2, 3, 2)), ((2, 3), (2, 3, 1)),
])
def test_matmul_gradcheck(shape_a, shape_b):
    rng = np.random.default_rng(2)
    a = cr.Tensor(rng.standard_normal(shape_a), requires_grad=True)
    b = cr.Tensor(rng.standard_normal(shape_b), requires_grad=True)
    assert gradcheck(cr.matmul, (a, b))


def test_matmul_gradient_only_where_needed():
    rng = np.random.default_rng(3)
    a = cr.Tensor(rng.standard_normal((2, 3)), requires_grad=True)
    b = cr.Tensor(rng.standard_normal((3, 4)))
    (a @ b).backward(np.ones((2, 4)))
    np.testing.assert_allclose(a.grad.data, np.ones((2, 4)) @ b.data.T, rtol=RTOL)
    assert b.grad is None


def test_matmul_reflected_and_array_operand():
    rng = np.random.default_rng(4)
    a, b = rng.standard_normal((2, 3)), rng.standard_normal((3, 4))
    x = cr.Tensor(b, requires_grad=True)
    out = x.__rmatmul__(a)  # a @ x, with a a plain array
    np.testing.assert_allclose(out.data, a @ b, rtol=RTOL)
    out.backward(np.ones((2, 4)))
    np.testing.assert_allclose(x.grad.data, a.T @ np.ones((2, 4)), rtol=RTOL)
    y = cr.Tensor(a, requires_grad=True)
    np.testing.assert_allclose((y @ b).data, a @ b, rtol=RTOL)


def test_matmul_non_contiguous_input():
    rng = np.random.default_rng(5)
    base = rng.standard_normal((5, 3))
    x = cr.Tensor._make(base.T)  # a transposed view, as x.T gives
    w = cr.Tensor(rng.standard_normal((5, 4)), requires_grad=True)
    out = x @ w
    np.testing.assert_allclose(out.data, base.T @ w.data, rtol=RTOL)
    out.backward(np.ones((3, 4)))
    np.testing.assert_allclose(w.grad.data, base @ np.ones((3, 4)), rtol=RTOL)


@pytest.mark.parametrize("shape_a, shape_b", [((4, 3), (3, 5)), ((2, 4, 3), (3, 5)), ((3,), (3,))])
def test_matmul_keeps_float32(shape_a, shape_b):
    rng = np.random.default_rng(6)
    a = cr.Tensor(rng.standard_normal(shape_a).astype(np.float32), requires_grad=True)
    b = cr.Tensor(rng.standard_normal(shape_b).astype(np.float32), requires_grad=True)
    out = a @ b
    assert out.dtype == cr.float32
    out.backward(np.ones(out.shape, dtype=np.float32))
    assert a.grad.dtype == cr.float32 and b.grad.dtype == cr.float32


def test_matmul_inner_dimension_error():
    a, b = cr.Tensor(np.zeros((32, 30))), cr.Tensor(np.zeros((20, 200)))
    with pytest.raises(RuntimeError) as info:
        a @ b
    assert str(info.value) == "matmul: (32, 30) @ (20, 200): inner dimensions 30 and 20 differ"
    with pytest.raises(RuntimeError, match=r"matmul: \(3,\) @ \(4,\): inner dimensions 3 and 4"):
        cr.Tensor(np.zeros(3)) @ cr.Tensor(np.zeros(4))
    with pytest.raises(RuntimeError, match=r"\(2, 5\) @ \(4,\): inner dimensions 5 and 4"):
        cr.Tensor(np.zeros((2, 5))) @ cr.Tensor(np.zeros(4))


def test_matmul_batch_and_rank_errors():
    a, b = cr.Tensor(np.zeros((2, 3, 4))), cr.Tensor(np.zeros((5, 4, 6)))
    with pytest.raises(RuntimeError, match=r"matmul: \(2, 3, 4\) @ \(5, 4, 6\): batch dimensions "
                                           r"\(2,\) and \(5,\) cannot be broadcast"):
        a @ b
    with pytest.raises(RuntimeError, match=r"matmul: \(\) @ \(2, 3\): .*at least 1-D"):
        cr.Tensor(np.float64(1.0)) @ cr.Tensor(np.zeros((2, 3)))


def test_matmul_dtype_and_type_errors():
    a = cr.Tensor(np.zeros((2, 3), dtype=np.float32))
    b = cr.Tensor(np.zeros((3, 2), dtype=np.float64))
    with pytest.raises(RuntimeError, match="matmul: .*same dtype.*float32 and float64"):
        a @ b
    with pytest.raises(TypeError, match="must be a Tensor, not list"):
        cr.matmul(a, [[1.0], [2.0], [3.0]])
    with pytest.raises(TypeError):
        a @ 2.0


def test_mm_and_bmm():
    rng = np.random.default_rng(7)
    check_against_torch(cr.mm, torch.mm, rng.standard_normal((3, 4)), rng.standard_normal((4, 2)))
    check_against_torch(lambda x, y: x.bmm(y), torch.bmm, rng.standard_normal((2, 3, 4)),
                        rng.standard_normal((2, 4, 5)))
    with pytest.raises(RuntimeError, match=r"mm: expected two 2-D matrices, got shapes \(3,\)"):
        cr.mm(cr.Tensor(np.zeros(3)), cr.Tensor(np.zeros((3, 2))))
    with pytest.raises(RuntimeError, match=r"bmm: .*same B, got shapes \(2, 3, 4\) and "
                                           r"\(3, 4, 5\)"):
        cr.bmm(cr.Tensor(np.zeros((2, 3, 4))), cr.Tensor(np.zeros((3, 4, 5))))


@pytest.mark.parametrize("x_shape", [(3,), (5, 3), (2, 4, 3), (2, 1, 2, 3)])
@pytest.mark.parametrize("with_bias", [True, False])
def test_linear_matches_torch(x_shape, with_bias):
    rng = np.random.default_rng(8)
    arrays = [rng.standard_normal(x_shape), rng.standard_normal((4, 3))]
    if with_bias:
        arrays.append(rng.standard_normal(4))
    check_against_torch(cr.linear, F.linear, *arrays)


def test_linear_one_dimensional_weight():
    rng = np.random.default_rng(9)
    x, w = rng.standard_normal((5, 3)), rng.standard_normal(3)
    check_against_torch(cr.linear, F.linear, x, w)
    with pytest.raises(RuntimeError, match=r"linear: a 1-D weight of shape \(3,\) takes no bias"):
        cr.linear(cr.Tensor(x), cr.Tensor(w), cr.Tensor(np.zeros(())))


def test_linear_bias_of_output_shape():
    rng = np.random.default_rng(13)
    arrays = rng.standard_normal((5, 3)), rng.standard_normal((4, 3)), rng.standard_normal((5, 4))
    check_against_torch(cr.linear, F.linear, *arrays)


@pytest.mark.parametrize("x_shape", [(3,), (2, 3), (2, 2, 3)])
def test_linear_gradcheck(x_shape):
    rng = np.random.default_rng(10)
    x = cr.Tensor(rng.standard_normal(x_shape), requires_grad=True)
    w = cr.Tensor(rng.standard_normal((2, 3)), requires_grad=True)
    b = cr.Tensor(rng.standard_normal(2), requires_grad=True)
    assert gradcheck(cr.linear, (x, w, b))
    assert gradcheck(lambda x, w: cr.linear(x, w), (x, w))


def test_linear_equals_matmul_with_transposed_weight():
    rng = np.random.default_rng(11)
    x = rng.standard_normal((6, 3)).astype(np.float32)
    w = rng.standard_normal((4, 3)).astype(np.float32)
    b = rng.standard_normal(4).astype(np.float32)
    out = cr.linear(cr.Tensor(x), cr.Tensor(w), cr.Tensor(b))
    assert out.dtype == cr.float32
    np.testing.assert_allclose(out.data, x @ w.T + b, rtol=1e-6)


def test_linear_only_needed_gradients_and_float32():
    rng = np.random.default_rng(12)
    x = cr.Tensor(rng.standard_normal((2, 5, 3)).astype(np.float32))
    w = cr.Tensor(rng.standard_normal((4, 3)).astype(np.float32), requires_grad=True)
    b = cr.Tensor(rng.standard_normal(4).astype(np.float32), requires_grad=True)
    out = cr.linear(x, w, b)
    out.backward(np.ones(out.shape, dtype=np.float32))
    assert x.grad is None
    assert w.grad.dtype == cr.float32 and b.grad.dtype == cr.float32
    np.testing.assert_allclose(w.grad.data, np.ones((10, 4)).T @ x.data.reshape(10, 3), rtol=1e-5)
    np.testing.assert_allclose(b.grad.data, np.full(4, 10.0), rtol=1e-6)


def test_linear_errors():
    x, w = cr.Tensor(np.zeros((4, 3))), cr.Tensor(np.zeros((5, 2)))
    with pytest.raises(RuntimeError, match=r"linear: input of shape \(4, 3\) and weight of shape "
                                           r"\(5, 2\)"):
        cr.linear(x, w)
    with pytest.raises(RuntimeError, match=r"linear: bias of shape \(3,\) does not match "
                                           r"out_features = 5"):
        cr.linear(cr.Tensor(np.zeros((4, 2))), w, cr.Tensor(np.zeros(3)))
    with pytest.raises(RuntimeError, match="linear: .*same dtype"):
        cr.linear(cr.Tensor(np.zeros((4, 2), dtype=np.float32)), w)
