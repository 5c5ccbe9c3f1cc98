"""as_tensor, from_numpy, is_tensor, numel, Tensor.new_*, all/any, isclose/allclose/equal,
set_grad_enabled, inference_mode and Tensor.multinomial, against PyTorch."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import chainrule as cr


def test_as_tensor_and_from_numpy_share_memory_like_torch():
    array = np.arange(6.0).reshape(2, 3)
    for make in (cr.as_tensor, cr.from_numpy):
        shared = make(array)
        assert np.shares_memory(shared.data, array) and shared.dtype == cr.float64
    copied = cr.as_tensor(array, dtype=cr.float32)
    assert not np.shares_memory(copied.data, array) and copied.dtype == cr.float32
    assert cr.as_tensor([1.0, 2.0]).dtype == torch.as_tensor([1.0, 2.0]).numpy().dtype
    t = cr.tensor([1.0])
    assert cr.as_tensor(t) is t
    with pytest.raises(TypeError, match="expected np.ndarray"):
        cr.from_numpy([1.0])
    with pytest.raises(TypeError, match="can't convert np.ndarray of type uint16"):
        cr.from_numpy(np.zeros(2, np.uint16))


def test_is_tensor_and_numel():
    assert cr.is_tensor(cr.ones(2)) and not cr.is_tensor(np.ones(2))
    assert cr.numel(cr.ones(2, 3)) == torch.numel(torch.ones(2, 3)) == 6


def test_new_methods_take_dtype_and_device_from_the_tensor():
    base, tbase = cr.ones(2, dtype=cr.float64), torch.ones(2, dtype=torch.float64)
    for ours, theirs in [
        (base.new_zeros(2, 3), tbase.new_zeros(2, 3)),
        (base.new_ones((3,)), tbase.new_ones((3,))),
        (base.new_full((2,), 7), tbase.new_full((2,), 7)),
        (base.new_tensor([1, 2]), tbase.new_tensor([1, 2])),
        (base.new_zeros(2, dtype=cr.int64), tbase.new_zeros(2, dtype=torch.int64)),
    ]:
        assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch.")
        np.testing.assert_array_equal(ours.data, theirs.numpy())
    assert base.new_empty(4).shape == (4,) and base.new_ones(1, requires_grad=True).requires_grad


@pytest.mark.parametrize("call", [
    lambda lib, x: lib.all(x), lambda lib, x: x.any(), lambda lib, x: x.all(1),
    lambda lib, x: x.any(dim=0, keepdim=True), lambda lib, x: lib.any(x, -1),
])
def test_all_any_like_torch(call):
    data = np.array([[0.0, 1.0, 2.0], [3.0, 0.0, 0.0], [1.0, 1.0, 1.0]])
    ours, theirs = call(cr, cr.tensor(data)), call(torch, torch.tensor(data))
    assert ours.dtype == cr.bool
    np.testing.assert_array_equal(ours.data, theirs.numpy())


def test_isclose_allclose_equal_like_torch():
    a, b = np.array([1.0, np.nan, 2.0]), np.array([1.0 + 1e-9, np.nan, 2.1])
    for kwargs in ({}, {"equal_nan": True}, {"rtol": 0.1}):
        np.testing.assert_array_equal(
            cr.isclose(cr.tensor(a), cr.tensor(b), **kwargs).data,
            torch.isclose(torch.tensor(a), torch.tensor(b), **kwargs).numpy())
        assert (cr.tensor(a).allclose(cr.tensor(b), **kwargs)
                == torch.tensor(a).allclose(torch.tensor(b), **kwargs))
    assert cr.equal(cr.tensor([1, 2]), cr.tensor([1, 2]))
    assert not cr.equal(cr.tensor([1, 2]), cr.tensor([[1, 2]]))


def test_set_grad_enabled_as_call_context_and_decorator():
    x = cr.ones(2, requires_grad=True)
    cr.set_grad_enabled(False)
    try:
        assert not (x * 2).requires_grad
    finally:
        cr.set_grad_enabled(True)
    with cr.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert (x * 2).requires_grad

    @cr.set_grad_enabled(False)
    def doubled(t):
        return t * 2

    assert cr.is_grad_enabled()  # decorating changed nothing
    assert not doubled(x).requires_grad and (x * 2).requires_grad


def test_inference_mode_forms():
    x = cr.ones(2, requires_grad=True)
    with cr.inference_mode():
        assert not (x * 2).requires_grad
    with cr.inference_mode(False):
        assert (x * 2).requires_grad

    @cr.inference_mode
    def bare(t):
        return t * 2

    @cr.inference_mode()
    def called(t):
        return t * 2

    assert not bare(x).requires_grad and not called(x).requires_grad


def test_multinomial_method():
    probs = cr.tensor([0.0, 1.0, 0.0])
    g = cr.Generator().manual_seed(3)
    assert probs.multinomial(4, replacement=True, generator=g).tolist() == [1, 1, 1, 1]
