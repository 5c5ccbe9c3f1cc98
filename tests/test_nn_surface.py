"""The layers' full PyTorch surface: constructor and functional signatures, Embedding's
padding_idx / max_norm / scale_grad_by_freq / from_pretrained, BatchNorm1d and LayerNorm
without bias, ``device=`` and ``Module.to``'s forms, reprs, against PyTorch in float64."""

from __future__ import annotations

import inspect
import sys

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import chainrule as cr
import chainrule.nn.functional as F
from chainrule import nn

RNG = np.random.default_rng(99)


def _shape(fn):
    fn = fn.__init__ if inspect.isclass(fn) else fn
    return [(p.name, p.kind, p.default) for p in inspect.signature(fn).parameters.values()
            if p.name != "self"]


@pytest.mark.parametrize("name", ["Linear", "LayerNorm", "BatchNorm1d", "Embedding", "ReLU",
                                  "Dropout", "Flatten", "CELU", "Hardshrink", "Softshrink",
                                  "Threshold", "PReLU", "GLU", "Softmin"])
def test_layer_signature_is_pytorchs(name):
    assert _shape(getattr(nn, name)) == _shape(getattr(torch.nn, name))


@pytest.mark.parametrize("name", ["relu", "dropout", "embedding", "batch_norm", "layer_norm",
                                  "cross_entropy", "nll_loss", "mse_loss", "l1_loss",
                                  "binary_cross_entropy_with_logits", "celu", "glu", "softmin",
                                  "threshold"])
def test_functional_signature_is_pytorchs(name):
    assert _shape(getattr(F, name)) == _shape(getattr(TF, name))


def test_embedding_from_pretrained_signature_is_pytorchs():
    assert _shape(nn.Embedding.from_pretrained) == _shape(torch.nn.Embedding.from_pretrained)


def _pair_embedding(**kwargs):
    table = RNG.normal(size=(7, 3)) * 2
    ours = nn.Embedding.from_pretrained(cr.tensor(table.copy()), freeze=False, **kwargs)
    theirs = torch.nn.Embedding.from_pretrained(torch.tensor(table.copy()), freeze=False,
                                                **kwargs)
    return ours, theirs


@pytest.mark.parametrize("kwargs", [
    {"padding_idx": 2}, {"padding_idx": -1}, {"scale_grad_by_freq": True},
    {"max_norm": 1.5}, {"max_norm": 1.0, "norm_type": 1.0},
    {"padding_idx": 0, "scale_grad_by_freq": True, "max_norm": 2.0},
])
def test_embedding_options_match_pytorch(kwargs):
    ours, theirs = _pair_embedding(**kwargs)
    ids = np.array([[0, 2, 2, 5], [6, 2, 0, 1]])
    out, tout = ours(cr.tensor(ids)), theirs(torch.tensor(ids))
    np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours.weight.data, theirs.weight.detach().numpy(), rtol=1e-12)
    seed = RNG.normal(size=out.shape)
    out.backward(seed)
    tout.backward(torch.tensor(seed))
    np.testing.assert_allclose(ours.weight.grad.data, theirs.weight.grad.numpy(), rtol=1e-12,
                               atol=1e-15)
    assert repr(ours) == repr(theirs)


def test_embedding_padding_row_gets_no_gradient_through_the_functional_form():
    table = cr.tensor(RNG.normal(size=(4, 2)), requires_grad=True)
    F.embedding(cr.tensor([[3, 1, 3]]), table, padding_idx=3).sum().backward()
    np.testing.assert_array_equal(table.grad.data, [[0, 0], [1, 1], [0, 0], [0, 0]])


def test_embedding_from_pretrained_freezes_and_shares():
    table = cr.tensor(np.ones((3, 2)))
    frozen = nn.Embedding.from_pretrained(table)
    assert not frozen.weight.requires_grad
    assert np.shares_memory(frozen.weight.data, table.data)
    assert nn.Embedding.from_pretrained(table, freeze=False).weight.requires_grad
    with pytest.raises(AssertionError, match="2-dimensional"):
        nn.Embedding.from_pretrained(cr.ones(3))


def test_sparse_embedding_gradients_are_refused_by_name():
    with pytest.raises(RuntimeError, match="sparse=True"):
        nn.Embedding(5, 2, sparse=True)
    with pytest.raises(RuntimeError, match="sparse=True"):
        F.embedding(cr.tensor([1]), cr.ones(5, 2), sparse=True)


