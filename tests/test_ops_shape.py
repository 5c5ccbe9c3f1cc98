"""Shape ops (reshape view flatten squeeze unsqueeze transpose permute expand T mT t cat stack
split chunk unbind) against PyTorch in float64."""

from __future__ import annotations

from math import prod

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import chainrule as cr
from chainrule.autograd import gradcheck

FAST = settings(max_examples=30, deadline=None)
RNG = np.random.default_rng(99)


def leaves(array: np.ndarray, dtype=np.float64) -> tuple[cr.Tensor, torch.Tensor]:
    a = np.asarray(array, dtype=dtype)
    return cr.Tensor(a.copy(), requires_grad=True), torch.tensor(a.copy(), requires_grad=True)


def check_against_torch(ours, theirs, *shapes, seed=0):
    """ours(*cr tensors) and theirs(*torch tensors): same values, and the same gradients for a
    random upstream gradient on each output (a tuple of outputs is backpropagated piece by
    piece)."""
    rng = np.random.default_rng(seed)
    pairs = [leaves(rng.standard_normal(shape)) for shape in shapes]
    outs, touts = ours(*(p[0] for p in pairs)), theirs(*(p[1] for p in pairs))
    outs = outs if isinstance(outs, tuple) else (outs,)
    touts = touts if isinstance(touts, tuple) else (touts,)
    assert len(outs) == len(touts)
    for out, tout in zip(outs, touts):
        assert out.shape == tuple(tout.shape)
        np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=1e-10, atol=0)
        g = rng.standard_normal(out.shape)
        out.backward(g)
        tout.backward(torch.tensor(g))
    for x, tx in pairs:
        if tx.grad is None:
            assert x.grad is None
        else:
            np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), rtol=1e-10, atol=1e-12)


def same_error(ours, theirs):
    """Our call raises PyTorch's exception type, with PyTorch's message in ours."""
    with pytest.raises(Exception) as expected:
        theirs()
    with pytest.raises(type(expected.value)) as got:
        ours()
    assert str(expected.value).splitlines()[0].removeprefix("torch.") in str(got.value)


shapes = st.lists(st.integers(1, 4), min_size=0, max_size=4).map(tuple)


@st.composite
def reshapes(draw):
    """A shape and another shape with as many elements (maybe with one -1)."""
    shape = draw(shapes)
    factors = []
    for n in shape:
        while n > 1:
            p = 2 if n % 2 == 0 else 3
            factors.append(p)
            n //= p
    draw(st.randoms()).shuffle(factors)
    target, current = [], 1
    for p in factors:
        current *= p
        if draw(st.booleans()):
            target.append(current)
            current = 1
    target.append(current)
    target += [1] * draw(st.integers(0, 1))
    if draw(st.booleans()):
        target[draw(st.integers(0, len(target) - 1))] = -1
    return shape, tuple(target)


@FAST
@given(reshapes())
def test_reshape_and_view_match_torch(case):
    shape, target = case
    check_against_torch(lambda x: x.reshape(target), lambda x: x.reshape(target), shape)
    check_against_torch(lambda x: x.reshape(*target), lambda x: x.reshape(*target), shape)
    check_against_torch(lambda x: cr.reshape(x, target), lambda x: torch.reshape(x, target), shape)
    check_against_torch(lambda x: x.view(*target), lambda x: x.view(*target), shape)


@FAST
@given(shapes.filter(lambda s: len(s) > 0), st.data())
def test_permute_matches_torch(shape, data):
    dims = data.draw(st.permutations(range(len(shape))))
    dims = [d - len(shape) if data.draw(st.booleans()) else d for d in dims]
    check_against_torch(lambda x: x.permute(*dims), lambda x: x.permute(*dims), shape)
    check_against_torch(lambda x: cr.permute(x, dims), lambda x: torch.permute(x, dims), shape)


