"""``chainrule.compile``: a replayed forward computes what the eager model computes, op for op.

Each test builds the same model twice from one seed, runs one eagerly and one compiled
on the same batches, and compares losses, gradients, parameters and buffers exactly
(the replay runs the same ops on the same arrays, so the numbers are bitwise equal);
the training trajectory is also checked against PyTorch's.
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch

import chainrule as cr
import chainrule.nn as nn
import chainrule.nn.functional as F
from chainrule.replay.tape import Tape


def _makemore(momentum: float | None = 0.1) -> nn.Module:
    cr.manual_seed(0)
    return nn.Sequential(nn.Embedding(27, 10), nn.Flatten(), nn.Linear(30, 64, bias=False),
                         nn.BatchNorm1d(64, momentum=momentum), nn.Tanh(), nn.Linear(64, 27)
                         ).double()


def _mlp(dropout: float = 0.0) -> nn.Module:
    cr.manual_seed(1)
    return nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Dropout(dropout), nn.Linear(32, 32),
                         nn.GELU(), nn.LayerNorm(32), nn.Linear(32, 5)).double()


def _char_batches(n: int, size: int = 16) -> list[tuple[cr.Tensor, cr.Tensor]]:
    rng = np.random.default_rng(2)
    return [(cr.tensor(rng.integers(0, 27, (size, 3))), cr.tensor(rng.integers(0, 27, size)))
            for _ in range(n)]


def _float_batches(n: int, size: int = 16) -> list[tuple[cr.Tensor, cr.Tensor]]:
    rng = np.random.default_rng(3)
    return [(cr.tensor(rng.standard_normal((size, 8))), cr.tensor(rng.integers(0, 5, size)))
            for _ in range(n)]


def _train(model: nn.Module, batches: list, optimizer: Callable = None) -> list[float]:
    opt = (optimizer or (lambda ps: cr.optim.SGD(ps, lr=0.1, momentum=0.9)))(
        list(model.parameters()))
    losses = []
    for X, Y in batches:
        loss = F.cross_entropy(model(X), Y)
        loss.backward()
        opt.step()
        opt.zero_grad()
        losses.append(loss.item())
    return losses


def _assert_same_state(a: nn.Module, b: nn.Module) -> None:
    state_a, state_b = a.state_dict(), b.state_dict()
    assert list(state_a) == list(state_b)
    for key in state_a:
        np.testing.assert_array_equal(state_a[key].data, state_b[key].data, err_msg=key)


def _tapes(compiled: Any) -> list[Any]:
    return list(compiled._tapes.values())


@pytest.mark.parametrize("momentum", [0.1, None])
def test_makemore_model_trains_identically_compiled_and_replays(momentum):
    eager, compiled_inner = _makemore(momentum), _makemore(momentum)
    compiled = cr.compile(compiled_inner)
    batches = _char_batches(12)
    assert _train(eager, batches) == _train(compiled, batches)
    _assert_same_state(eager, compiled_inner)
    assert int(compiled_inner[3].num_batches_tracked.item()) == 12
    assert [type(t) for t in _tapes(compiled)] == [Tape]


def test_compiled_trajectory_matches_pytorch():
    model = _makemore()
    theirs = torch.nn.Sequential(
        torch.nn.Embedding(27, 10), torch.nn.Flatten(), torch.nn.Linear(30, 64, bias=False),
        torch.nn.BatchNorm1d(64), torch.nn.Tanh(), torch.nn.Linear(64, 27)).double()
    with torch.no_grad():
        for p, q in zip(model.parameters(), theirs.parameters(), strict=True):
            q.copy_(torch.from_numpy(p.data))
    compiled = cr.compile(model)
    opt = torch.optim.Adam(theirs.parameters(), lr=0.01)
    batches = _char_batches(10)
    ours = _train(compiled, batches, lambda ps: cr.optim.Adam(ps, lr=0.01))
    for (X, Y), loss in zip(batches, ours):
        tloss = torch.nn.functional.cross_entropy(theirs(torch.from_numpy(X.data)),
                                                  torch.from_numpy(Y.data))
        tloss.backward()
        opt.step()
        opt.zero_grad()
        assert loss == pytest.approx(tloss.item(), rel=1e-10, abs=1e-12)
    for p, q in zip(model.parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=1e-9, atol=1e-12)


def test_dropout_draws_fresh_masks_in_a_replay_from_the_same_generator():
    eager, compiled_inner = _mlp(0.5), _mlp(0.5)
    compiled = cr.compile(compiled_inner)
    batches = _float_batches(6)
    cr.manual_seed(7)
    eager_losses = _train(eager, batches)
    cr.manual_seed(7)
    compiled_losses = _train(compiled, batches)
    assert eager_losses == compiled_losses
    _assert_same_state(eager, compiled_inner)
    X = batches[0][0]
    assert not np.array_equal(compiled(X).data, compiled(X).data)  # a new mask per call


def test_eval_mode_records_its_own_pass_and_switching_back_trains_again():
    eager, compiled_inner = _makemore(), _makemore()
    compiled = cr.compile(compiled_inner)
    batches = _char_batches(6)
    _train(eager, batches[:3])
    _train(compiled, batches[:3])
    eager.eval()
    compiled.eval()
    assert not compiled_inner.training
    for X, _ in batches:
        np.testing.assert_array_equal(compiled(X).data, eager(X).data)
    eager.train()
    compiled.train()
    assert _train(eager, batches[3:]) == _train(compiled, batches[3:])
    _assert_same_state(eager, compiled_inner)


def test_no_grad_replay_returns_a_tensor_without_graph():
    compiled = cr.compile(_mlp())
    X = _float_batches(1)[0][0]
    with cr.no_grad():
        first, second = compiled(X), compiled(X)
    assert not second.requires_grad and second.grad_fn is None
    np.testing.assert_array_equal(first.data, second.data)
    assert compiled(X).requires_grad


def test_gradients_reach_an_input_that_requires_grad_and_tied_weights_add_up():
    class Tied(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.layer = nn.Linear(6, 6).double()

        def forward(self, x: cr.Tensor) -> cr.Tensor:
            return self.layer(self.layer(x).tanh()) * x

    cr.manual_seed(4)
    eager = Tied()
    cr.manual_seed(4)
    compiled = cr.compile(Tied())
    rng = np.random.default_rng(5)
    for _ in range(3):
        data = rng.standard_normal((4, 6))
        x_eager, x_compiled = cr.tensor(data, requires_grad=True), cr.tensor(data,
                                                                           requires_grad=True)
        (eager(x_eager) ** 2).sum().backward()
        (compiled(x_compiled) ** 2).sum().backward()
        np.testing.assert_array_equal(x_eager.grad.data, x_compiled.grad.data)
    for p, q in zip(eager.parameters(), compiled.parameters()):
        # Over 3 calls the eager engine adds each use's gradient into .grad in turn; the
        # replay adds a call's two uses first: the same sum, associated differently.
        np.testing.assert_allclose(p.grad.data, q.grad.data, rtol=1e-14, atol=1e-14)


def test_retain_graph_lets_a_replayed_graph_run_backward_twice():
    eager, compiled = _mlp(), cr.compile(_mlp())
    X, Y = _float_batches(1)[0]
    compiled(X)
    for model in (eager, compiled):
        loss = F.cross_entropy(model(X), Y)
        loss.backward(retain_graph=True)
        loss.backward()
    for p, q in zip(eager.parameters(), compiled.parameters()):
        np.testing.assert_array_equal(p.grad.data, q.grad.data)
    loss = F.cross_entropy(compiled(X), Y)
    loss.backward()
    with pytest.raises(RuntimeError, match="second time|freed|released"):
        loss.backward()


def test_a_new_input_shape_is_recorded_on_its_own():
    eager, compiled = _mlp(), cr.compile(_mlp())
    for size in (16, 7, 16, 7):
        X, Y = _float_batches(1, size)[0]
        assert _train(eager, [(X, Y)]) == _train(compiled, [(X, Y)])
    assert len(_tapes(compiled)) == 2


@pytest.mark.parametrize("limit", [None, 3])
def test_past_the_recompile_limit_the_module_runs_eagerly_with_a_warning(limit):
    eager, compiled = _mlp(), cr.compile(_mlp(), recompile_limit=limit)
    with pytest.warns(UserWarning, match=f"more than {limit or 8} input signatures"):
        for size in range(2, (limit or 8) + 4):
            X, Y = _float_batches(1, size)[0]
            assert _train(eager, [(X, Y)]) == _train(compiled, [(X, Y)])


def test_assigning_a_new_layer_records_the_forward_again():
    eager, compiled_inner = _mlp(), _mlp()
    compiled = cr.compile(compiled_inner)
    batches = _float_batches(4)
    assert _train(eager, batches[:2]) == _train(compiled, batches[:2])
    cr.manual_seed(9)
    eager[3] = nn.Linear(32, 32).double()
    cr.manual_seed(9)
    compiled_inner[3] = nn.Linear(32, 32).double()
    assert _train(eager, batches[2:]) == _train(compiled, batches[2:])
    _assert_same_state(eager, compiled_inner)


def test_freezing_a_parameter_after_recording_stops_its_gradient():
    eager, compiled = _mlp(), cr.compile(_mlp())
    batches = _float_batches(4)
    assert _train(eager, batches[:2]) == _train(compiled, batches[:2])
    eager[0].weight.requires_grad_(False)
    compiled._orig_mod[0].weight.requires_grad_(False)
    X, Y = batches[2]
    F.cross_entropy(compiled(X), Y).backward()
    layer = compiled._orig_mod[0]
    assert layer.weight.grad is None and layer.bias.grad is not None


def test_module_to_another_dtype_is_followed():
    compiled = cr.compile(_mlp())
    X = _float_batches(1)[0][0]
    compiled(X)
    compiled.float()
    out = compiled(X.float())
    assert out.dtype == cr.float32
    np.testing.assert_array_equal(out.data, compiled._orig_mod(X.float()).data)


def test_a_hook_added_after_recording_runs():
    compiled = cr.compile(_mlp())
    X = _float_batches(1)[0][0]
    compiled(X)
    compiled(X)
    seen = []
    handle = compiled._orig_mod[0].register_forward_hook(lambda module, args, out: seen.append(out))
    with pytest.warns(UserWarning, match="forward hooks"):
        compiled(X)
    assert len(seen) == 1
    handle.remove()
    compiled(X)
    assert len(seen) == 1


class _Branching(nn.Module):
    """A forward that reads a value to choose what to compute: it cannot be replayed."""

    def __init__(self) -> None:
        super().__init__()
        self.layer = nn.Linear(3, 3).double()

    def forward(self, x: cr.Tensor) -> cr.Tensor:
        h = self.layer(x)
        return h.relu() if h.sum().item() > 0 else -h


def test_a_forward_that_branches_on_values_runs_eagerly_with_a_warning():
    model = _Branching()
    compiled = cr.compile(model)
    up, down = cr.ones(2, 3, dtype=cr.float64) * 50, cr.ones(2, 3, dtype=cr.float64) * -50
    with pytest.warns(UserWarning, match=r"item\(\) turns a tensor into a Python value"):
        compiled(up)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for x in (down, up, down):
            np.testing.assert_array_equal(compiled(x).data, model(x).data)


def test_fullgraph_raises_where_the_forward_cannot_be_replayed():
    compiled = cr.compile(_Branching(), fullgraph=True)
    with pytest.raises(RuntimeError, match=r"fullgraph=True.*item\(\)"):
        compiled(cr.ones(2, 3, dtype=cr.float64))


def _assigned(h: cr.Tensor) -> cr.Tensor:
    scale = cr.ones(2, 3, dtype=cr.float64)
    scale[0, 0] = 3.0
    return h * scale


@pytest.mark.parametrize("body, reason", [
    (lambda self, x: self.layer(x.detach() * 2), "made outside the recorded ops"),
    (lambda self, x: self.layer(x) + cr.randn(3, dtype=cr.float64), "random numbers"),
    (lambda self, x: {"out": self.layer(x)}, "returned dict"),
    (lambda self, x: self.layer(x) * (x > 2), "made outside the recorded ops"),
    (lambda self, x: F.cross_entropy(self.layer(x), cr.tensor(np.array([0, 2]))),
     "chooses its path by the values of the targets"),
    (lambda self, x: F.binary_cross_entropy(self.layer(x).sigmoid(), x / 10),
     "checks the values of its input"),
    (lambda self, x: _assigned(self.layer(x)), r"item assignment \(x\[...\] = v\)"),
    (lambda self, x: self.layer(x).masked_fill(x > 2, 0.0), "computed outside the recorded ops"),
])
def test_unreplayable_forwards_are_detected(body, reason):
    class Model(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.layer = nn.Linear(3, 3).double()

        forward = body

    model = Model()
    compiled = cr.compile(model)
    x = cr.tensor(np.arange(6.0).reshape(2, 3))
    with pytest.warns(UserWarning, match=reason):
        compiled(x)
    cr.manual_seed(0)
    expected = model(x)
    cr.manual_seed(0)
    got = compiled(x)
    if isinstance(expected, dict):
        expected, got = tuple(expected.values()), tuple(got.values())
    for e, g in zip(expected if isinstance(expected, tuple) else (expected,),
                    got if isinstance(got, tuple) else (got,)):
        np.testing.assert_array_equal(e.data, g.data)


def test_a_forward_that_assigns_attributes_runs_eagerly():
    class Counting(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.layer = nn.Linear(3, 3).double()
            self.calls = 0

        def forward(self, x: cr.Tensor) -> cr.Tensor:
            self.calls += 1
            return self.layer(x)

    model = Counting()
    compiled = cr.compile(model)
    with pytest.warns(UserWarning, match="changes module attributes"):
        compiled(cr.ones(1, 3, dtype=cr.float64))
    compiled(cr.ones(1, 3, dtype=cr.float64))
    assert model.calls == 2


def test_an_embedding_id_out_of_range_raises_in_a_replay_too():
    compiled = cr.compile(_makemore())
    X, _ = _char_batches(1)[0]
    compiled(X)
    compiled(X)
    bad = X.data.copy()
    bad[0, 0] = -1
    with pytest.raises(IndexError, match="index -1 is out of range for an embedding of 27"):
        compiled(cr.tensor(bad))


def test_a_custom_function_in_a_forward_is_replayed():
    class Cube(cr.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return 3 * x * x * grad

    class Model(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.layer = nn.Linear(3, 2).double()

        def forward(self, x: cr.Tensor) -> cr.Tensor:
            return Cube.apply(self.layer(x))

    cr.manual_seed(3)
    eager = Model()
    cr.manual_seed(3)
    compiled = cr.compile(Model())
    x = cr.tensor(np.linspace(-1, 1, 6).reshape(2, 3))
    for _ in range(3):
        eager(x).sum().backward()
        compiled(x).sum().backward()
    assert len(_tapes(compiled)) == 1 and isinstance(_tapes(compiled)[0], Tape)
    for p, q in zip(eager.parameters(), compiled.parameters()):
        np.testing.assert_array_equal(p.grad.data, q.grad.data)


def test_compile_takes_torch_compiles_signature_and_refuses_what_it_cannot_do():
    ours, theirs = inspect.signature(cr.compile), inspect.signature(torch.compile)
    assert [(p.name, p.kind, p.default) for p in ours.parameters.values()] == [
        (p.name, p.kind, p.default) for p in theirs.parameters.values()]
    model = _mlp()
    assert cr.compile(model, disable=True) is model
    assert isinstance(cr.compile()(model), cr.compile(model).__class__)
    with pytest.raises(TypeError, match="expected an nn.Module, got a function"):
        cr.compile(lambda x: x)
    with pytest.raises(ValueError, match="dynamic=True is not supported"):
        cr.compile(model, dynamic=True)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # torch.compile's own imports
def test_compiled_module_shares_parameters_and_prefixes_state_dict_keys_like_pytorch():
    model = _mlp()
    compiled = cr.compile(model)
    assert list(compiled.parameters()) == list(model.parameters())
    theirs = torch.compile(torch.nn.Sequential(torch.nn.Linear(8, 32)))
    assert list(theirs.state_dict()) == ["_orig_mod.0.weight", "_orig_mod.0.bias"]
    assert list(compiled.state_dict()) == [f"_orig_mod.{k}" for k in model.state_dict()]
    assert compiled._orig_mod is model and compiled.training is model.training


def test_non_tensor_arguments_are_part_of_the_signature_and_kwargs_run_eagerly():
    class Scaled(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.layer = nn.Linear(3, 3).double()

        def forward(self, x: cr.Tensor, scale: float, *, shift: float = 0.0) -> cr.Tensor:
            return self.layer(x) * scale + shift

    model = Scaled()
    compiled = cr.compile(model)
    x = cr.tensor(np.arange(6.0).reshape(2, 3))
    for scale in (2.0, 3.0, 2.0, 3.0):
        np.testing.assert_array_equal(compiled(x, scale).data, model(x, scale).data)
    np.testing.assert_array_equal(compiled(x, 2.0, shift=1.0).data, model(x, 2.0, shift=1.0).data)
    assert len(_tapes(compiled)) == 2


def test_a_compiled_module_inside_a_compiled_module_is_recorded_with_it():
    inner = cr.compile(_mlp())
    outer_model = nn.Sequential(inner, nn.Tanh())
    eager = nn.Sequential(_mlp(), nn.Tanh())
    outer = cr.compile(outer_model)
    batches = _float_batches(3)
    for X, _ in batches:
        np.testing.assert_array_equal(outer(X).data, eager(X).data)
    assert [type(t) for t in _tapes(outer)] == [Tape] and not _tapes(inner)


def test_an_error_while_recording_leaves_the_library_unpatched():
    from chainrule.function import Function

    applies = {name: Function.__dict__[name] for name in ("apply", "_apply1", "_apply2")}
    compiled = cr.compile(_mlp())
    with pytest.raises(RuntimeError, match=r"input of shape \(4, 9\)"):
        compiled(cr.ones(4, 9, dtype=cr.float64))  # 9 features where the model takes 8
    assert {name: Function.__dict__[name] for name in applies} == applies
    assert cr.Tensor.item.__qualname__ == "Tensor.item"
    X = _float_batches(1)[0][0]
    np.testing.assert_array_equal(compiled(X).data, compiled._orig_mod(X).data)


def test_other_threads_compute_normally_while_a_forward_is_recorded():
    import threading

    results, stop = [], threading.Event()
    a = cr.tensor(np.arange(12.0).reshape(3, 4))

    def work() -> None:
        while not stop.is_set():
            results.append(float(((a * 2).sum() + a.max()).item()))

    thread = threading.Thread(target=work)
    thread.start()
    try:
        eager, compiled = _makemore(), cr.compile(_makemore())
        batches = _char_batches(20)
        assert _train(eager, batches) == _train(compiled, batches)
    finally:
        stop.set()
        thread.join()
    assert results and set(results) == {143.0}
    assert [type(t) for t in _tapes(compiled)] == [Tape]


def test_returning_an_input_unchanged_gives_the_input_itself():
    compiled = cr.compile(nn.Identity())
    x = cr.ones(2, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert compiled(x) is x
        assert compiled(x) is x
    assert [type(t) for t in _tapes(compiled)] == [Tape]


class _Several(nn.Module):
    """A forward with several outputs, nested, one of them an input and one a constant."""

    def __init__(self) -> None:
        super().__init__()
        self.layer = nn.Linear(3, 4).double()

    def forward(self, x: cr.Tensor):
        h = self.layer(x)
        return h.tanh(), (h.sum(), x), [None, 2]


def test_several_outputs_in_tuples_and_lists_are_replayed_with_their_gradients():
    cr.manual_seed(5)
    eager = _Several()
    cr.manual_seed(5)
    compiled = cr.compile(_Several())
    for step in range(3):
        data = RNG_COMPILE.standard_normal((2, 3))
        x_eager, x_compiled = cr.tensor(data, requires_grad=True), cr.tensor(data,
                                                                           requires_grad=True)
        a, (b, c), rest = eager(x_eager)
        ca, (cb, cc), crest = compiled(x_compiled)
        assert cc is x_compiled and rest == crest == [None, 2]
        np.testing.assert_array_equal(ca.data, a.data)
        np.testing.assert_array_equal(cb.data, b.data)
        if step == 2:  # only the first output used: the others get no gradient
            (a * a).sum().backward()
            (ca * ca).sum().backward()
        else:
            ((a * a).sum() + 3 * b).backward()
            ((ca * ca).sum() + 3 * cb).backward()
        np.testing.assert_allclose(x_compiled.grad.data, x_eager.grad.data, rtol=1e-14)
    for p, q in zip(eager.parameters(), compiled.parameters()):
        np.testing.assert_allclose(q.grad.data, p.grad.data, rtol=1e-14)
    assert [type(t) for t in _tapes(compiled)] == [Tape]
    ca, (cb, _), _ = compiled(cr.tensor(RNG_COMPILE.standard_normal((2, 3))))
    loss = ca.sum() + cb
    loss.backward()
    with pytest.raises(RuntimeError, match="second time|freed|released"):
        loss.backward()


RNG_COMPILE = np.random.default_rng(71)


class _Ops(nn.Module):
    """A forward made of one group of ops, on top of a learned layer."""

    def __init__(self, body) -> None:
        super().__init__()
        self.layer = nn.Linear(4, 6).double()
        self.body = body

    def forward(self, x: cr.Tensor) -> cr.Tensor:
        return self.body(self.layer(x))


OP_BODIES = {
    "reductions": lambda h: h.sum() + h.mean(dim=0).sum() + h.var(dim=1).sum()
    + h.std() + h.max(dim=1).values.sum() + h.amax(dim=0).sum() + h.logsumexp(1).sum(),
    "softmaxes": lambda h: F.softmax(h, 1) * F.log_softmax(h, 0) + F.softmin(h, 1),
    "shapes": lambda h: h.reshape(3, 2, -1).permute(2, 0, 1).transpose(0, 1).flatten()
    .unsqueeze(0).squeeze(0).view(6, -1).t(),
    "joins": lambda h: cr.cat([h, h * 2], 1) + cr.stack([h, h], 0).sum(0).repeat(1, 2)
    + cr.cat(list(h.split(2, dim=1)), 1).tile((1, 2)),
    "indexing": lambda h: h[:, 1:4] * h[0, :3] + h[..., ::2].sum() + h.gather(
        1, cr.tensor(np.array([[0, 2], [1, 3], [5, 4]]))).sum(),
    "elementwise": lambda h: (h.exp() - h.abs().log1p() + h.clamp(-0.5, 0.5) ** 2
                              + cr.where(cr.tensor(np.eye(3, 6, dtype=bool)), h, -h)
                              + h.sigmoid() * h.tanh() / (1 + h * h)),
    "activations": lambda h: F.gelu(h) + F.silu(h) + F.elu(h) + F.leaky_relu(h, 0.2)
    + F.softplus(h) + F.mish(h) + F.hardswish(h) + F.celu(h) + F.glu(h, 1).repeat(1, 2),
    "normalisation": lambda h: F.layer_norm(h, (6,)) + F.normalize(h) + F.batch_norm(
        h, None, None, training=True),
    "products": lambda h: h @ h.t() @ h + cr.outer(h[0], h[1])[:3] + h.matmul(cr.eye(
        6, dtype=cr.float64)),
    "losses": lambda h: F.mse_loss(h, h.detach() * 0 + 1) + F.l1_loss(h, h * 0)
    + F.smooth_l1_loss(h, h * 0.5) + F.binary_cross_entropy_with_logits(h, h.sigmoid()),
    "cumulative": lambda h: h.cumsum(1) + h.flip(0) + h.roll(1, 1) + h.tril() + h.triu(1),
}


@pytest.mark.filterwarnings("ignore:compile. _Ops runs eagerly")
@pytest.mark.parametrize("name", sorted(OP_BODIES))
def test_common_ops_replay_like_eager(name):
    body = OP_BODIES[name]
    cr.manual_seed(8)
    eager = _Ops(body)
    cr.manual_seed(8)
    compiled = cr.compile(_Ops(body))
    rng = np.random.default_rng(81)
    for _ in range(3):
        data = rng.standard_normal((3, 4))
        x_eager, x_compiled = (cr.tensor(data, requires_grad=True) for _ in range(2))
        expected, got = eager(x_eager), compiled(x_compiled)
        np.testing.assert_array_equal(got.data, expected.data)
        (expected * expected).sum().backward()
        (got * got).sum().backward()
        np.testing.assert_allclose(x_compiled.grad.data, x_eager.grad.data, rtol=1e-13)
    for p, q in zip(eager.parameters(), compiled.parameters()):
        np.testing.assert_allclose(q.grad.data, p.grad.data, rtol=1e-13)
    replayed = [type(t) for t in _tapes(compiled)] == [Tape]
    assert replayed == (name not in EAGER_BODIES), name


# Bodies with an op whose wrapper computes arrays in Python (max's indices) or a tensor
# made outside the ops (detach): these run eagerly, with a warning.
EAGER_BODIES = {"reductions", "losses"}
