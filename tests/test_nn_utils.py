"""chainrule.nn.utils against torch.nn.utils: gradient clipping by norm and by value (float64
and float32, every norm type, missing gradients, non-finite norms) and parameters as one
vector and back."""

from __future__ import annotations

import inspect

import numpy as np
import pytest
import torch
from torch.nn import utils as T

import chainrule as cr
from chainrule.nn import utils as C

RNG = np.random.default_rng(31)
SHAPES = [(3,), (2, 4), (5, 1, 2)]


def _params(dtype=np.float64, missing: int | None = None, scale: float = 1.0):
    """The same parameters with the same gradients in both libraries (``missing``: an index
    left without gradient)."""
    ours, theirs = [], []
    for i, shape in enumerate(SHAPES):
        data, grad = RNG.standard_normal(shape).astype(dtype), (
            RNG.standard_normal(shape) * scale).astype(dtype)
        p, q = cr.nn.Parameter(data.copy()), torch.nn.Parameter(torch.tensor(data))
        if i != missing:
            p.grad, q.grad = cr.tensor(grad), torch.tensor(grad)
        ours.append(p)
        theirs.append(q)
    return ours, theirs


def _same_grads(ours, theirs, rtol=1e-13):
    for p, q in zip(ours, theirs):
        if q.grad is None:
            assert p.grad is None
        else:
            np.testing.assert_allclose(p.grad.data, q.grad.numpy(), rtol=rtol, atol=0)


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, float("inf"), 0.5])
@pytest.mark.parametrize("max_norm", [0.5, 1e3])
@pytest.mark.parametrize("missing", [None, 1])
def test_clip_grad_norm_matches_torch(norm_type, max_norm, missing):
    ours, theirs = _params(missing=missing)
    total = C.clip_grad_norm_(ours, max_norm, norm_type)
    expected = T.clip_grad_norm_(theirs, max_norm, norm_type)
    np.testing.assert_allclose(total.data, expected.numpy(), rtol=1e-13)
    assert total.dtype == cr.float64 and total.shape == ()
    _same_grads(ours, theirs)


def test_clip_grad_norm_in_float32_matches_torch_to_float32_rounding():
    ours, theirs = _params(np.float32, scale=10.0)
    total = C.clip_grad_norm_(iter(ours), 1.0)  # a generator is read once, as in PyTorch
    expected = T.clip_grad_norm_(iter(theirs), 1.0)
    assert total.dtype == cr.float32
    np.testing.assert_allclose(total.data, expected.numpy(), rtol=2e-7)
    _same_grads(ours, theirs, rtol=4e-7)


def test_clip_grad_norm_of_one_tensor_and_of_none():
    ours, theirs = _params()
    np.testing.assert_allclose(C.clip_grad_norm_(ours[0], 0.1).data,
                               T.clip_grad_norm_(theirs[0], 0.1).numpy(), rtol=1e-13)
    _same_grads(ours[:1], theirs[:1])
    assert float(C.clip_grad_norm_([], 1.0).item()) == float(T.clip_grad_norm_([], 1.0)) == 0.0


def test_non_finite_total_norm_raises_on_request_and_else_scales_like_torch():
    ours, theirs = _params()
    ours[0].grad.data[0] = np.nan
    theirs[0].grad[0] = float("nan")
    for clip, params in ((C.clip_grad_norm_, ours), (T.clip_grad_norm_, theirs)):
        with pytest.raises(RuntimeError, match="is non-finite, so it cannot be clipped"):
            clip(params, 1.0, error_if_nonfinite=True)
    assert np.isnan(C.clip_grad_norm_(ours, 1.0).data)
    T.clip_grad_norm_(theirs, 1.0)
    for p, q in zip(ours, theirs):
        np.testing.assert_array_equal(p.grad.data, q.grad.numpy())


def test_total_norm_then_clip_in_two_steps_matches_torch():
    ours, theirs = _params()
    total = C.get_total_norm([p.grad for p in ours], 3.0)
    expected = T.get_total_norm([q.grad for q in theirs], 3.0)
    np.testing.assert_allclose(total.data, expected.numpy(), rtol=1e-13)
    C.clip_grads_with_norm_(ours, 0.7, total)
    T.clip_grads_with_norm_(theirs, 0.7, expected)
    _same_grads(ours, theirs)


@pytest.mark.parametrize("clip_value", [0.1, 1.0, 5.0])
def test_clip_grad_value_matches_torch(clip_value):
    ours, theirs = _params(missing=0, scale=2.0)
    ours[1].grad.data[0, 0] = np.nan
    theirs[1].grad[0, 0] = float("nan")
    assert C.clip_grad_value_(ours, clip_value) is None
    T.clip_grad_value_(theirs, clip_value)
    for p, q in zip(ours, theirs):
        if q.grad is not None:
            np.testing.assert_array_equal(p.grad.data, q.grad.numpy())


def test_parameters_to_vector_and_back_match_torch():
    ours, theirs = _params()
    vector = C.parameters_to_vector(ours)
    np.testing.assert_array_equal(vector.data, T.parameters_to_vector(theirs).detach().numpy())
    for p in ours:
        p.grad = None
    vector.sum().backward()  # differentiable, like cat
    for p in ours:
        np.testing.assert_array_equal(p.grad.data, np.ones(p.shape))
    new = RNG.standard_normal(vector.shape)
    C.vector_to_parameters(cr.tensor(new), ours)
    T.vector_to_parameters(torch.tensor(new), theirs)
    for p, q in zip(ours, theirs):
        np.testing.assert_array_equal(p.data, q.detach().numpy())
        assert p.shape == tuple(q.shape)
    with pytest.raises(TypeError, match="expected torch.Tensor, but got: list"):
        C.vector_to_parameters([1.0], ours)


def test_signatures_are_pytorchs():
    def shape(fn):
        return [(p.name, p.kind, p.default) for p in inspect.signature(fn).parameters.values()]

    for name in C.__all__:
        assert shape(getattr(C, name)) == shape(getattr(T, name)), name