@FAST
@given(shapes, st.data())
def test_transpose_matches_torch(shape, data):
    n = max(len(shape), 1)
    d0, d1 = data.draw(st.integers(-n, n - 1)), data.draw(st.integers(-n, n - 1))
    check_against_torch(lambda x: x.transpose(d0, d1), lambda x: x.transpose(d0, d1), shape)
    check_against_torch(lambda x: cr.swapaxes(x, d0, d1), lambda x: torch.swapaxes(x, d0, d1),
                        shape)


@FAST
@given(shapes, st.data())
def test_flatten_matches_torch(shape, data):
    n = max(len(shape), 1)
    start = data.draw(st.integers(-n, n - 1))
    end = data.draw(st.integers(start % n, n - 1))
    if data.draw(st.booleans()):
        end -= n
    check_against_torch(lambda x: x.flatten(start, end), lambda x: x.flatten(start, end), shape)
    check_against_torch(lambda x: cr.flatten(x), lambda x: torch.flatten(x), shape)


squeezable = st.lists(st.sampled_from([1, 1, 2, 3]), min_size=0, max_size=4).map(tuple)


@FAST
@given(squeezable, st.data())
def test_squeeze_unsqueeze_match_torch(shape, data):
    n = max(len(shape), 1)
    dim = data.draw(st.integers(-n, n - 1))
    check_against_torch(lambda x: x.squeeze(), lambda x: x.squeeze(), shape)
    check_against_torch(lambda x: x.squeeze(dim), lambda x: x.squeeze(dim), shape)
    dims = tuple(data.draw(st.sets(st.integers(0, n - 1))))
    check_against_torch(lambda x: cr.squeeze(x, dims), lambda x: torch.squeeze(x, dims), shape)
    new = data.draw(st.integers(-len(shape) - 1, len(shape)))
    check_against_torch(lambda x: x.unsqueeze(new), lambda x: x.unsqueeze(new), shape)


@FAST
@given(squeezable, st.data())
def test_expand_matches_torch(shape, data):
    target = [data.draw(st.sampled_from([1, 3])) if n == 1 else data.draw(st.sampled_from([n, -1]))
              for n in shape]
    lead = data.draw(st.lists(st.integers(1, 3), min_size=0 if shape else 1, max_size=2))
    sizes = (*lead, *target)
    check_against_torch(lambda x: x.expand(*sizes), lambda x: x.expand(*sizes), shape)
    check_against_torch(lambda x: x.expand(sizes), lambda x: x.expand(sizes), shape)


def test_expand_backward_sums_over_expanded_dims():
    x, tx = leaves(RNG.standard_normal((3, 1)))
    out = x.expand(2, 3, 4)
    g = RNG.standard_normal((2, 3, 4))
    out.backward(g)
    np.testing.assert_allclose(x.grad.data, g.sum(axis=(0, 2))[:, None], rtol=1e-12)
    check_against_torch(lambda a, b: a.expand_as(b), lambda a, b: a.expand_as(b), (3, 1), (2, 3, 4))


@FAST
@given(shapes.filter(lambda s: len(s) > 0), st.integers(1, 3), st.data())
def test_cat_matches_torch(shape, count, data):
    n = len(shape)
    dim = data.draw(st.integers(-n, n - 1))
    sizes = [data.draw(st.integers(0, 3)) for _ in range(count)]
    shapes_ = [tuple(s if d != dim % n else k for d, s in enumerate(shape)) for k in sizes]
    check_against_torch(lambda *xs: cr.cat(xs, dim), lambda *xs: torch.cat(xs, dim), *shapes_)
    check_against_torch(lambda *xs: cr.cat(list(xs), dim=dim), lambda *xs: torch.cat(xs, dim=dim),
                        *shapes_)


@FAST
@given(shapes, st.integers(1, 3), st.data())
def test_stack_matches_torch(shape, count, data):
    n = len(shape) + 1
    dim = data.draw(st.integers(-n, n - 1))
    check_against_torch(lambda *xs: cr.stack(xs, dim), lambda *xs: torch.stack(xs, dim),
                        *[shape] * count)


