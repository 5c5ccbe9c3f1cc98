"""The Tensor engine's semantics against PyTorch's.

Not single ops but the machinery around them: grad mode (``no_grad``,
``enable_grad``), ``backward``'s checks and seeds, accumulation into leaves,
``retain_graph`` and the freeing of the graph, ``retain_grad``, leaves and
``detach``, deep graphs, makemore's in-place update, dtype promotion, NumPy
interop, and custom ``Function``s (including the engine's unbroadcasting of
gradients that come back in the broadcast shape).
"""

from __future__ import annotations

import gc
import inspect
import math
import weakref

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import chainrule as cr
from chainrule.autograd import gradcheck

RTOL = 1e-10


def pair(data, dtype=np.float64, requires_grad=True):
    """The same data as a chainrule tensor and a torch tensor."""
    array = np.asarray(data, dtype=dtype)
    return (
        cr.tensor(array, requires_grad=requires_grad),
        torch.tensor(array, requires_grad=requires_grad),
    )


def close(ours, theirs, rtol=RTOL):
    """Assert a chainrule tensor (or array) equals a torch tensor."""
    ours = ours.data if isinstance(ours, cr.Tensor) else ours
    np.testing.assert_allclose(ours, theirs.detach().numpy(), rtol=rtol, atol=1e-12)


@pytest.fixture
def gc_off():
    """Disable the cyclic collector, so that anything freed was freed by refcounting."""
    was_enabled = gc.isenabled()
    gc.disable()
    yield
    if was_enabled:
        gc.enable()


# --- grad mode -------------------------------------------------------------------------


def test_no_grad_context_builds_no_graph():
    x, tx = pair([1.0, 2.0])
    with cr.no_grad():
        assert not cr.is_grad_enabled()
        y = x * 2 + x
    with torch.no_grad():
        ty = tx * 2 + tx
    assert cr.is_grad_enabled()
    assert y.requires_grad is ty.requires_grad is False
    assert y.grad_fn is None and ty.grad_fn is None
    assert y.is_leaf and ty.is_leaf
    assert x.requires_grad  # the leaf itself is unchanged
    close(y, ty)


def test_no_grad_decorator_builds_no_graph():
    @cr.no_grad()
    def f(t):
        """doc"""
        return t * 3

    x = cr.tensor([1.0, 2.0], requires_grad=True)
    y = f(x)
    assert y.requires_grad is False and y.grad_fn is None
    assert cr.is_grad_enabled()
    assert f.__name__ == "f" and f.__doc__ == "doc"


def test_no_grad_bare_decorator_like_torch():
    @torch.no_grad
    def tf(t):
        return t * 3

    @cr.no_grad
    def f(t):
        return t * 3

    x, tx = pair([1.0, 2.0])
    assert f(x).requires_grad is tf(tx).requires_grad is False
    assert cr.is_grad_enabled()


def test_no_grad_decorated_generator_keeps_mode_while_iterating():
    def gen_torch():
        yield torch.is_grad_enabled()
        yield torch.is_grad_enabled()

    def gen():
        yield cr.is_grad_enabled()
        yield cr.is_grad_enabled()

    assert list(torch.no_grad()(gen_torch)()) == [False, False]
    assert list(cr.no_grad()(gen)()) == [False, False]
    assert cr.is_grad_enabled()
    iterator = cr.no_grad()(gen)()
    assert next(iterator) is False
    assert cr.is_grad_enabled()  # the caller runs in its own mode between the yields


def test_no_grad_restores_mode_after_exception():
    with pytest.raises(ValueError, match="boom"):
        with cr.no_grad():
            raise ValueError("boom")
    assert cr.is_grad_enabled()

    @cr.no_grad()
    def fail():
        raise KeyError("inside")

    with pytest.raises(KeyError):
        fail()
    assert cr.is_grad_enabled()
    x = cr.tensor([1.0], requires_grad=True)
    assert (x * 2).requires_grad


