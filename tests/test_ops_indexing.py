"""Indexing (getitem, setitem, select, narrow, gather, index_select) against PyTorch in float64."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import chainrule as cr
from chainrule.autograd import gradcheck
from chainrule.ops.indexing import scatter_add_rows

RNG = np.random.default_rng(1234)


def leaves(array: np.ndarray, dtype=np.float64) -> tuple[cr.Tensor, torch.Tensor]:
    a = np.asarray(array, dtype=dtype)
    return cr.Tensor(a.copy(), requires_grad=True), torch.tensor(a.copy(), requires_grad=True)


def check_against_torch(fn, shape, dtype=np.float64, seed=0):
    """fn(x, T) indexes x with indices built by T (cr.Tensor or torch.tensor); compare the
    forward values and the gradient for a random upstream gradient."""
    rng = np.random.default_rng(seed)
    x, tx = leaves(rng.standard_normal(shape), dtype)
    out, tout = fn(x, cr.Tensor), fn(tx, torch.tensor)
    assert out.shape == tuple(tout.shape)
    np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=1e-10, atol=0)
    seed_grad = rng.standard_normal(out.shape).astype(dtype)
    out.backward(seed_grad)
    tout.backward(torch.tensor(seed_grad))
    np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), rtol=1e-10, atol=1e-12)
    return out, x


X_EMB = RNG.integers(0, 27, (32, 3))
X_EMB[0] = X_EMB[1]  # make sure rows repeat
Y = RNG.integers(0, 27, 32)
IDX = np.array([3, 0, 3, 1, 3])
MASK5 = np.array([True, False, True, True, False])
MASK54 = RNG.random((5, 4)) > 0.5

# (name, input shape, index built from T = cr.Tensor or torch.tensor)
CASES = [
    ("int", (5, 4), lambda T: 2),
    ("negative int", (5, 4), lambda T: -1),
    ("slice", (5, 4), lambda T: slice(1, 4)),
    ("slice with step", (7, 3), lambda T: slice(None, None, 2)),
    ("x[:, 1:3]", (5, 4), lambda T: (slice(None), slice(1, 3))),
    ("x[..., 0]", (3, 4, 2), lambda T: (Ellipsis, 0)),
    ("x[None]", (5, 4), lambda T: None),
    ("None, int, None, :", (5, 4), lambda T: (None, 1, None, slice(None))),
    ("step slice and int", (5, 4), lambda T: (slice(0, 5, 2), -1)),
    ("0-d int tensor", (5, 4), lambda T: T(np.array(2))),
    ("list with repeats C[[0, 0, 1]]", (27, 10), lambda T: [0, 0, 1]),
    ("negative list", (5, 4), lambda T: [-1, 0, -1, -5]),
    ("C[X] embedding lookup", (27, 10), lambda T: T(X_EMB)),
    ("C[X] negative tensor", (27, 10), lambda T: T(np.array([[-1, 3], [-27, 0], [-1, -1]]))),
    ("numpy int array", (5, 4), lambda T: np.array([1, 1, 4])),
    ("empty list", (5, 4), lambda T: []),
    ("bool mask", (5, 4), lambda T: T(MASK5)),
    ("2-d bool mask", (5, 4), lambda T: T(MASK54)),
    ("bool list", (5, 4), lambda T: [True, False, False, True, True]),
    ("python bool", (5, 4), lambda T: True),
    ("logits[range(n), y]", (32, 27), lambda T: (range(32), T(Y))),
    ("logits[arange(n), y]", (32, 27), lambda T: (T(np.arange(32)), T(Y))),
    ("pairs with repeats", (5, 4), lambda T: ([0, 0, 2, 0], [1, 1, 3, -3])),
    ("2-d arrays on two leading dims", (5, 4, 3),
     lambda T: (T(IDX.reshape(1, 5)), T(IDX[:, None] % 4))),
    ("broadcast arrays", (3, 4), lambda T: (T(np.array([[0], [2]])), T(np.array([0, 3, 3])))),
    ("array then ...", (4, 3, 2), lambda T: (T(IDX % 4), Ellipsis)),
    ("array then :", (4, 3, 2), lambda T: (T(IDX % 4), slice(None), slice(None))),
    ("array then slice", (5, 4), lambda T: (T(IDX), slice(1, 3))),
    ("slice then list x[:, idx]", (5, 4), lambda T: (slice(None), [0, 2, 2])),
    ("..., list", (3, 4, 2), lambda T: (Ellipsis, [1, 1, 0])),
    ("arrays split by a slice", (3, 4, 2), lambda T: ([0, 1, 0], slice(None), [1, 0, 1])),
    ("None then array", (5, 4), lambda T: (None, T(IDX))),
    ("mask and int list", (5, 4), lambda T: (T(MASK5), [0, 3, 3])),
    ("int and array", (5, 4, 3), lambda T: (2, T(np.array([0, 3, 3])))),
]


@pytest.mark.parametrize("name, shape, index", CASES, ids=[c[0] for c in CASES])
def test_getitem_matches_torch(name, shape, index):
    check_against_torch(lambda x, T: x[index(T)], shape)


@pytest.mark.parametrize("name, shape, index", CASES, ids=[c[0] for c in CASES])
def test_getitem_keeps_float32(name, shape, index):
    x = cr.Tensor(RNG.standard_normal(shape).astype(np.float32), requires_grad=True)
    out = x[index(cr.Tensor)]
    assert out.dtype == cr.float32
    out.backward(np.ones(out.shape, np.float32))
    assert x.grad.dtype == cr.float32


GRADCHECK_CASES = [
    ("int", lambda: 1),
    ("cols", lambda: (slice(None), slice(1, 3))),
    ("ellipsis", lambda: (Ellipsis, 0)),
    ("repeats", lambda: [0, 0, 1, -1]),
    ("embedding", lambda: cr.Tensor(np.array([[0, 2], [2, 2], [3, 0]]))),
    ("mask", lambda: cr.Tensor(np.array([True, False, True, True]))),
    ("pairs", lambda: (range(3), cr.Tensor(np.array([1, 1, 0])))),
    ("general", lambda: (slice(None), [2, 2, 0])),
]


@pytest.mark.parametrize("name, index", GRADCHECK_CASES, ids=[c[0] for c in GRADCHECK_CASES])
def test_getitem_gradcheck(name, index):
    x = cr.Tensor(RNG.standard_normal((4, 3)), requires_grad=True)
    assert gradcheck(lambda t: t[index()], (x,))


def test_embedding_rows_accumulate():
    C, tC = leaves(RNG.standard_normal((27, 10)))
    out = C[cr.Tensor(X_EMB)]
    assert out.shape == (32, 3, 10)
    out.backward(np.ones(out.shape))
    counts = np.bincount(X_EMB.ravel(), minlength=27)
    np.testing.assert_array_equal(C.grad.data, np.repeat(counts[:, None], 10, axis=1))
    assert counts.max() > 1


@pytest.mark.parametrize("shape, index_shape, dtype", [
    ((1000, 64), (4096, 3), np.float32),
    ((27, 10), (32, 3), np.float64),
    ((50, 4, 3), (300,), np.float64),
    ((7,), (100, 2), np.float32),
])
def test_fast_scatter_equals_add_at(shape, index_shape, dtype):
    rng = np.random.default_rng(7)
    index = rng.integers(-shape[0], shape[0], index_shape)
    grad = rng.standard_normal(index_shape + shape[1:]).astype(dtype)
    expected = np.zeros(shape, dtype)
    np.add.at(expected, index, grad)
    got = scatter_add_rows(index, grad, shape)
    assert got.dtype == dtype
    np.testing.assert_allclose(got, expected, rtol=1e-5 if dtype == np.float32 else 1e-12,
                               atol=1e-4 if dtype == np.float32 else 1e-12)


def test_fast_paths_equal_add_at_through_tensors():
    rng = np.random.default_rng(3)
    C = cr.Tensor(rng.standard_normal((200, 16)), requires_grad=True)
    X = rng.integers(-200, 200, (512, 4))
    g = rng.standard_normal((512, 4, 16))
    C[cr.Tensor(X)].backward(g)
    expected = np.zeros((200, 16))
    np.add.at(expected, X, g)
    np.testing.assert_allclose(C.grad.data, expected, rtol=1e-12, atol=1e-12)

    L = cr.Tensor(rng.standard_normal((300, 50)), requires_grad=True)
    rows, cols = rng.integers(0, 300, 1000), rng.integers(-50, 50, 1000)
    g = rng.standard_normal(1000)
    L[rows, cr.Tensor(cols)].backward(g)
    expected = np.zeros((300, 50))
    np.add.at(expected, (rows, cols), g)
    np.testing.assert_allclose(L.grad.data, expected, rtol=1e-12, atol=1e-12)


def test_gradient_flows_to_the_right_function():
    x = cr.Tensor(np.zeros((5, 4)), requires_grad=True)
    assert type(x[1:3].grad_fn).__name__ == "Index"
    assert type(x[cr.Tensor(IDX)].grad_fn).__name__ == "IndexRows"
    assert type(x[range(3), [0, 1, 2]].grad_fn).__name__ == "IndexRows"
    assert type(x[:, [0, 0]].grad_fn).__name__ == "IndexAdd"
    assert type(x[cr.Tensor(MASK5)].grad_fn).__name__ == "Index"


def test_basic_index_is_a_view():
    x = cr.Tensor(np.arange(12.0).reshape(3, 4))
    row = x[1]
    row[0] = 100.0
    assert x.data[1, 0] == 100.0


def test_iteration_yields_rows():
    x = cr.Tensor(np.arange(6.0).reshape(3, 2), dtype=cr.float64, requires_grad=True)
    rows = list(x)
    assert len(rows) == 3 and all(r.shape == (2,) for r in rows)
    for r in rows:
        r.backward(np.ones(2))
    np.testing.assert_array_equal(x.grad.data, np.ones((3, 2)))
    with pytest.raises(TypeError, match="iteration over a 0-d tensor"):
        list(cr.Tensor(1.0))


# --- errors -------------------------------------------------------------------------------


def same_error(ours, theirs):
    """Our call raises PyTorch's exception type, with PyTorch's message in ours."""
    with pytest.raises(Exception) as expected:
        theirs()
    with pytest.raises(type(expected.value)) as got:
        ours()
    assert str(expected.value).splitlines()[0] in str(got.value)


ERROR_CASES = [
    ("int out of range", (27, 10), lambda T: 30),
    ("negative int out of range", (27, 10), lambda T: -28),
    ("tensor out of range", (27, 10), lambda T: T(np.array([30]))),
    ("negative tensor out of range", (27, 10), lambda T: T(np.array([-28]))),
    ("2-d tensor out of range", (27, 10), lambda T: T(np.array([[1, 2], [27, 0]]))),
    ("list out of range", (27, 10), lambda T: [30]),
    ("second dim out of range", (27, 10), lambda T: (slice(None), 10)),
    ("pair out of range", (32, 27), lambda T: (range(32), T(np.full(32, 27)))),
    ("too many indices", (27, 10), lambda T: (0, 0, 0)),
    ("float tensor index", (27, 10), lambda T: T(np.array([1.0]))),
    ("negative step", (27, 10), lambda T: slice(None, None, -1)),
    ("zero step", (27, 10), lambda T: slice(None, None, 0)),
    ("mask shape", (27, 10), lambda T: T(np.ones(3, dtype=bool))),
    ("arrays do not broadcast", (27, 10), lambda T: (T(np.array([0, 1])), T(np.array([0, 1, 2])))),
    ("float", (27, 10), lambda T: 1.5),
]


@pytest.mark.parametrize("name, shape, index", ERROR_CASES, ids=[c[0] for c in ERROR_CASES])
def test_getitem_errors_match_torch(name, shape, index):
    x, tx = cr.Tensor(np.zeros(shape)), torch.zeros(shape)
    same_error(lambda: x[index(cr.Tensor)], lambda: tx[index(torch.tensor)])


def test_index_error_names_index_and_size():
    C = cr.Tensor(np.zeros((27, 10)))
    with pytest.raises(IndexError, match=r"^index 30 is out of bounds for dimension 0 with "
                                         r"size 27$"):
        C[cr.Tensor(np.array([[1, 30]]))]


# --- setitem ------------------------------------------------------------------------------


SET_CASES = [
    ("int, number", lambda T: 0, lambda T: 5.0),
    ("row, broadcast number", lambda T: 1, lambda T: -2.0),
    ("slice, tensor", lambda T: (slice(None), slice(1, 3)), lambda T: T(np.ones((5, 2)))),
    ("broadcast row tensor", lambda T: slice(0, 2), lambda T: T(np.arange(4.0))),
    ("mask", lambda T: T(MASK5), lambda T: 7.0),
    ("index tensor", lambda T: T(np.array([4, 0])), lambda T: T(np.full((2, 4), 3.0))),
    ("pairs", lambda T: ([0, 1], [2, 3]), lambda T: T(np.array([8.0, 9.0]))),
]


@pytest.mark.parametrize("name, index, value", SET_CASES, ids=[c[0] for c in SET_CASES])
def test_setitem_matches_torch(name, index, value):
    base = RNG.standard_normal((5, 4))
    x, tx = cr.Tensor(base.copy()), torch.tensor(base.copy())
    x[index(cr.Tensor)] = value(cr.Tensor)
    tx[index(torch.tensor)] = value(torch.tensor)
    np.testing.assert_array_equal(x.data, tx.numpy())


def test_setitem_int_tensor_casts_like_torch():
    x, tx = cr.Tensor(np.zeros(3, dtype=np.int64)), torch.zeros(3, dtype=torch.long)
    x[0] = 2.7
    tx[0] = 2.7
    np.testing.assert_array_equal(x.data, tx.numpy())
    assert x.dtype == cr.int64


def test_setitem_on_leaf_requiring_grad_raises():
    w = cr.Tensor(np.zeros(3), requires_grad=True)
    tw = torch.zeros(3, requires_grad=True)
    same_error(lambda: w.__setitem__(0, 1.0), lambda: tw.__setitem__(0, 1.0))
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad is being used in an "
                                           "in-place operation."):
        w[0] = 1.0


def test_setitem_under_no_grad_writes():
    w = cr.Tensor(np.zeros(3), requires_grad=True)
    with cr.no_grad():
        w[1] = 4.0
    assert w.data[1] == 4.0 and w.requires_grad and w.is_leaf


def test_setitem_on_graph_node_is_refused():
    w = cr.Tensor(np.zeros((2, 3)), requires_grad=True)
    h = w[0]
    with pytest.raises(RuntimeError, match="in-place"):
        h[0] = 1.0


def test_setitem_value_requiring_grad_joins_the_graph():
    v, tv = leaves(RNG.standard_normal(3))
    buf, tbuf = cr.Tensor(np.zeros((2, 3))), torch.zeros((2, 3), dtype=torch.float64)
    buf[1] = v
    tbuf[1] = tv
    assert buf.requires_grad and not buf.is_leaf
    np.testing.assert_array_equal(buf.data, tbuf.detach().numpy())
    g = RNG.standard_normal((2, 3))
    buf.backward(g)
    tbuf.backward(torch.tensor(g))
    np.testing.assert_allclose(v.grad.data, tv.grad.numpy(), rtol=1e-12)


def test_setitem_broadcast_value_gradient():
    v, tv = leaves(RNG.standard_normal((1, 4)))
    buf, tbuf = cr.Tensor(np.zeros((3, 4))), torch.zeros((3, 4), dtype=torch.float64)
    buf[cr.Tensor(np.array([0, 2]))] = v
    tbuf[torch.tensor([0, 2])] = tv
    g = RNG.standard_normal((3, 4))
    buf.backward(g)
    tbuf.backward(torch.tensor(g))
    np.testing.assert_allclose(v.grad.data, tv.grad.numpy(), rtol=1e-12)


def test_setitem_gradcheck():
    def write(v):
        buf = cr.Tensor(np.zeros((3, 4)))
        buf[cr.Tensor(np.array([2, 0]))] = v
        return buf

    v = cr.Tensor(RNG.standard_normal((1, 4)), requires_grad=True)
    assert gradcheck(write, (v,))


def test_setitem_errors():
    x, tx = cr.Tensor(np.zeros(3)), torch.zeros(3)
    same_error(lambda: x.__setitem__(5, 1.0), lambda: tx.__setitem__(5, 1.0))
    with pytest.raises(RuntimeError, match=r"value tensor of shape \[2\].*shape \[1\]"):
        x[cr.Tensor(np.array([0]))] = cr.Tensor(np.ones(2))
    with pytest.raises(RuntimeError, match=r"value tensor of shape \[2\].*shape \[3\]"):
        x[:] = cr.Tensor(np.ones(2))


# --- select, narrow, gather, index_select ----------------------------------------------------


@pytest.mark.parametrize("dim, index", [(0, 1), (1, -1), (-1, 2), (2, 0)])
def test_select_matches_torch(dim, index):
    check_against_torch(lambda x, T: x.select(dim, index), (2, 3, 4))


@pytest.mark.parametrize("dim, start, length", [(0, 0, 1), (1, 1, 2), (-1, -3, 2), (1, 3, 0)])
def test_narrow_matches_torch(dim, start, length):
    check_against_torch(lambda x, T: x.narrow(dim, start, length), (2, 3, 4))


GATHER_INDEX = np.array([[0, 2, 2], [1, 1, 0]])


@pytest.mark.parametrize("dim, index", [
    (1, GATHER_INDEX),
    (0, np.array([[1, 0, 1, 1], [1, 1, 0, 0]])),
    (-1, np.array([[3], [0]])),
    (0, np.array([[1, 1]])),
])
def test_gather_matches_torch(dim, index):
    check_against_torch(lambda x, T: x.gather(dim, T(index)), (2, 4))
    check_against_torch(lambda x, T: (cr if T is cr.Tensor else torch).gather(x, dim, T(index)),
                        (2, 4))


def test_gather_gradcheck():
    x = cr.Tensor(RNG.standard_normal((2, 4)), requires_grad=True)
    assert gradcheck(lambda t: t.gather(1, cr.Tensor(GATHER_INDEX)), (x,))


@pytest.mark.parametrize("dim, index", [(0, [2, 0, 2]), (1, [3, 3]), (-1, []), (0, 1)])
def test_index_select_matches_torch(dim, index):
    idx = np.array(index, dtype=np.int64)
    check_against_torch(lambda x, T: x.index_select(dim, T(idx)), (3, 4))


def test_index_select_gradcheck():
    x = cr.Tensor(RNG.standard_normal((3, 4)), requires_grad=True)
    assert gradcheck(lambda t: cr.index_select(t, 1, cr.Tensor(np.array([3, 0, 3]))), (x,))


def test_select_narrow_gradcheck():
    x = cr.Tensor(RNG.standard_normal((3, 4)), requires_grad=True)
    assert gradcheck(lambda t: cr.select(t, 1, -1), (x,))
    assert gradcheck(lambda t: cr.narrow(t, 1, 1, 2), (x,))


OP_ERRORS = [
    ("select range", lambda m, x, T: m.select(x, 1, 3)),
    ("narrow start", lambda m, x, T: m.narrow(x, 1, 4, 0)),
    ("narrow length", lambda m, x, T: m.narrow(x, 1, 0, -1)),
    ("narrow end", lambda m, x, T: m.narrow(x, 1, 2, 2)),
    ("gather range", lambda m, x, T: m.gather(x, 1, T(np.array([[5]])))),
    ("gather negative", lambda m, x, T: m.gather(x, 1, T(np.array([[-1]])))),
    ("gather ndim", lambda m, x, T: m.gather(x, 1, T(np.array([1])))),
    ("gather size", lambda m, x, T: m.gather(x, 1, T(np.array([[1], [1], [1]])))),
    ("gather float", lambda m, x, T: m.gather(x, 1, T(np.array([[1.0]])))),
    ("index_select vector", lambda m, x, T: m.index_select(x, 1, T(np.array([[1]])))),
    ("dim out of range", lambda m, x, T: m.select(x, 2, 0)),
]


@pytest.mark.parametrize("name, call", OP_ERRORS, ids=[c[0] for c in OP_ERRORS])
def test_op_errors_match_torch(name, call):
    x, tx = cr.Tensor(np.zeros((2, 3))), torch.zeros(2, 3)
    same_error(lambda: call(cr, x, cr.Tensor), lambda: call(torch, tx, torch.tensor))


def test_index_select_out_of_range_names_index_and_size():
    x = cr.Tensor(np.zeros((2, 3)))
    for bad in (5, -1):
        with pytest.raises(RuntimeError, match=f"index {bad} is out of bounds for dimension 1 "
                                             "with size 3"):
            x.index_select(1, cr.Tensor(np.array([0, bad])))