@pytest.mark.parametrize("ours, theirs", [
    (lambda x: x.T, lambda x: x.T),
    (lambda x: x.mT, lambda x: x.mT),
    (lambda x: x.t(), lambda x: x.t()),
    (lambda x: cr.t(x), lambda x: torch.t(x)),
    (lambda x: x.swapdims(0, 1), lambda x: x.swapdims(0, 1)),
])
def test_matrix_transposes_match_torch(ours, theirs):
    check_against_torch(ours, theirs, (3, 4))


def test_T_reverses_all_dims_and_mT_swaps_last_two():
    check_against_torch(lambda x: x.T, lambda x: x.permute(2, 1, 0), (2, 3, 4))
    check_against_torch(lambda x: x.mT, lambda x: x.mT, (2, 3, 4))
    check_against_torch(lambda x: x.T, lambda x: x, (3,))
    check_against_torch(lambda x: x.t(), lambda x: x.t(), (3,))


@pytest.mark.parametrize("size, dim", [(4, 0), ([1, 3, 0, 2], 1), (2, -1), ([6], 1), (7, 1)])
def test_split_matches_torch(size, dim):
    check_against_torch(lambda x: x.split(size, dim), lambda x: x.split(size, dim), (3, 6))
    check_against_torch(lambda x: cr.split(x, size, dim), lambda x: torch.split(x, size, dim),
                        (3, 6))


@pytest.mark.parametrize("shape, chunks, dim", [((6,), 4, 0), ((6,), 5, 0), ((3, 7), 3, 1),
                                                ((0,), 3, 0), ((2, 6), 1, -1), ((2, 3), 5, 1)])
def test_chunk_matches_torch(shape, chunks, dim):
    check_against_torch(lambda x: x.chunk(chunks, dim), lambda x: x.chunk(chunks, dim), shape)


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_unbind_matches_torch(dim):
    check_against_torch(lambda x: x.unbind(dim), lambda x: x.unbind(dim), (2, 3, 4))
    check_against_torch(lambda x: cr.unbind(x, dim), lambda x: torch.unbind(x, dim), (2, 3, 4))


def test_makemore_embedding_view():
    C, tC = leaves(RNG.standard_normal((27, 10)))
    X = RNG.integers(0, 27, (32, 3))
    emb, temb = C[cr.Tensor(X)], tC[torch.tensor(X)]
    h, th = emb.view(emb.shape[0], -1), temb.view(temb.shape[0], -1)
    assert h.shape == (32, 30)
    h2, th2 = emb.view(-1, 30), temb.view(-1, 30)
    np.testing.assert_array_equal(h.data, th.detach().numpy())
    g = RNG.standard_normal((32, 30))
    h.backward(g, retain_graph=True)
    th.backward(torch.tensor(g), retain_graph=True)
    h2.backward(g)
    th2.backward(torch.tensor(g))
    np.testing.assert_allclose(C.grad.data, tC.grad.numpy(), rtol=1e-10)


def test_views_share_memory_and_cost_no_copy():
    x = cr.Tensor(np.arange(24.0).reshape(2, 3, 4))
    for view in (x.reshape(6, 4), x.view(-1), x.flatten(), x.unsqueeze(0), x.transpose(0, 2),
                 x.permute(1, 2, 0), x.T, x[None].squeeze(0), x[:, :1].expand(2, 5, 4)):
        assert np.shares_memory(view.data, x.data)


def test_contiguous_then_view():
    x, tx = leaves(RNG.standard_normal((2, 3)))
    check_against_torch(lambda a: a.t().contiguous().view(6), lambda a: a.t().contiguous().view(6),
                        (2, 3))
    assert x.contiguous() is x


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_preserved(dtype):
    x = cr.Tensor(RNG.standard_normal((2, 3, 1)).astype(dtype), requires_grad=True)
    y = cr.Tensor(RNG.standard_normal((2, 3, 1)).astype(dtype), requires_grad=True)
    outs = [x.reshape(6), x.view(3, 2), x.flatten(), x.squeeze(), x.unsqueeze(1),
            x.transpose(0, 1), x.permute(2, 0, 1), x.expand(2, 3, 5), x.T, x.mT,
            cr.cat([x, y], 2), cr.stack([x, y]), *x.split(1, 1), *x.chunk(2), *x.unbind(1)]
    for out in outs:
        assert out.dtype == dtype
        out.backward(np.ones(out.shape, dtype))
    assert x.grad.dtype == dtype and y.grad.dtype == dtype


