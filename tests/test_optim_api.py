"""The optimizers' surface against PyTorch's: constructor defaults and validation errors,
state_dict layout and load errors, zero_grad, add_param_group and bad parameter lists."""

from __future__ import annotations

import inspect

import numpy as np
import pytest
import torch
from _optim_oracle import (
    CASES,
    autograd_gradients,
    build,
    gradients,
    make_params,
    run,
)

import chainrule as cr
import chainrule.optim as optim

NAMES = list(CASES)

def test_every_optimizer_is_exported():
    assert set(NAMES) <= set(optim.__all__)
    assert "Optimizer" in optim.__all__
    for name in NAMES:
        assert issubclass(getattr(optim, name), optim.Optimizer)


def test_closed_form_gradients_match_autograd():
    _, torch_params = make_params()
    for scale in (1.0, 0.3, -2.0):
        params = [p.detach() * scale for p in torch_params]
        for ours, ref in zip(gradients(params), autograd_gradients(params)):
            np.testing.assert_allclose(ours, ref, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", NAMES)
def test_constructor_defaults_match_torch(name):
    ours = inspect.signature(getattr(optim, name)).parameters
    theirs = inspect.signature(getattr(torch.optim, name)).parameters
    for key, parameter in ours.items():
        assert key in theirs, key
        assert parameter.default == theirs[key].default, key
        if parameter.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD:
            # Positional arguments sit where torch's do.
            assert list(ours).index(key) == list(theirs).index(key), key
    ours_params, torch_params = make_params()
    mine = getattr(optim, name)(ours_params)
    other = getattr(torch.optim, name)(torch_params)
    assert mine.defaults == other.defaults  # implementation switches (foreach, ...) included


INVALID = [
    ("SGD", {"lr": -0.1}),
    ("SGD", {"lr": 0.1, "momentum": -0.5}),
    ("SGD", {"lr": 0.1, "weight_decay": -1e-4}),
    ("SGD", {"lr": 0.1, "nesterov": True}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.1, "nesterov": True}),
    ("Adam", {"lr": -1e-3}),
    ("Adam", {"eps": -1e-8}),
    ("Adam", {"betas": (1.0, 0.999)}),
    ("Adam", {"betas": (0.9, -0.1)}),
    ("Adam", {"weight_decay": -0.01}),
    ("AdamW", {"lr": -1.0}),
    ("AdamW", {"betas": (0.9, 1.5)}),
    ("AdamW", {"weight_decay": -0.5}),
    ("NAdam", {"lr": -2e-3}),
    ("NAdam", {"eps": -1.0}),
    ("NAdam", {"betas": (-0.1, 0.9)}),
    ("NAdam", {"weight_decay": -1.0}),
    ("NAdam", {"momentum_decay": -4e-3}),
    ("RMSprop", {"lr": -0.01}),
    ("RMSprop", {"eps": -1e-8}),
    ("RMSprop", {"momentum": -0.9}),
    ("RMSprop", {"weight_decay": -1.0}),
    ("RMSprop", {"alpha": -0.99}),
    ("Adagrad", {"lr": -0.01}),
    ("Adagrad", {"lr_decay": -0.1}),
    ("Adagrad", {"weight_decay": -0.1}),
    ("Adagrad", {"initial_accumulator_value": -1.0}),
    ("Adagrad", {"eps": -1e-10}),
    ("Adadelta", {"lr": -1.0}),
    ("Adadelta", {"rho": 1.1}),
    ("Adadelta", {"rho": -0.1}),
    ("Adadelta", {"eps": -1e-6}),
    ("Adadelta", {"weight_decay": -1.0}),
]


@pytest.mark.parametrize(("name", "kwargs"), INVALID, ids=[f"{n}-{k}" for n, k in INVALID])
def test_invalid_hyperparameters_raise_torchs_errors(name, kwargs):
    ours_params, torch_params = make_params()
    with pytest.raises(ValueError) as theirs:
        getattr(torch.optim, name)(torch_params, **kwargs)
    with pytest.raises(ValueError) as ours:
        getattr(optim, name)(ours_params, **kwargs)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("name", NAMES)