def test_nested_grad_modes_restore_in_order():
    x, tx = pair([1.0, 2.0])
    with cr.no_grad(), torch.no_grad():
        with cr.enable_grad(), torch.enable_grad():
            y, ty = x * 2, tx * 2
            with cr.no_grad():
                z = x * 2
            assert cr.is_grad_enabled()
        w, tw = x * 2, tx * 2
        with cr.no_grad():
            pass
        assert not cr.is_grad_enabled()
    assert cr.is_grad_enabled()
    assert y.requires_grad is ty.requires_grad is True
    assert y.grad_fn is not None
    assert z.requires_grad is False
    assert w.requires_grad is tw.requires_grad is False
    y.backward(np.ones(2))
    ty.backward(torch.ones(2, dtype=torch.float64))
    close(x.grad, tx.grad)


def test_enable_grad_decorator_inside_no_grad():
    @cr.enable_grad()
    def f(t):
        return t * t

    x = cr.tensor([3.0], dtype=cr.float64, requires_grad=True)
    with cr.no_grad():
        y = f(x)
        assert not cr.is_grad_enabled()
    assert y.requires_grad and y.grad_fn is not None
    y.backward()
    assert x.grad.item() == 6.0


def test_ops_on_tensors_without_grad_build_no_graph():
    x, tx = pair([1.0, 2.0], requires_grad=False)
    y, ty = x * 2, tx * 2
    assert y.requires_grad is ty.requires_grad is False
    assert y.is_leaf is ty.is_leaf is True
    assert y.grad_fn is None


# --- backward's checks and seeds ----------------------------------------------------------