def test_cat_promotes_like_torch_and_skips_empty_1d():
    a = cr.Tensor(np.arange(2))
    b = cr.Tensor(np.zeros(2, dtype=np.float32), requires_grad=True)
    out = cr.cat([a, b])
    assert out.dtype == torch.cat([torch.arange(2), torch.zeros(2)]).numpy().dtype == cr.float32
    out.backward(np.ones(4, np.float32))
    assert b.grad.dtype == cr.float32
    check_against_torch(lambda e, x: cr.cat([e, x]), lambda e, x: torch.cat([e, x]), (0,), (2, 3))


GRADCHECKS = [
    ("reshape", lambda x: x.reshape(3, -1), (2, 3)),
    ("view", lambda x: x.view(6), (2, 3)),
    ("flatten", lambda x: x.flatten(1), (2, 2, 2)),
    ("squeeze", lambda x: x.squeeze(1), (2, 1, 3)),
    ("unsqueeze", lambda x: x.unsqueeze(-1), (2, 3)),
    ("transpose", lambda x: x.transpose(0, 2), (2, 1, 3)),
    ("permute", lambda x: x.permute(2, 0, 1), (2, 1, 3)),
    ("expand", lambda x: x.expand(2, 3, 2), (3, 1)),
    ("T", lambda x: x.T, (2, 3)),
    ("mT", lambda x: x.mT, (2, 2, 3)),
    ("split", lambda x: x.split([1, 2], 1), (2, 3)),
    ("chunk", lambda x: x.chunk(2), (3, 2)),
    ("unbind", lambda x: x.unbind(1), (2, 3)),
    ("t", lambda x: x.t(), (2, 3)),
    ("contiguous", lambda x: x.t().contiguous(), (2, 3)),
]


@pytest.mark.parametrize("name, fn, shape", GRADCHECKS, ids=[g[0] for g in GRADCHECKS])
def test_gradcheck(name, fn, shape):
    x = cr.Tensor(RNG.standard_normal(shape), requires_grad=True)
    assert gradcheck(fn, (x,))


def test_cat_stack_gradcheck():
    a = cr.Tensor(RNG.standard_normal((2, 3)), requires_grad=True)
    b = cr.Tensor(RNG.standard_normal((2, 1)), requires_grad=True)
    assert gradcheck(lambda p, q: cr.cat([p, q], 1), (a, b))
    assert gradcheck(lambda p, q: cr.stack([p, q[:, [0, 0, 0]]], -1), (a, b))


# --- errors -------------------------------------------------------------------------------