def test_bad_parameter_lists(name):
    cls = getattr(optim, name)
    with pytest.raises(ValueError, match="empty parameter list"):
        cls([])
    with pytest.raises(ValueError, match="empty parameter list"):
        cls(iter([]))
    ours_params, _ = make_params()
    with pytest.raises(TypeError):
        cls(ours_params[0])  # a bare tensor, not an iterable of them
    with pytest.raises(ValueError, match="more than one parameter group"):
        cls([{"params": ours_params[:2]}, {"params": ours_params[1:]}])


@pytest.mark.parametrize("name", NAMES)
def test_state_dict_layout_matches_torch(name):
    ours_params, torch_params = make_params()
    ours, theirs = build(name, CASES[name][1], ours_params, torch_params)
    run(ours, theirs, ours_params, torch_params, steps=3)
    mine, other = ours.state_dict(), theirs.state_dict()
    assert list(mine) == list(other) == ["state", "param_groups"]
    assert sorted(mine["state"]) == sorted(other["state"]) == [0, 1, 2]
    for index, entry in other["state"].items():
        assert list(mine["state"][index]) == list(entry)
        for key, value in entry.items():
            got = mine["state"][index][key]
            if value.ndim:  # arrays are Tensors (copies); scalars like step are numbers
                assert isinstance(got, cr.Tensor)
                assert not np.shares_memory(got.data, ours.state[ours_params[index]][key])
                np.testing.assert_allclose(got.data, value.numpy(), rtol=1e-12)
            else:
                assert isinstance(got, (int, float))
                assert got == value.item()
    assert len(mine["param_groups"]) == len(other["param_groups"]) == 2
    for got, group in zip(mine["param_groups"], other["param_groups"]):
        assert got == group  # the hyperparameters and switches, and params as indices
    assert mine["param_groups"][1]["params"] == [2]


@pytest.mark.parametrize("name", NAMES)
def test_load_state_dict_rejects_a_different_layout(name):
    ours_params, _ = make_params()
    cls = getattr(optim, name)
    saved = cls([{"params": ours_params[:2]}, {"params": ours_params[2:]}]).state_dict()
    with pytest.raises(ValueError, match="parameter groups"):
        cls(ours_params).load_state_dict(saved)
    with pytest.raises(ValueError, match="parameter group"):
        cls([{"params": ours_params[:1]}, {"params": ours_params[1:]}]).load_state_dict(saved)


@pytest.mark.parametrize("name", NAMES)
def test_zero_grad(name):
    ours_params, _ = make_params()
    opt = getattr(optim, name)(ours_params)
    for p in ours_params:
        p.grad = cr.Tensor(np.ones(p.shape), dtype=cr.float64)
    grads = [p.grad for p in ours_params]
    opt.zero_grad(set_to_none=False)
    for p, g in zip(ours_params, grads):
        assert p.grad is g
        np.testing.assert_array_equal(p.grad.data, np.zeros(p.shape))
    opt.zero_grad()
    assert all(p.grad is None for p in ours_params)
    opt.zero_grad(set_to_none=False)  # no gradients: nothing to do
    assert all(p.grad is None for p in ours_params)


@pytest.mark.parametrize("name", NAMES)
def test_add_param_group_fills_defaults_and_rejects_duplicates(name):
    ours_params, _ = make_params()
    opt = getattr(optim, name)(ours_params[:2], lr=0.123)
    opt.add_param_group({"params": [ours_params[2]], "weight_decay": 0.5})
    group = opt.param_groups[1]
    assert group["lr"] == 0.123 and group["weight_decay"] == 0.5
    assert {k: v for k, v in group.items() if k not in ("params", "weight_decay")} == {
        k: v for k, v in opt.defaults.items() if k != "weight_decay"
    }
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": ours_params[0]})