def test_backward_on_non_scalar_needs_gradient():
    x, tx = pair([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    message = "grad can be implicitly created only for scalar outputs"
    with pytest.raises(RuntimeError, match=message):
        (tx * 2).backward()
    with pytest.raises(RuntimeError, match=message):
        (x * 2).backward()


def test_backward_on_one_element_tensor_needs_no_gradient():
    x, tx = pair([[1.5]])
    (x * x).backward()
    (tx * tx).backward()
    close(x.grad, tx.grad)
    assert x.grad.shape == (1, 1)


def test_backward_gradient_of_wrong_shape_names_both_shapes():
    x, tx = pair(np.ones((2, 3)))
    with pytest.raises(RuntimeError, match="Mismatch in shape"):
        (tx * 2).backward(torch.ones(3, dtype=torch.float64))
    with pytest.raises(RuntimeError, match="Mismatch in shape") as info:
        (x * 2).backward(np.ones(3))
    assert "(3,)" in str(info.value) and "(2, 3)" in str(info.value)


def test_backward_with_explicit_gradient_matches_torch():
    data = np.arange(6.0).reshape(2, 3) / 7
    seed = np.linspace(-1.0, 2.0, 6).reshape(2, 3)
    x, tx = pair(data)
    (x * x * 3).backward(cr.tensor(seed, dtype=cr.float64))
    (tx * tx * 3).backward(torch.tensor(seed))
    close(x.grad, tx.grad)
    x.grad = None
    (x * x * 3).backward(seed)  # a plain array works too
    close(x.grad, tx.grad)


def test_backward_on_tensor_not_requiring_grad_raises():
    x, tx = pair([1.0, 2.0], requires_grad=False)
    with pytest.raises(RuntimeError, match="does not require grad"):
        (tx * 2).sum().backward()
    with pytest.raises(RuntimeError, match="does not require grad"):
        (x * 2).backward(np.ones(2))
    with pytest.raises(RuntimeError, match="does not require grad"):
        x.backward(np.ones(2))


def test_backward_on_a_leaf_sets_its_grad():
    x, tx = pair([1.0, 2.0])
    x.backward(np.array([3.0, 4.0]))
    tx.backward(torch.tensor([3.0, 4.0], dtype=torch.float64))
    close(x.grad, tx.grad)


def test_grad_is_a_tensor_without_graph_and_keeps_the_leaf_dtype():
    x = cr.tensor([1.0, 2.0], requires_grad=True)  # float32
    (x * x).backward(np.ones(2, dtype=np.float64))
    assert isinstance(x.grad, cr.Tensor)
    assert x.grad.dtype == cr.float32
    assert x.grad.requires_grad is False and x.grad.grad_fn is None
    np.testing.assert_array_equal(x.grad.data, [2.0, 4.0])


def test_leaf_grad_never_aliases_the_seed():
    x = cr.tensor([1.0, 2.0], dtype=cr.float64, requires_grad=True)
    seed = np.ones(2)
    (x + 1).backward(seed)
    (x + 1).backward(seed)
    np.testing.assert_array_equal(seed, [1.0, 1.0])
    np.testing.assert_array_equal(x.grad.data, [2.0, 2.0])


class _ReturnsItsInput(cr.autograd.Function):
    """A custom op whose backward hands back an array it saved (the input itself)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * 2

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return x


def test_leaf_grad_never_aliases_an_array_the_op_kept():
    x = cr.tensor([1.0, 2.0], dtype=cr.float64, requires_grad=True)
    _ReturnsItsInput.apply(x).sum().backward()
    assert not np.shares_memory(x.grad.data, x.data)
    x.grad.data += 10
    np.testing.assert_array_equal(x.data, [1.0, 2.0])


def test_leaf_grad_never_aliases_a_gradient_passed_to_two_inputs():
    x = cr.tensor([1.0, 2.0], dtype=cr.float64, requires_grad=True)
    w = cr.tensor([3.0, 4.0], dtype=cr.float64, requires_grad=True)
    (x + w).backward(np.array([1.0, 1.0]))  # add's backward gives one array to both
    assert not np.shares_memory(x.grad.data, w.grad.data)
    x.grad.data += 1
    np.testing.assert_array_equal(w.grad.data, [1.0, 1.0])
    (w + w).sum().backward()  # the same array twice into one leaf: counted twice
    np.testing.assert_array_equal(w.grad.data, [3.0, 3.0])


def _tripling_op(on_backward):
    """A custom op (out = x) whose backward returns a fresh ``grad * 3`` after showing it to
    ``on_backward``."""

    class Triples(cr.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x.copy()

        @staticmethod
        def backward(ctx, grad):
            out = grad * 3
            on_backward(out)
            return out

    return Triples


def test_leaf_grad_never_aliases_a_gradient_still_referred_to_elsewhere():
    kept = []
    x = cr.tensor([1.0, 2.0], dtype=cr.float64, requires_grad=True)
    _tripling_op(kept.append).apply(x).sum().backward()
    assert not np.shares_memory(x.grad.data, kept[0])
    np.testing.assert_array_equal(x.grad.data, [3.0, 3.0])


def test_leaf_adopts_a_fresh_gradient_without_copying_it():
    computed = []  # ids only: holding the array itself would (rightly) prevent the adoption
    op = _tripling_op(lambda out: computed.append(id(out)))
    x = cr.tensor([1.0, 2.0], dtype=cr.float64, requires_grad=True)
    op.apply(x).sum().backward()
    assert id(x.grad.data) == computed[0]
    op.apply(x).sum().backward()  # the second one accumulates into the first
    np.testing.assert_array_equal(x.grad.data, [6.0, 6.0])


# --- accumulation, retain_graph, freeing ------------------------------------------------------


def test_gradients_accumulate_across_backward_calls():
    x, tx = pair([0.5, -1.5, 2.0])
    w, tw = pair([2.0, 3.0, -1.0])
    (x * w * x).sum().backward()
    (x * w + w).sum().backward()
    (tx * tw * tx).sum().backward()
    (tx * tw + tw).sum().backward()
    close(x.grad, tx.grad)
    close(w.grad, tw.grad)


def test_a_leaf_used_several_times_sums_its_uses():
    x, tx = pair([0.5, -1.5, 2.0])
    y = x * x + x / (x + 3) - x
    ty = tx * tx + tx / (tx + 3) - tx
    y.backward(np.ones(3))
    ty.backward(torch.ones(3, dtype=torch.float64))
    close(x.grad, tx.grad)


def test_retain_graph_allows_second_backward_and_grads_double():
    x, tx = pair([0.5, -1.5, 2.0])
    y = (x * x * x).sum()
    ty = (tx * tx * tx).sum()
    y.backward(retain_graph=True)
    ty.backward(retain_graph=True)
    close(x.grad, tx.grad)
    first = x.grad.data.copy()
    y.backward()
    ty.backward()
    close(x.grad, tx.grad)
    np.testing.assert_allclose(x.grad.data, 2 * first, rtol=RTOL)


def test_second_backward_without_retain_graph_raises():
    x, tx = pair([0.5, -1.5, 2.0])
    y = (x * x).sum()
    ty = (tx * tx).sum()
    y.backward()
    ty.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        ty.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward()


def test_backward_frees_intermediates_and_saved_arrays_by_refcount(gc_off):
    x = cr.tensor(np.linspace(-1, 1, 6).reshape(2, 3), dtype=cr.float64, requires_grad=True)
    w = cr.tensor(np.linspace(0.5, 2, 6).reshape(2, 3), dtype=cr.float64, requires_grad=True)
    h = x * w
    t = cr.tanh(h)
    z = t * t
    y = z.sum()
    nodes = (h, t, z)
    saved = [a for n in nodes for a in n.grad_fn.saved_tensors if isinstance(a, np.ndarray)]
    assert any(a is t.data for a in saved)
    refs = [weakref.ref(n) for n in nodes] + [weakref.ref(n.data) for n in nodes]
    refs += [weakref.ref(n.grad_fn) for n in nodes]
    refs += [weakref.ref(a) for a in saved if a is not x.data and a is not w.data]
    expected = 2 * t.data * (1 - t.data**2) * w.data
    del h, t, z, nodes, saved
    assert all(r() is not None for r in refs)  # y's graph still holds them
    y.backward()
    assert all(r() is None for r in refs), [r() for r in refs]
    assert y.grad_fn is not None and y.grad_fn.saved_tensors == ()
    np.testing.assert_allclose(x.grad.data, expected, rtol=RTOL)


def test_retained_graph_keeps_intermediates_alive(gc_off):
    x = cr.tensor([1.0, 2.0], dtype=cr.float64, requires_grad=True)
    h = x * 3
    y = (h * h).sum()
    refs = [weakref.ref(h), weakref.ref(h.data)]
    del h
    y.backward(retain_graph=True)
    assert all(r() is not None for r in refs)
    y.backward()
    assert all(r() is None for r in refs)


def test_graph_dies_with_its_root_without_backward(gc_off):
    x = cr.tensor([1.0, 2.0], dtype=cr.float64, requires_grad=True)
    h = x * 3
    y = (h * h).sum()
    refs = [weakref.ref(h), weakref.ref(h.data), weakref.ref(y.grad_fn)]
    del h, y
    assert all(r() is None for r in refs)


def test_intermediate_grad_is_not_kept_without_retain_grad():
    x, tx = pair([1.0, 2.0])
    h, th = x * 3, tx * 3
    (h * h).sum().backward()
    assert h.grad is None
    assert h.is_leaf is th.is_leaf is False


def test_retain_grad_keeps_intermediate_grad_like_torch():
    x, tx = pair([0.5, -1.0, 2.0])
    h, th = x * x, tx * tx
    h.retain_grad()
    th.retain_grad()
    assert h.retains_grad and th.retains_grad
    ((h * x + h) * h).sum().backward()
    ((th * tx + th) * th).sum().backward()
    close(h.grad, th.grad)
    close(x.grad, tx.grad)
    assert h.grad.requires_grad is False


def test_retain_grad_on_a_leaf_is_a_no_op():
    x, tx = pair([1.0, 2.0])
    x.retain_grad()
    tx.retain_grad()
    assert x.retains_grad is tx.retains_grad is False


# --- leaves, requires_grad, detach ------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.bool_])
def test_integer_tensors_cannot_require_grad(dtype):
    message = "Only Tensors of floating point and complex dtype can require gradients"
    with pytest.raises(RuntimeError, match=message):
        torch.tensor(np.array([1, 0], dtype=dtype), requires_grad=True)
    with pytest.raises(RuntimeError, match=message):
        cr.tensor(np.array([1, 0], dtype=dtype), requires_grad=True)
    t = cr.tensor(np.array([1, 0], dtype=dtype))
    with pytest.raises(RuntimeError, match=message):
        t.requires_grad_()
    with pytest.raises(RuntimeError, match=message):
        t.requires_grad = True
    assert t.requires_grad is False


def test_python_ints_cannot_require_grad():
    with pytest.raises(RuntimeError, match="floating point"):
        cr.tensor([1, 2], requires_grad=True)


def test_requires_grad_():
    x, tx = pair([1.0, 2.0], requires_grad=False)
    assert x.requires_grad_() is x and tx.requires_grad_() is tx
    assert x.requires_grad and x.is_leaf
    y = x * 2
    assert y.requires_grad and not y.is_leaf
    assert x.requires_grad_(False) is x and not x.requires_grad
    with pytest.raises(RuntimeError, match="leaf"):
        (tx * 2).requires_grad_(False)
    with pytest.raises(RuntimeError, match="leaf"):
        y.requires_grad_(False)
    assert y.requires_grad_(True) is y  # allowed on a non-leaf, as in torch


def test_detach_shares_data_and_has_no_graph():
    x, tx = pair([1.0, 2.0, 3.0])
    h, th = x * 2, tx * 2
    d, td = h.detach(), th.detach()
    assert d.requires_grad is td.requires_grad is False
    assert d.grad_fn is None and d.is_leaf and td.is_leaf
    assert np.shares_memory(d.data, h.data)
    d.data[0] = 100.0
    td[0] = 100.0
    assert h.data[0] == 100.0 and th[0].item() == 100.0
    y = (d * x).sum()
    ty = (td * tx).sum()
    y.backward()
    ty.backward()
    close(x.grad, tx.grad)


def test_is_leaf():
    x, tx = pair([1.0])
    c, tc = pair([1.0], requires_grad=False)
    assert x.is_leaf and c.is_leaf and tx.is_leaf and tc.is_leaf
    assert (x * c).is_leaf is (tx * tc).is_leaf is False
    assert (c * c).is_leaf is (tc * tc).is_leaf is True
    with cr.no_grad():
        assert (x * c).is_leaf


def test_only_tensors_requiring_grad_get_grad():
    x, tx = pair([1.0, 2.0])
    c, tc = pair([3.0, 4.0], requires_grad=False)
    (x * c).sum().backward()
    (tx * tc).sum().backward()
    assert c.grad is None and tc.grad is None
    close(x.grad, tx.grad)


# --- deep graphs -------------------------------------------------------------------------


def test_backward_through_200k_deep_chain_without_recursion(gc_off):
    depth = 200_000
    x = cr.tensor(1.0, dtype=cr.float64, requires_grad=True)
    y = x
    for _ in range(depth):
        y = y * 1.0001
    y.backward(retain_graph=True)
    assert math.isclose(x.grad.item(), 1.0001**depth, rel_tol=1e-9)
    ref = weakref.ref(y.grad_fn)
    del y  # the retained graph is freed by refcounting, without overflowing the C stack
    assert ref() is None


# --- makemore's update and NumPy interop ----------------------------------------------------


def test_data_update_in_place_like_makemore():
    p, tp = pair(np.linspace(-1, 1, 6).reshape(2, 3))
    (p * p * p).sum().backward()
    (tp * tp * tp).sum().backward()
    array = p.data
    lr = 0.1
    p.data += -lr * p.grad
    tp.data += -lr * tp.grad
    assert p.data is array
    assert type(p.data) is np.ndarray and p.data.dtype == np.float64
    close(p, tp)
    assert p.requires_grad and p.is_leaf and p.grad_fn is None


def test_data_update_keeps_float32():
    p = cr.tensor(np.ones(4, dtype=np.float32), requires_grad=True)
    (p * p).sum().backward()
    array = p.data
    p.data += -0.01 * p.grad
    assert p.data is array and p.data.dtype == np.float32
    np.testing.assert_allclose(p.data, 0.98, rtol=1e-6)


def test_in_place_update_under_no_grad_like_torch():
    p, tp = pair([1.0, -2.0, 3.0])
    (p * p).sum().backward()
    (tp * tp).sum().backward()
    before, tbefore, array = p, tp, p.data
    with cr.no_grad():
        p -= 0.1 * p.grad
    with torch.no_grad():
        tp -= 0.1 * tp.grad
    assert tp is tbefore and tp.requires_grad and tp.is_leaf
    assert p is before, "p -= ... under no_grad must update the parameter itself"
    assert p.data is array and p.requires_grad and p.is_leaf
    close(p, tp)


def test_in_place_op_on_leaf_requiring_grad_raises_like_torch():
    p, tp = pair([1.0, 2.0])
    message = "a leaf Variable that requires grad is being used in an in-place operation"
    with pytest.raises(RuntimeError, match=message):
        tp += 1
    with pytest.raises(RuntimeError, match=message):
        p += 1


def test_numpy_array_with_tensor_gives_tensor_in_graph():
    x = cr.tensor([1.0, 2.0, 4.0], dtype=cr.float64, requires_grad=True)
    a = np.array([3.0, 5.0, 7.0])
    results = [a + x, a - x, a * x, a / x, x + a, x - a]
    for r in results:
        assert isinstance(r, cr.Tensor) and r.requires_grad and r.grad_fn is not None
    np.testing.assert_allclose(results[1].data, a - x.data)  # operand order is kept
    np.testing.assert_allclose(results[3].data, a / x.data)
    sum(r for r in results[:4]).backward(np.ones(3))
    expected = 1 - 1 + a - a / x.data**2
    np.testing.assert_allclose(x.grad.data, expected, rtol=RTOL)


def test_np_asarray_of_tensor_shares_data():
    x = cr.tensor([1.0, 2.0])
    assert np.shares_memory(np.asarray(x), x.data)


# --- dtypes ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("left", "right"),
    [
        (np.float32, np.float64),
        (np.float64, np.float32),
        (np.int64, np.float32),
        (np.float32, np.int64),
        (np.int64, np.float64),
    ],
)
def test_mixed_dtype_promotion_like_torch(left, right):
    a, ta = pair([1.0, 2.0], dtype=left, requires_grad=False)
    b, tb = pair([3.0, 4.0], dtype=right, requires_grad=False)
    for op in (lambda u, v: u + v, lambda u, v: u * v, lambda u, v: u - v):
        ours, theirs = op(a, b), op(ta, tb)
        assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch.")


def test_mixed_float_grads_keep_each_leafs_dtype():
    a, ta = pair([1.0, 2.0], dtype=np.float32)
    b, tb = pair([3.0, 4.0], dtype=np.float64)
    y, ty = a * b, ta * tb
    assert y.dtype == cr.float64 and ty.dtype == torch.float64
    y.sum().backward()
    ty.sum().backward()
    assert a.grad.dtype == cr.float32 and b.grad.dtype == cr.float64
    close(a.grad, ta.grad)
    close(b.grad, tb.grad)


@pytest.mark.parametrize("scalar", [2, 2.5, True])
def test_python_scalars_keep_tensor_dtype(scalar):
    for dtype in (np.float32, np.float64):
        x, tx = pair([1.0, 2.0], dtype=dtype)
        assert str((x * scalar).dtype) == str((tx * scalar).dtype).removeprefix("torch.")
        assert str((scalar + x).dtype) == str((scalar + tx).dtype).removeprefix("torch.")
    i, ti = pair([1, 2], dtype=np.int64, requires_grad=False)
    assert str((i * scalar).dtype) == str((ti * scalar).dtype).removeprefix("torch.")
    for ours, theirs in ((i ** scalar, ti ** scalar), (scalar ** i, scalar ** ti)):
        assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch.")
        np.testing.assert_array_equal(ours.data, theirs.numpy())


# --- custom Functions ---------------------------------------------------------------------


class Swish(cr.Function):
    """out = x * sigmoid(x);  d/dx = s + x * s * (1 - s)."""

    @staticmethod
    def forward(ctx, x):
        s = 1.0 / (1.0 + np.exp(-x))
        ctx.save_for_backward(x, s)
        return x * s

    @staticmethod
    def backward(ctx, grad):
        x, s = ctx.saved_tensors
        return grad * (s + x * s * (1 - s))


class ScaledSwish(cr.Function):
    """out = x * sigmoid(beta * x) * scale (scale a Python number, not differentiated)."""

    @staticmethod
    def forward(ctx, x, beta, scale):
        s = 1.0 / (1.0 + np.exp(-beta * x))
        ctx.save_for_backward(x, beta, s)
        ctx.scale = scale
        return x * s * scale

    @staticmethod
    def backward(ctx, grad):
        x, beta, s = ctx.saved_tensors
        needs_x, needs_beta, needs_scale = ctx.needs_input_grad
        assert needs_scale is False
        ds = s * (1 - s)
        grad_x = grad * ctx.scale * (s + x * beta * ds) if needs_x else None
        grad_beta = grad * ctx.scale * x * x * ds if needs_beta else None
        return grad_x, grad_beta, None


def test_custom_function_matches_torch_and_passes_gradcheck():
    data = np.linspace(-3, 3, 12).reshape(3, 4)
    x, tx = pair(data)
    y = Swish.apply(x)
    ty = tx * torch.sigmoid(tx)
    close(y, ty)
    assert y.requires_grad and isinstance(y.grad_fn, Swish)
    seed = np.cos(data)
    y.backward(seed)
    ty.backward(torch.tensor(seed))
    close(x.grad, tx.grad)
    assert gradcheck(Swish.apply, [cr.tensor(data, dtype=cr.float64, requires_grad=True)])


def test_custom_function_with_several_inputs_and_a_number():
    x, tx = pair(np.linspace(-2, 2, 5))
    beta, tbeta = pair(1.7)
    y = ScaledSwish.apply(x, beta, 0.5)
    ty = tx * torch.sigmoid(tbeta * tx) * 0.5
    close(y, ty)
    (y * y).sum().backward()
    (ty * ty).sum().backward()
    close(x.grad, tx.grad)
    close(beta.grad, tbeta.grad)
    x2 = cr.tensor(np.linspace(-2, 2, 5), dtype=cr.float64, requires_grad=True)
    b2 = cr.tensor(0.8, dtype=cr.float64, requires_grad=True)
    assert gradcheck(lambda a, b: ScaledSwish.apply(a, b, 0.5), [x2, b2])


def test_custom_function_needs_input_grad():
    seen = []

    class Probe(cr.Function):
        @staticmethod
        def forward(ctx, a, b):
            seen.append(ctx.needs_input_grad)
            return a * b

        @staticmethod
        def backward(ctx, grad):
            return grad, grad

    x = cr.tensor([1.0], requires_grad=True)
    c = cr.tensor([2.0])
    Probe.apply(x, c)
    Probe.apply(c, x)
    Probe.apply(x, 3.0)
    with cr.no_grad():
        Probe.apply(x, x)
    assert seen == [(True, False), (False, True), (True, False), (False, False)]


def test_custom_function_without_grad_inputs_builds_no_graph():
    x = cr.tensor([1.0, 2.0], dtype=cr.float64)
    y = Swish.apply(x)
    assert y.requires_grad is False and y.grad_fn is None


def test_custom_backward_with_wrong_number_of_gradients_raises():
    class TwoGrads(cr.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return grad, grad

    x = cr.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="incorrect number of gradients") as info:
        TwoGrads.apply(x).sum().backward()
    assert "TwoGrads" in str(info.value)
    assert "expected 1" in str(info.value) and "got 2" in str(info.value)


def test_custom_backward_with_incompatible_gradient_shape_raises():
    class BadShape(cr.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return grad[:, :2]

    x = cr.tensor(np.ones((2, 3)), requires_grad=True)
    with pytest.raises(RuntimeError) as info:
        BadShape.apply(x).backward(np.ones((2, 3)))
    message = str(info.value)
    assert "(2, 2)" in message and "(2, 3)" in message


class BroadcastAdd(cr.Function):
    """out = a + b (broadcast); the gradients are returned in the broadcast shape."""

    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, grad):
        return grad, grad


class BroadcastMul(cr.Function):
    """out = a * b (broadcast); d/da = b, d/db = a, in the broadcast shape."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return grad * b, grad * a


def _check_unbroadcast(shape_a, shape_b, seed=0):
    rng = np.random.default_rng(seed)
    a_data, b_data = rng.normal(size=shape_a), rng.normal(size=shape_b)
    for fn, torch_fn in (
        (BroadcastAdd.apply, torch.add),
        (BroadcastMul.apply, torch.mul),
        (lambda u, v: u * v, torch.mul),
        (lambda u, v: u + v, torch.add),
    ):
        a, ta = pair(a_data)
        b, tb = pair(b_data)
        y, ty = fn(a, b), torch_fn(ta, tb)
        assert y.shape == tuple(ty.shape)
        close(y, ty)
        g = rng.normal(size=tuple(ty.shape))
        y.backward(g)
        ty.backward(torch.tensor(g))
        assert a.grad.shape == shape_a and b.grad.shape == shape_b
        close(a.grad, ta.grad)
        close(b.grad, tb.grad)


@pytest.mark.parametrize(
    ("shape_a", "shape_b"),
    [((3, 1), (1, 4)), ((5,), (2, 3, 5)), ((), (2, 2)), ((2, 2), ()), ((2, 1, 3), (4, 1))],
)
def test_backward_in_broadcast_shape_is_summed_back(shape_a, shape_b):
    _check_unbroadcast(shape_a, shape_b)


@settings(max_examples=30, deadline=None)
@given(
    shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, max_side=3),
    seed=st.integers(0, 2**16),
)
def test_backward_in_broadcast_shape_is_summed_back_hypothesis(shapes, seed):
    shape_a, shape_b = shapes.input_shapes
    _check_unbroadcast(shape_a, shape_b, seed)


def test_custom_function_in_a_retained_graph_twice():
    x, tx = pair([0.3, -0.7])
    y = Swish.apply(x).sum()
    y.backward(retain_graph=True)
    y.backward()
    ty = (tx * torch.sigmoid(tx)).sum()
    ty.backward(retain_graph=True)
    ty.backward()
    close(x.grad, tx.grad)


# --- backward(inputs=...), create_graph ---------------------------------------------------


def _two_leaves():
    (a, ta), (b, tb) = pair([1.0, 2.0]), pair([3.0, -4.0])
    return a, b, ta, tb


@pytest.mark.parametrize("pick", [lambda a, b: [a], lambda a, b: b, lambda a, b: (a, b)])
def test_backward_inputs_limit_the_grads_written_like_torch(pick):
    a, b, ta, tb = _two_leaves()
    (a * b * b).sum().backward(inputs=pick(a, b))
    (ta * tb * tb).sum().backward(inputs=pick(ta, tb))
    for ours, theirs in ((a, ta), (b, tb)):
        assert (ours.grad is None) == (theirs.grad is None)
        if ours.grad is not None:
            close(ours.grad, theirs.grad)


def test_backward_inputs_may_name_an_intermediate_tensor():
    a, b, ta, tb = _two_leaves()
    m, tm = a * b, ta * tb
    (m * m).sum().backward(inputs=[m, b])
    (tm * tm).sum().backward(inputs=[tm, tb])
    close(m.grad, tm.grad)
    close(b.grad, tb.grad)
    assert a.grad is None and ta.grad is None


def test_backward_inputs_errors():
    a, b, _, _ = _two_leaves()
    with pytest.raises(RuntimeError, match="cannot be empty"):
        (a * b).sum().backward(inputs=[])
    with pytest.raises(RuntimeError, match="requires grad"):
        (a * b).sum().backward(inputs=[cr.tensor([1.0, 2.0])])
    with pytest.raises(RuntimeError, match="create_graph=True"):
        (a * b).sum().backward(create_graph=True)


def test_backward_signature_is_torchs():
    ours = list(inspect.signature(cr.Tensor.backward).parameters)
    assert ours == list(inspect.signature(torch.Tensor.backward).parameters)


def test_split_method_takes_torchs_keyword():
    x, tx = pair(np.arange(10.0))
    for ours, theirs in zip(x.split(split_size=4), tx.split(split_size=4)):
        close(ours, theirs)
