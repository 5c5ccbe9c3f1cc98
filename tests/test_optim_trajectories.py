"""Every optimizer, three or more ways, step for step against PyTorch in float64: 50-step
trajectories over two parameter groups, a state_dict round trip mid-run, a learning
rate changed mid-run, a group added mid-run, and float32 runs that stay float32."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from _optim_oracle import (
    ALL_CASES,
    CASE_IDS,
    CASES,
    assert_params_close,
    assert_state_close,
    build,
    gradients,
    groups,
    make_params,
    run,
)

import chainrule as cr
import chainrule.optim as optim


def moved(params, before):
    return max(np.abs(p.data - b).max() for p, b in zip(params, before))


@pytest.mark.parametrize(("name", "kwargs"), ALL_CASES, ids=CASE_IDS)
def test_fifty_steps_match_torch(name, kwargs):
    ours_params, torch_params = make_params()
    before = [p.data.copy() for p in ours_params]
    ours, theirs = build(name, kwargs, ours_params, torch_params)
    run(ours, theirs, ours_params, torch_params, steps=50)
    assert_state_close(ours, theirs, ours_params, torch_params)
    assert moved(ours_params, before) > 0.05  # the comparison is not between standing params


@pytest.mark.parametrize(("name", "kwargs"), ALL_CASES, ids=CASE_IDS)
def test_state_dict_round_trip_mid_run(name, kwargs):
    ours_params, torch_params = make_params()
    ours, theirs = build(name, kwargs, ours_params, torch_params)
    run(ours, theirs, ours_params, torch_params, steps=20)

    saved = ours.state_dict()
    copies = [cr.Tensor(p.data.copy(), requires_grad=True) for p in ours_params]
    # Built with the default hyperparameters: loading must restore the saved ones.
    loaded = getattr(optim, name)(groups(copies, group_lr=0.5))
    loaded.load_state_dict(saved)
    for entry in saved["state"].values():  # the loaded optimizer owns its state
        for value in entry.values():
            if isinstance(value, cr.Tensor):
                value.data[...] = np.nan
    assert [g["lr"] for g in loaded.param_groups] == [g["lr"] for g in ours.param_groups]

    for step in range(20, 50):
        grads = gradients(torch_params)
        for i, g in enumerate(grads):
            none = i == 2 and step % 3 == 2
            for p in (ours_params[i], copies[i]):
                p.grad = None if none else cr.Tensor(g.copy(), dtype=cr.float64)
            torch_params[i].grad = None if none else torch.tensor(g)
        ours.step()
        loaded.step()
        theirs.step()
        for p, q in zip(ours_params, copies):
            np.testing.assert_array_equal(q.data, p.data)
        assert_params_close(copies, torch_params, step=step)
    assert_state_close(loaded, theirs, copies, torch_params)


@pytest.mark.parametrize(("name", "kwargs"), ALL_CASES, ids=CASE_IDS)
def test_learning_rate_changed_mid_run_is_honoured(name, kwargs):
    ours_params, torch_params = make_params()
    ours, theirs = build(name, kwargs, ours_params, torch_params)
    run(ours, theirs, ours_params, torch_params, steps=20)
    for opt in (ours, theirs):
        opt.param_groups[0]["lr"] *= 0.25
        opt.param_groups[1]["lr"] = np.float64(0.03)  # as a scheduler might set it
    run(ours, theirs, ours_params, torch_params, steps=20, start=20)


@pytest.mark.parametrize("name", list(CASES))
def test_add_param_group_mid_run(name):
    kwargs = CASES[name][1]
    ours_params, torch_params = make_params()
    ours = getattr(optim, name)(ours_params[:2], **kwargs)
    theirs = getattr(torch.optim, name)(torch_params[:2], **kwargs)
    run(ours, theirs, ours_params, torch_params, steps=10)
    ours.add_param_group({"params": ours_params[2], "lr": 0.004})
    theirs.add_param_group({"params": torch_params[2], "lr": 0.004})
    assert len(ours.param_groups) == 2
    assert set(ours.param_groups[1]) == set(ours.param_groups[0])
    run(ours, theirs, ours_params, torch_params, steps=15, start=10)
    assert_state_close(ours, theirs, ours_params, torch_params)


@pytest.mark.parametrize(("name", "kwargs"), ALL_CASES, ids=CASE_IDS)
def test_float32_parameters_stay_float32(name, kwargs):
    ours_params, torch_params = make_params(dtype=np.float32)
    ours, theirs = build(name, kwargs, ours_params, torch_params)
    ours.param_groups[1]["lr"] = theirs.param_groups[1]["lr"] = np.float64(0.01)
    run(ours, theirs, ours_params, torch_params, steps=10, rtol=2e-5, atol=1e-6)
    for p in ours_params:
        assert p.data.dtype == np.float32
        for value in ours.state.get(p, {}).values():
            if isinstance(value, np.ndarray):
                assert value.dtype == np.float32
    for entry in ours.state_dict()["state"].values():
        for value in entry.values():
            if isinstance(value, cr.Tensor):
                assert value.dtype == cr.float32


@pytest.mark.parametrize("name", list(CASES))
def test_step_returns_the_closure_loss_computed_with_grad_enabled(name):
    ours_params, torch_params = make_params()
    ours, theirs = build(name, CASES[name][0], ours_params, torch_params)
    grads = gradients(torch_params)

    def closure():
        assert cr.is_grad_enabled()
        for p, g in zip(ours_params, grads):
            p.grad = cr.Tensor(g.copy(), dtype=cr.float64)
        return 1.25

    with cr.no_grad():
        assert ours.step(closure) == 1.25
    for q, g in zip(torch_params, grads):
        q.grad = torch.tensor(g)
    theirs.step()
    assert_params_close(ours_params, torch_params)
    assert ours.step() is None


@pytest.mark.parametrize("name", list(CASES))
def test_parameters_without_gradients_are_skipped(name):
    ours_params, _ = make_params()
    ours = getattr(optim, name)(ours_params, **CASES[name][1])
    state_before = {p: dict(s) for p, s in ours.state.items()}  # Adagrad's eager state
    before = [p.data.copy() for p in ours_params]
    ours.step()
    for p, b in zip(ours_params, before):
        np.testing.assert_array_equal(p.data, b)
    assert {p: list(s) for p, s in ours.state.items()} == {
        p: list(s) for p, s in state_before.items()
    }
    assert all(s["step"] == 0 for s in ours.state.values())