def test_adagrad_creates_state_for_every_parameter_up_front():
    ours_params, torch_params = make_params()
    ours = optim.Adagrad(ours_params, initial_accumulator_value=0.25)
    theirs = torch.optim.Adagrad(torch_params, initial_accumulator_value=0.25)
    assert len(ours.state_dict()["state"]) == len(theirs.state_dict()["state"]) == 3
    for p in ours_params:
        assert ours.state[p]["step"] == 0
        np.testing.assert_array_equal(ours.state[p]["sum"], np.full(p.shape, 0.25))


def test_adamw_keeps_decoupled_weight_decay_after_loading_an_adam_state():
    ours_params, _ = make_params()
    saved = optim.Adam(ours_params).state_dict()
    adamw = optim.AdamW(ours_params)
    adamw.load_state_dict(saved)
    assert adamw.param_groups[0]["decoupled_weight_decay"] is True
    assert isinstance(adamw, optim.Adam)


def test_adam_with_decoupled_weight_decay_is_adamw():
    a, _ = make_params()
    b, _ = make_params()
    adam = optim.Adam(a, lr=0.05, weight_decay=0.2, decoupled_weight_decay=True)
    adamw = optim.AdamW(b, lr=0.05, weight_decay=0.2)
    _, torch_params = make_params()
    for _ in range(5):
        for p, q, g in zip(a, b, gradients(torch_params)):
            p.grad, q.grad = cr.Tensor(g.copy()), cr.Tensor(g.copy())
        adam.step()
        adamw.step()
    for p, q in zip(a, b):
        np.testing.assert_array_equal(p.data, q.data)


def test_sgd_momentum_buffer_starts_as_a_copy_of_the_gradient():
    from chainrule.nn import Parameter

    p = Parameter(cr.Tensor(np.array([1.0, 2.0])))
    opt = optim.SGD([p], lr=0.1, momentum=0.9, dampening=0.5)
    p.grad = cr.Tensor(np.array([0.5, -1.0]))
    opt.step()
    buf = opt.state[p]["momentum_buffer"]
    np.testing.assert_array_equal(buf, [0.5, -1.0])  # dampening not applied on step one
    assert not np.shares_memory(buf, p.grad.data)
    np.testing.assert_allclose(p.data, [0.95, 2.1])


# --- PyTorch's full constructor signatures, implementation switches, named parameters --------


@pytest.mark.parametrize("name", NAMES)
def test_constructor_signature_is_pytorchs(name):
    def shape(cls):
        parameters = inspect.signature(cls.__init__).parameters.values()
        return [(p.name, p.kind, p.default) for p in parameters if p.name != "self"]

    assert shape(getattr(optim, name)) == shape(getattr(torch.optim, name))


# (optimizer, switches): accepted, recorded in the groups and the same numbers as PyTorch's
# with the same switches (chainrule has one implementation).
SWITCHES = [
    ("SGD", {"foreach": True}), ("SGD", {"fused": True}), ("SGD", {"foreach": False}),
    ("Adam", {"foreach": True}), ("Adam", {"fused": True}), ("AdamW", {"fused": True}),
    ("NAdam", {"foreach": True}), ("RMSprop", {"foreach": True}),
    ("Adagrad", {"fused": True}), ("Adadelta", {"foreach": True}),
]