@pytest.mark.parametrize("affine", [True, False])
def test_batchnorm_without_bias_matches_pytorch(affine):
    ours = nn.BatchNorm1d(4, affine=affine, bias=False).double()
    theirs = torch.nn.BatchNorm1d(4, affine=affine, bias=False).double()
    assert ours.bias is None and (ours.weight is not None) == affine
    assert repr(ours) == repr(theirs)
    if affine:
        ours.weight.data[...] = theirs.weight.detach().numpy()[...] = RNG.normal(size=4)
    x = RNG.normal(size=(6, 4))
    xo, xt = cr.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, tout = ours(xo), theirs(xt)
    np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=1e-10, atol=1e-12)
    seed = RNG.normal(size=(6, 4))
    out.backward(seed)
    tout.backward(torch.tensor(seed))
    np.testing.assert_allclose(xo.grad.data, xt.grad.numpy(), rtol=1e-10, atol=1e-12)
    if affine:
        np.testing.assert_allclose(ours.weight.grad.data, theirs.weight.grad.numpy(),
                                   rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("kwargs", [{}, {"bias": False}, {"elementwise_affine": False}])
def test_layernorm_repr_is_pytorchs(kwargs):
    assert repr(nn.LayerNorm(4, **kwargs)) == repr(torch.nn.LayerNorm(4, **kwargs))


def test_device_cpu_and_module_to_forms():
    layer = nn.Linear(3, 2, device="cpu", dtype=cr.float64)
    assert layer.weight.device == "cpu" and layer.weight.dtype == cr.float64
    for make in (lambda: nn.LayerNorm(3, device="cpu"), lambda: nn.BatchNorm1d(3, device="cpu"),
                 lambda: nn.Embedding(3, 2, device="cpu")):
        assert all(p.device == "cpu" for p in make().parameters())
    model = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
    assert model.to("cpu", cr.float64) is model
    assert {t.dtype for t in (*model.parameters(), *model.buffers())} == {cr.float64, cr.int64}
    model.to(cr.ones(1, dtype=cr.float32))
    assert all(p.dtype == cr.float32 for p in model.parameters())
    model.to(device="cpu", dtype=cr.float64)
    assert all(p.dtype == cr.float64 for p in model.parameters())
    assert model[1].num_batches_tracked.dtype == cr.int64  # not a float: left as it is
    with pytest.raises(TypeError, match="floating point"):
        model.to(cr.int64)
    with pytest.raises(ValueError, match="unknown device 'tpu'"):
        model.to("tpu")


def test_device_cuda_without_cupy_is_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "cupy", None)
    with pytest.raises(RuntimeError, match="needs CuPy"):
        nn.Linear(2, 2, device="cuda")
    with pytest.raises(RuntimeError, match="needs CuPy"):
        nn.Linear(2, 2).to("cuda")


def test_relu_and_dropout_accept_inplace():
    x = cr.tensor([-1.0, 2.0])
    np.testing.assert_array_equal(F.relu(x, inplace=True).data, [0.0, 2.0])
    np.testing.assert_array_equal(F.dropout(x, 0.5, False, inplace=True).data, x.data)


# --- registration order and the containers' list operations --------------------------------


def _layout(model):
    return ([(name, type(m).__name__) for name, m in model.named_children()],
            [name for name, _ in model.named_parameters()])


def test_reassigning_a_parameter_or_child_keeps_its_place_like_torch():
    results = []
    for lib, wrap in ((nn, lambda t: cr.tensor(t.data.copy())), (torch.nn, lambda t: t.detach())):
        model = lib.Sequential(lib.Linear(2, 3), lib.Tanh(), lib.Linear(3, 1))
        model[0].weight = lib.Parameter(wrap(model[0].weight))
        model[1] = lib.ReLU()
        model[0].register_buffer("scale", None)
        model[0].register_buffer("scale", model[0].weight.detach(), persistent=False)
        results.append((_layout(model), list(model.state_dict())))
    assert results[0] == results[1]


def test_sequential_and_modulelist_list_operations_like_torch():
    layouts = []
    for lib in (nn, torch.nn):
        seq = lib.Sequential(lib.Linear(2, 3), lib.Tanh(), lib.Linear(3, 1))
        seq.insert(1, lib.ReLU())
        seq.insert(-1, lib.Sigmoid())
        seq.extend(lib.Sequential(lib.Tanh(), lib.ReLU()))
        popped = seq.pop(0)
        del seq[-1]
        del seq[1:3]
        seq[0] = lib.Tanh()
        items = lib.ModuleList([lib.Tanh(), lib.ReLU(), lib.Sigmoid()])
        items.insert(1, lib.Linear(1, 1))
        taken = items.pop(0)
        del items[-1]
        items[0] = lib.Tanh()
        layouts.append((_layout(seq), type(popped).__name__, _layout(items),
                        type(taken).__name__))
    assert layouts[0] == layouts[1]
    with pytest.raises(IndexError):
        nn.Sequential(nn.Tanh()).insert(5, nn.ReLU())


# --- hooks' options, lookups by path, load_state_dict(assign=...) ----------------------------


def _hook_trace(lib):
    """What the hooks of one module see and do, in order, for either library."""
    seen = []
    layer = lib.Linear(2, 2)
    layer.register_forward_hook(lambda m, args, out: seen.append("post"))
    layer.register_forward_hook(lambda m, args, out: seen.append("first"), prepend=True)
    layer.register_forward_hook(
        lambda m, args, kwargs, out: seen.append(("kw", sorted(kwargs))), with_kwargs=True)
    layer.register_forward_pre_hook(lambda m, args: seen.append("pre"))
    layer.register_forward_pre_hook(
        lambda m, args, kwargs: (tuple(a * 2 for a in args), kwargs), with_kwargs=True,
        prepend=True)
    handle = layer.register_forward_hook(lambda m, args, out: seen.append("removed"))
    handle.remove()
    ones = cr.ones(1, 2) if lib is nn else torch.ones(1, 2)
    with torch.no_grad():
        out = layer(ones)
        expected = layer.forward(ones * 2)
    return seen, np.allclose(np.asarray(out.detach()), np.asarray(expected.detach()))


