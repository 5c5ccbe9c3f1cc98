"""chainrule.diagnostics: makemore part 3's statistics, checked against NumPy."""

from __future__ import annotations

import math

import numpy as np
import pytest

import chainrule as cr
from chainrule import nn
from chainrule.diagnostics import Diagnostics, stats
from chainrule.nn import functional as F


def set_linear(layer: nn.Linear, weight: np.ndarray, bias: np.ndarray | float) -> nn.Linear:
    layer.weight.data[...] = weight
    layer.bias.data[...] = bias
    return layer


def tanh_mlp(rng: np.random.Generator, gain: float, n_in: int = 30, hidden: int = 100,
             depth: int = 5) -> nn.Sequential:
    """makemore part 3's deep tanh MLP with weights N(0, 1) * gain / sqrt(fan_in)."""
    layers: list[nn.Module] = []
    fan_in = n_in
    for _ in range(depth):
        weight = rng.standard_normal((hidden, fan_in)) * gain / math.sqrt(fan_in)
        layers += [set_linear(nn.Linear(fan_in, hidden), weight, 0.0), nn.Tanh()]
        fan_in = hidden
    return nn.Sequential(*layers)


def small_net(rng: np.random.Generator) -> tuple[nn.Sequential, dict[str, np.ndarray]]:
    """Linear(6, 8) -> Tanh -> Linear(8, 3) in float64, and its weights for NumPy."""
    w1, b1 = rng.standard_normal((8, 6)), rng.standard_normal(8) * 0.1
    w2, b2 = rng.standard_normal((3, 8)), rng.standard_normal(3) * 0.1
    model = nn.Sequential(nn.Linear(6, 8), nn.Tanh(), nn.Linear(8, 3)).double()
    set_linear(model[0], w1, b1)
    set_linear(model[2], w2, b2)
    return model, {"w1": w1, "b1": b1, "w2": w2, "b2": b2}


def tensor(array: np.ndarray) -> cr.Tensor:
    return cr.tensor(array, dtype=cr.float64)


# --- saturation and dead units -------------------------------------------------------------------


def test_tanh_saturation_high_for_bad_init_low_for_kaiming() -> None:
    rng = np.random.default_rng(0)
    x = cr.tensor(rng.standard_normal((1000, 30)).astype(np.float32))
    saturations = {}
    for name, gain in (("bad", 5.0), ("kaiming", 5 / 3)):
        model = tanh_mlp(rng, gain)
        with Diagnostics(model) as diag:
            model(x)
        saturations[name] = [records[0]["saturation"] for records in diag.activations.values()]
    assert len(saturations["bad"]) == 5
    assert all(s > 0.5 for s in saturations["bad"]), saturations["bad"]
    # The first layer sees the raw N(0, 1) inputs (about 20% saturated in the lecture
    # too); every deeper layer of the Kaiming-initialised net stays well below 10%.
    assert all(s < 0.10 for s in saturations["kaiming"][1:]), saturations["kaiming"]
    assert saturations["kaiming"][0] < 0.3


def test_saturation_equals_numpy_fraction() -> None:
    rng = np.random.default_rng(1)
    model, w = small_net(rng)
    x = rng.standard_normal((64, 6)) * 3
    with Diagnostics(model, saturation=0.9) as diag:
        model(tensor(x))
    h = np.tanh(x @ w["w1"].T + w["b1"])
    record = diag.activations["1"][0]
    assert record["saturation"] == pytest.approx(np.mean(np.abs(h) > 0.9), abs=0)
    dead = (np.abs(h) > 0.9).all(axis=0).mean()
    assert record["dead_fraction"] == pytest.approx(dead, abs=0)


@pytest.mark.parametrize(("bias", "expected"), [(-100.0, 1.0), (100.0, 0.0)])
def test_relu_dead_fraction_extremes(bias: float, expected: float) -> None:
    model = nn.Sequential(nn.Linear(20, 50), nn.ReLU())
    model[0].bias.data[...] = bias
    with Diagnostics(model) as diag:
        model(cr.randn(128, 20))
    record = diag.activations["1"][0]
    assert record["dead_fraction"] == expected
    assert record["saturation"] is None


def test_relu_dead_fraction_equals_numpy_count() -> None:
    rng = np.random.default_rng(2)
    weight, bias = rng.standard_normal((40, 10)), rng.standard_normal(40) * 3 - 2
    model = nn.Sequential(set_linear(nn.Linear(10, 40), weight, bias), nn.ReLU()).double()
    x = rng.standard_normal((16, 10))
    with Diagnostics(model) as diag:
        model(tensor(x))
    h = np.maximum(x @ weight.T + bias, 0)
    expected = (h <= 0).all(axis=0).mean()
    assert 0 < expected < 1
    assert diag.activations["1"][0]["dead_fraction"] == expected