@pytest.mark.parametrize("name, switches", SWITCHES)
def test_implementation_switches_keep_pytorchs_trajectory(name, switches):
    ours_params, torch_params = make_params()
    kwargs = {**CASES[name][-1], **switches}
    ours, theirs = build(name, kwargs, ours_params, torch_params)
    for key, value in switches.items():
        assert all(group[key] == value for group in ours.param_groups)
    run(ours, theirs, ours_params, torch_params, steps=10)


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "Adagrad"])
def test_fused_and_foreach_together_is_pytorchs_error(name):
    ours_params, torch_params = make_params()
    with pytest.raises(RuntimeError) as theirs:
        getattr(torch.optim, name)(torch_params, foreach=True, fused=True)
    with pytest.raises(RuntimeError) as ours:
        getattr(optim, name)(ours_params, foreach=True, fused=True)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("name, switch", [
    ("Adam", "capturable"), ("NAdam", "capturable"), ("RMSprop", "capturable"),
    ("Adadelta", "capturable"), ("SGD", "differentiable"), ("Adam", "differentiable"),
])
def test_unsupported_switches_are_refused_by_name(name, switch):
    ours_params, _ = make_params()
    with pytest.raises(RuntimeError, match=f"{switch}=True"):
        getattr(optim, name)(ours_params, **{switch: True})


@pytest.mark.parametrize("name", NAMES)
def test_named_parameters_like_pytorch(name):
    ours_params, torch_params = make_params()
    kwargs = CASES[name][0]
    ours = getattr(optim, name)(list(zip(["W", "b", "c"], ours_params)), **kwargs)
    theirs = getattr(torch.optim, name)(list(zip(["W", "b", "c"], torch_params)), **kwargs)
    assert ours.param_groups[0]["param_names"] == ["W", "b", "c"]
    assert ours.param_groups[0]["params"] == ours_params
    run(ours, theirs, ours_params, torch_params, steps=3)
    assert ours.state_dict()["param_groups"] == theirs.state_dict()["param_groups"]


def test_named_parameters_must_be_all_or_none():
    (w, b, c), (tw, tb, tc) = make_params()
    for library, (x, y, z) in ((optim, (w, b, c)), (torch.optim, (tw, tb, tc))):
        with pytest.raises(ValueError, match="Some param names are missing"):
            library.SGD([("W", x), y], lr=0.1)
        unnamed = library.SGD([x], lr=0.1)
        with pytest.raises(ValueError, match="cannot add param group with names"):
            unnamed.add_param_group({"params": [("b", y)]})
        named = library.SGD([("W", x)], lr=0.1)
        with pytest.raises(ValueError, match="cannot add param group without names"):
            named.add_param_group({"params": [z]})


@pytest.mark.parametrize("library", [optim, torch.optim])
def test_step_hooks_like_pytorch(library):
    ours_params, torch_params = make_params()
    params = ours_params if library is optim else torch_params
    opt = library.SGD(params, lr=0.1)
    seen = []
    opt.register_step_pre_hook(lambda o, args, kwargs: seen.append(("pre", args, kwargs)))
    post = opt.register_step_post_hook(
        lambda o, args, kwargs: seen.append(("post", float(params[1].detach()[0]))))
    for p in params:
        p.grad = (cr.ones(*p.shape, dtype=cr.float64) if library is optim
                  else torch.ones(p.shape, dtype=torch.float64))
    start = float(params[1].detach()[0])
    opt.step()
    post.remove()
    opt.step()
    # The hooks get the step's arguments with the optimizer first; the post-hook sees the
    # updated parameters; a removed hook is not called again.
    assert seen == [("pre", (opt,), {}), ("post", start - 0.1), ("pre", (opt,), {})]


class _Subclassed(optim.SGD):
    def step(self, closure=None):
        return super().step(closure)


def test_step_hooks_run_once_for_a_subclass_that_calls_its_parent():
    ours_params, _ = make_params()
    opt = _Subclassed(ours_params, lr=0.1)
    calls = []
    opt.register_step_pre_hook(lambda o, args, kwargs: calls.append("pre"))
    opt.register_step_post_hook(lambda o, args, kwargs: calls.append("post"))
    opt.step()
    assert calls == ["pre", "post"]
    with pytest.raises(RuntimeError, match="new_args, new_kwargs"):
        bad = optim.SGD(ours_params, lr=0.1)
        bad.register_step_pre_hook(lambda o, args, kwargs: "no")
        bad.step()