ERRORS = [
    ("reshape size", (6,), lambda m, x: x.reshape(4, 2)),
    ("reshape two -1", (6,), lambda m, x: x.reshape(-1, -1)),
    ("reshape -2", (6,), lambda m, x: x.reshape(-2, 3)),
    ("reshape -1 no fit", (7,), lambda m, x: x.reshape(-1, 2)),
    ("reshape ambiguous", (0,), lambda m, x: x.reshape(-1, 0)),
    ("reshape float", (6,), lambda m, x: x.reshape((2.0, 3))),
    ("view size", (6,), lambda m, x: x.view(4, 2)),
    ("view needs copy", (2, 3), lambda m, x: x.t().view(6)),
    ("flatten order", (2, 3, 4), lambda m, x: x.flatten(2, 1)),
    ("flatten range", (2, 3, 4), lambda m, x: x.flatten(0, 3)),
    ("squeeze range", (2, 1), lambda m, x: x.squeeze(2)),
    ("squeeze repeated", (2, 1), lambda m, x: x.squeeze((1, 1))),
    ("unsqueeze range", (2, 1), lambda m, x: x.unsqueeze(3)),
    ("transpose range", (2, 1), lambda m, x: x.transpose(0, 2)),
    ("permute repeated", (2, 1, 3), lambda m, x: x.permute(0, 1, 1)),
    ("permute range", (2, 1, 3), lambda m, x: x.permute(0, 1, 3)),
    ("expand size", (2, 3), lambda m, x: x.expand(2, 4)),
    ("expand leading -1", (2, 3), lambda m, x: x.expand(-1, 2, 3)),
    ("expand -2", (2, 3), lambda m, x: x.expand(2, -2)),
    ("mT of a vector", (3,), lambda m, x: x.mT),
    ("t of 3-d", (2, 3, 4), lambda m, x: x.t()),
    ("split sum", (6,), lambda m, x: x.split([2, 3])),
    ("split negative", (6,), lambda m, x: x.split(-1)),
    ("split zero", (6,), lambda m, x: x.split(0)),
    ("chunk zero", (6,), lambda m, x: x.chunk(0)),
    ("cat sizes", (2, 3), lambda m, x: m.cat([x, x[:, :2]], 0)),
    ("cat ndim", (2, 3), lambda m, x: m.cat([x, x[0]])),
    ("cat empty", (2, 3), lambda m, x: m.cat([])),
    ("cat 0-d", (), lambda m, x: m.cat([x, x])),
    ("cat dim", (2, 3), lambda m, x: m.cat([x, x], dim=2)),
    ("cat not tensors", (2,), lambda m, x: m.cat([x, [1.0, 2.0]])),
    ("stack sizes", (2, 3), lambda m, x: m.stack([x, x[:, :2]])),
    ("stack empty", (2, 3), lambda m, x: m.stack([])),
    ("stack dim", (2, 3), lambda m, x: m.stack([x], dim=3)),
]


@pytest.mark.parametrize("name, shape, call", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors_match_torch(name, shape, call):
    x, tx = cr.Tensor(np.zeros(shape)), torch.zeros(shape)
    same_error(lambda: call(cr, x), lambda: call(torch, tx))


def test_sizes_as_list_tuple_or_int_tensors():
    x = cr.Tensor(np.arange(6.0))
    two = cr.Tensor(np.array(2))
    for out in (x.reshape([2, 3]), x.reshape((2, 3)), x.view(two, -1), x.reshape(two, 3)):
        assert out.shape == (2, 3)
    assert x.view(1, 6).expand([3, 6]).shape == (3, 6)
    assert x.view(2, 3).permute([1, 0]).shape == (3, 2)


def test_permute_length_error():
    with pytest.raises(RuntimeError, match=r"input.dim\(\) = 3 is not equal to len\(dims\) = 2"):
        cr.Tensor(np.zeros((2, 1, 3))).permute(0, 1)


def test_reshape_error_is_torchs_message():
    with pytest.raises(RuntimeError, match=r"^shape '\[4, 2\]' is invalid for input of size 6$"):
        cr.Tensor(np.zeros(6)).reshape(4, 2)


def test_cat_error_names_both_shapes():
    x = cr.Tensor(np.zeros((2, 3)))
    with pytest.raises(RuntimeError, match=r"\[2, 3\] \(tensor 0\) and \[2, 2\] \(tensor 1\)"):
        cr.cat([x, x[:, :2]])
    with pytest.raises(RuntimeError, match=r"got \[2, 3\] at entry 0 and \[2, 2\] at entry 1"):
        cr.stack([x, x[:, :2]])
    with pytest.raises(TypeError, match="must be tuple of Tensors"):
        cr.cat(x)


def test_view_of_expanded_and_sizes_of_elements():
    x = cr.Tensor(np.zeros((1, 3)))
    assert x.expand(2, 3).view(2, 1, 3).shape == (2, 1, 3)
    assert prod(x.expand(4, 3).reshape(-1).shape) == 12