def test_forward_hook_options_like_torch():
    assert _hook_trace(nn) == _hook_trace(torch.nn)
    assert _hook_trace(nn)[1]  # the kwargs pre-hook's new args reached forward


@pytest.mark.parametrize("lib", [nn, torch.nn])
def test_always_call_hooks_run_when_forward_raises(lib):
    seen = []
    layer = lib.Linear(2, 2)
    layer.register_forward_hook(lambda m, args, out: seen.append(("always", out)),
                                always_call=True)
    layer.register_forward_hook(lambda m, args, out: seen.append("plain"))
    bad = cr.ones(1, 3) if lib is nn else torch.ones(1, 3)
    with pytest.raises(RuntimeError):
        layer(bad)
    assert seen == [("always", None)]


def test_a_bad_kwargs_pre_hook_result_is_an_error():
    layer = nn.Linear(2, 2)
    layer.register_forward_pre_hook(lambda m, args, kwargs: args, with_kwargs=True)
    with pytest.raises(RuntimeError, match="new_args, new_kwargs"):
        layer(cr.ones(1, 2))


def test_get_submodule_parameter_buffer_like_torch():
    ours = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    theirs = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.BatchNorm1d(3))
    assert ours.get_submodule("") is ours and ours.get_submodule("1") is ours[1]
    assert ours.get_parameter("0.weight") is ours[0].weight
    assert ours.get_buffer("1.running_mean") is ours[1].running_mean
    for call, target in [("get_submodule", "2"), ("get_submodule", "0.weight"),
                         ("get_parameter", "1.running_var"), ("get_parameter", "0.nothing"),
                         ("get_buffer", "0.bias")]:
        with pytest.raises(AttributeError) as mine:
            getattr(ours, call)(target)
        with pytest.raises(AttributeError) as other:
            getattr(theirs, call)(target)
        assert str(mine.value) == str(other.value)


def test_load_state_dict_assign_takes_the_arrays():
    layer = nn.Linear(2, 3)
    state = {"weight": np.ones((3, 2)), "bias": np.zeros(3)}  # float64, not the layer's
    layer.load_state_dict(state, assign=True)
    assert layer.weight.dtype == cr.float64 and np.shares_memory(layer.weight.data,
                                                                  state["weight"])
    assert layer.weight.requires_grad
    copied = nn.Linear(2, 3)
    copied.load_state_dict(state)
    assert copied.weight.dtype == cr.float32 and not np.shares_memory(copied.weight.data,
                                                                      state["weight"])


def test_modules_with_and_without_duplicates():
    shared = nn.Tanh()
    model = nn.Sequential(shared, nn.Linear(1, 1), shared)
    assert len(list(model.modules())) == 3
    assert len(list(model.modules(remove_duplicate=False))) == 4
    model.half()
    assert model[1].weight.dtype == cr.float16
    model.cpu()
    assert model[1].weight.device == "cpu"


# --- ModuleDict and Unflatten ----------------------------------------------------------------


def _dict_ops(lib):
    d = lib.ModuleDict({"a": lib.Linear(1, 2), "b": lib.Tanh()})
    d["c"] = lib.ReLU()
    d.update([("a", lib.Linear(2, 3)), ("d", lib.Sigmoid())])
    popped = d.pop("b")
    del d["d"]
    return (repr(d), list(d.keys()), [type(m).__name__ for m in d.values()], "a" in d, len(d),
            list(d.state_dict()), [n for n, _ in d.named_parameters()], type(popped).__name__)


def test_module_dict_like_torch():
    assert _dict_ops(nn) == _dict_ops(torch.nn)
    d = nn.ModuleDict({"x": nn.Tanh()})
    d.clear()
    assert len(d) == 0 and list(d) == []


@pytest.mark.parametrize("dim, sizes", [(1, (2, 5)), (-1, (5, -1)), (0, [3, 1])])
def test_unflatten_like_torch(dim, sizes):
    x = RNG.normal(size=(3, 10))
    ours, theirs = nn.Unflatten(dim, sizes), torch.nn.Unflatten(dim, sizes)
    assert repr(ours) == repr(theirs)
    xo, xt = cr.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, tout = ours(xo), theirs(xt)
    assert out.shape == tuple(tout.shape)
    np.testing.assert_array_equal(out.data, tout.detach().numpy())
    out.backward(np.ones(out.shape))
    tout.backward(torch.ones(tout.shape, dtype=torch.float64))
    np.testing.assert_array_equal(xo.grad.data, xt.grad.numpy())


def test_unflatten_sizes_must_multiply_up():
    with pytest.raises(RuntimeError, match="don't multiply up"):
        nn.Unflatten(1, (3, 4))(cr.ones(2, 10))