def test_dead_fraction_treats_leading_axes_as_batch() -> None:
    values = np.ones((2, 3, 4))
    values[..., 1] = 0
    values[0, 0, 2] = 0
    assert stats.dead_fraction(values) == 0.25


# --- activation and gradient statistics ----------------------------------------------------------


def test_activation_stats_equal_numpy() -> None:
    rng = np.random.default_rng(3)
    model, w = small_net(rng)
    x = rng.standard_normal((50, 6))
    with Diagnostics(model, bins=20) as diag:
        model(tensor(x))
    h = np.tanh(x @ w["w1"].T + w["b1"])
    record = diag.activations["1"][0]
    assert record["step"] == 0
    np.testing.assert_allclose(record["mean"], h.mean(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(record["std"], h.std(ddof=1), rtol=1e-12)
    counts, edges = record["histogram"]
    expected_counts, expected_edges = np.histogram(h, bins=20)
    np.testing.assert_array_equal(counts, expected_counts)
    np.testing.assert_allclose(edges, expected_edges, rtol=1e-12)
    assert diag.layers == {"1": "Tanh"}


def test_gradient_stats_equal_numpy_gradients() -> None:
    rng = np.random.default_rng(4)
    model, w = small_net(rng)
    x, c = rng.standard_normal((32, 6)), rng.standard_normal((32, 3))
    optimizer = cr.optim.SGD(model.parameters(), lr=0.1)
    with Diagnostics(model, bins=10) as diag:
        loss = (model(tensor(x)) * tensor(c)).sum()
        loss.backward()
        diag.step(optimizer)
    # loss = sum(c * (h @ w2.T + b2))  =>  dloss/dh = c @ w2
    dh = c @ w["w2"]
    (record,) = diag.gradients["1"]
    assert record["step"] == 0
    np.testing.assert_allclose(record["mean"], dh.mean(), rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(record["std"], dh.std(ddof=1), rtol=1e-10)
    np.testing.assert_array_equal(record["histogram"][0], np.histogram(dh, bins=10)[0])


def test_gradients_recorded_at_next_forward_without_step() -> None:
    rng = np.random.default_rng(5)
    model, w = small_net(rng)
    x = rng.standard_normal((8, 6))
    with Diagnostics(model) as diag:
        model(tensor(x)).sum().backward()
        assert diag.gradients["1"] == []
        model(tensor(x))
    assert [r["step"] for r in diag.gradients["1"]] == [0]
    dh = np.ones((8, 3)) @ w["w2"]
    np.testing.assert_allclose(diag.gradients["1"][0]["std"], dh.std(ddof=1), rtol=1e-10)


def test_update_ratio_equals_log10_std_ratio() -> None:
    rng = np.random.default_rng(6)
    model, _ = small_net(rng)
    optimizer = cr.optim.SGD(
        [{"params": [model[0].weight, model[0].bias], "lr": 0.3},
         {"params": [model[2].weight, model[2].bias]}],
        lr=0.01,
    )
    with Diagnostics(model) as diag:
        output = model(tensor(rng.standard_normal((16, 6))))
        F.mse_loss(output, tensor(np.zeros((16, 3)))).backward()
        diag.step(optimizer)
    assert sorted(diag.update_ratios) == ["0.weight", "2.weight"]  # ndim >= 2 only
    for name, lr in (("0.weight", 0.3), ("2.weight", 0.01)):
        p = dict(model.named_parameters())[name]
        grad, data = p.grad.data, p.data
        expected = np.log10(np.std(lr * grad, ddof=1) / np.std(data, ddof=1))
        (record,) = diag.update_ratios[name]
        assert record["lr"] == lr
        np.testing.assert_allclose(record["log10_ratio"], expected, rtol=1e-10)
        (pg,) = diag.parameter_gradients[name]
        np.testing.assert_allclose(pg["std"], grad.std(ddof=1), rtol=1e-12)
        np.testing.assert_allclose(
            pg["grad_to_data"], grad.std(ddof=1) / data.std(ddof=1), rtol=1e-12
        )


def test_update_ratio_every_parameter_and_explicit_lr() -> None:
    rng = np.random.default_rng(7)
    model, _ = small_net(rng)
    with Diagnostics(model, weights_only=False) as diag:
        model(tensor(rng.standard_normal((4, 6)))).sum().backward()
        diag.step(lr=0.05)
    assert sorted(diag.update_ratios) == ["0.bias", "0.weight", "2.bias", "2.weight"]
    bias = model[0].bias
    expected = np.std(0.05 * bias.grad.data, ddof=1) / np.std(bias.data, ddof=1)
    np.testing.assert_allclose(diag.update_ratios["0.bias"][0]["ratio"], expected, rtol=1e-10)


# --- sampling, attaching and detaching -----------------------------------------------------------


def train(model: nn.Module, diag: Diagnostics, steps: int, rng: np.random.Generator,
          validate: bool = False) -> list[bool]:
    """SGD steps on random data; returns whether each step's tanh output kept its grad."""
    optimizer = cr.optim.SGD(model.parameters(), lr=0.1)
    kept: list[bool] = []
    spy = model[1].register_forward_hook(lambda m, i, out: kept.append(out.retains_grad))
    for _ in range(steps):
        loss = model(tensor(rng.standard_normal((8, 6)))).pow(2).mean()
        optimizer.zero_grad()
        loss.backward()
        diag.step(optimizer)
        optimizer.step()
        if validate:
            model.eval()
            model(tensor(rng.standard_normal((8, 6))))
            model.train()
    spy.remove()
    return kept


def test_records_only_every_nth_step() -> None:
    rng = np.random.default_rng(8)
    model, _ = small_net(rng)
    diag = Diagnostics(model, every=3).attach()
    kept = train(model, diag, 10, rng, validate=True)
    diag.detach()
    assert diag.steps == 10  # evaluation passes are not steps
    expected = [0, 3, 6, 9]
    assert [r["step"] for r in diag.activations["1"]] == expected
    assert [r["step"] for r in diag.gradients["1"]] == expected
    assert [r["step"] for r in diag.update_ratios["0.weight"]] == expected
    train_kept = kept[0::2]  # every other call is an evaluation pass
    assert train_kept == [step % 3 == 0 for step in range(10)]
    assert not any(kept[1::2])


def test_detach_removes_hooks_and_retain_grad() -> None:
    rng = np.random.default_rng(9)
    model, _ = small_net(rng)
    with Diagnostics(model) as diag:
        train(model, diag, 2, rng)
        assert diag.attached
        assert model._forward_pre_hooks and model[1]._forward_hooks
    assert not diag.attached
    assert not model._forward_pre_hooks
    assert not any(m._forward_hooks for m in model.modules())
    before = {name: len(records) for name, records in diag.activations.items()}
    kept = []
    model[1].register_forward_hook(lambda m, i, out: kept.append(out.retains_grad))
    model(tensor(rng.standard_normal((8, 6)))).sum().backward()
    assert kept == [False]
    assert {name: len(records) for name, records in diag.activations.items()} == before
    assert len(diag.gradients["1"]) == 2
    assert diag.steps == 2


def test_attach_twice_registers_once() -> None:
    model, _ = small_net(np.random.default_rng(10))
    diag = Diagnostics(model).attach().attach()
    model(tensor(np.ones((2, 6))))
    assert len(diag.activations["1"]) == 1
    diag.detach()


def test_layers_option_and_root_activation() -> None:
    model, _ = small_net(np.random.default_rng(11))
    with Diagnostics(model, layers=(nn.Linear,)) as diag:
        model(tensor(np.ones((2, 6))))
    assert diag.layers == {"0": "Linear", "2": "Linear"}
    assert diag.activations["0"][0]["saturation"] is None
    assert diag.activations["0"][0]["dead_fraction"] is None
    root = nn.Tanh()
    with Diagnostics(root) as diag:
        root(cr.randn(3, 4))
    assert list(diag.activations) == ["Tanh"]


def test_summary_lists_layers_and_parameters() -> None:
    rng = np.random.default_rng(12)
    model, _ = small_net(rng)
    with Diagnostics(model) as diag:
        train(model, diag, 1, rng)
    table = diag.summary()
    record = diag.activations["1"][-1]
    assert f"{record['std']:.4f}" in table
    assert f"{100 * record['saturation']:.2f}%" in table
    assert f"{diag.update_ratios['2.weight'][-1]['log10_ratio']:+.2f}" in table
    assert "0.weight" in table and "(8, 6)" in table and "Tanh" in table


def test_errors() -> None:
    model, _ = small_net(np.random.default_rng(13))
    with pytest.raises(ValueError, match="every"):
        Diagnostics(model, every=0)
    with pytest.raises(ValueError, match="saturation"):
        Diagnostics(model, saturation=1.5)
    with pytest.raises(TypeError, match="Module"):
        Diagnostics(lambda x: x)
    diag = Diagnostics(model).attach()
    with pytest.raises(RuntimeError, match="no forward pass"):
        diag.step(lr=0.1)
    model(tensor(np.ones((2, 6))))
    with pytest.raises(TypeError, match="optimizer"):
        diag.step()
    diag.detach()
