"""``chainrule.nn.scalar``: micrograd's Neuron, Layer and MLP on the scalar ``Value``.

The oracles are micrograd's own ``micrograd.nn`` (same seed, same weights, same
outputs and gradients), PyTorch float64 for architectures micrograd cannot run
(a one-neuron hidden layer), and counts and formulas worked out by hand.
"""

from __future__ import annotations

import math
import random

import micrograd.nn as mgnn
import numpy as np
import pytest
import torch

from chainrule import Value
from chainrule.nn.scalar import MLP, Layer, Neuron


def _n_params(nin, nouts):
    sizes = [nin, *nouts]
    return sum((sizes[i] + 1) * sizes[i + 1] for i in range(len(nouts)))


# --- structure ----------------------------------------------------------------------


def test_parameter_counts():
    assert len(Neuron(3).parameters()) == 4
    assert len(Layer(3, 5).parameters()) == 20
    assert len(MLP(2, [16, 16, 1]).parameters()) == 337  # 16*3 + 16*17 + 1*17
    assert len(MLP(3, [4, 4, 1]).parameters()) == _n_params(3, [4, 4, 1]) == 41


def test_parameters_are_distinct_values():
    params = MLP(2, [8, 8, 1]).parameters()
    assert all(isinstance(p, Value) for p in params)
    assert len({id(p) for p in params}) == len(params)


def test_initialisation_ranges():
    random.seed(0)
    model = MLP(2, [16, 16, 1])
    weights = [w for layer in model.layers for n in layer.neurons for w in n.w]
    biases = [n.b for layer in model.layers for n in layer.neurons]
    assert len(weights) == 16 * 2 + 16 * 16 + 16 and len(biases) == 33
    assert all(-1.0 <= w.data <= 1.0 for w in weights)
    assert all(b.data == 0.0 for b in biases)
    # U(-1, 1) over 320 draws covers the interval, not just a corner of it
    assert min(w.data for w in weights) < -0.9 and max(w.data for w in weights) > 0.9
    assert abs(sum(w.data for w in weights) / len(weights)) < 0.15


def test_initialisation_is_deterministic_with_a_seed():
    random.seed(42)
    a = [p.data for p in MLP(2, [4, 1]).parameters()]
    random.seed(42)
    b = [p.data for p in MLP(2, [4, 1]).parameters()]
    assert a == b


def test_same_seed_draws_the_same_weights_as_micrograd():
    random.seed(1337)
    ours = [p.data for p in MLP(2, [16, 16, 1]).parameters()]
    random.seed(1337)
    theirs = [p.data for p in mgnn.MLP(2, [16, 16, 1]).parameters()]
    assert ours == theirs


def test_hidden_layers_relu_last_layer_linear():
    model = MLP(2, [16, 16, 1])
    flags = [[n.nonlin for n in layer.neurons] for layer in model.layers]
    assert all(flags[0]) and all(flags[1])
    assert flags[2] == [False]
    assert repr(model.layers[0].neurons[0]) == "ReLUNeuron(2)"
    assert repr(model.layers[2].neurons[0]) == "LinearNeuron(16)"


def test_repr_matches_micrograd():
    for nin, nouts in [(2, [16, 16, 1]), (3, [4, 2])]:
        assert repr(MLP(nin, nouts)) == repr(mgnn.MLP(nin, nouts))
    assert repr(Layer(3, 2)) == repr(mgnn.Layer(3, 2))
    assert repr(Neuron(3, nonlin=False)) == repr(mgnn.Neuron(3, nonlin=False))


# --- forward ----------------------------------------------------------------------------


def test_tanh_neuron_output():
    random.seed(3)
    n = Neuron(3, activation="tanh")
    n.b.data = 0.25
    x = [0.5, -1.0, 2.0]
    out = n(x)
    expected = math.tanh(sum(w.data * xi for w, xi in zip(n.w, x)) + 0.25)
    assert out.data == pytest.approx(expected, rel=1e-14)
    out.backward()
    local = 1 - expected**2
    for w, xi in zip(n.w, x):
        assert w.grad == pytest.approx(local * xi, rel=1e-12)
    assert n.b.grad == pytest.approx(local, rel=1e-12)


def test_relu_neuron_output_and_linear_neuron_output():
    n = Neuron(2)
    n.w[0].data, n.w[1].data, n.b.data = 0.5, -2.0, 0.1
    assert n([1.0, 1.0]).data == 0  # relu(0.5 - 2 + 0.1) = relu(-1.4)
    assert n([1.0, -1.0]).data == pytest.approx(2.6)
    lin = Neuron(2, nonlin=False)
    lin.w[0].data, lin.w[1].data, lin.b.data = 0.5, -2.0, 0.1
    assert lin([1.0, 1.0]).data == pytest.approx(-1.4)


def test_neuron_accepts_values_as_inputs_and_backpropagates_into_them():
    n = Neuron(2, nonlin=False)
    n.w[0].data, n.w[1].data = 0.5, -2.0
    x = [Value(1.0), Value(3.0)]
    n(x).backward()
    assert (x[0].grad, x[1].grad) == (0.5, -2.0)


def test_layer_returns_a_value_for_one_neuron_and_a_list_otherwise():
    assert isinstance(Layer(2, 1)([1.0, 2.0]), Value)
    out = Layer(2, 3)([1.0, 2.0])
    assert isinstance(out, list) and len(out) == 3


def test_mlp_with_several_outputs_returns_a_list():
    out = MLP(2, [4, 3])([1.0, 2.0])
    assert isinstance(out, list) and len(out) == 3


def test_mlp_accepts_a_numpy_row_like_micrograd():
    """micrograd's MLP takes a row of a NumPy array (``X[i]``) as well as a list."""
    random.seed(5)
    model = MLP(2, [4, 1])
    row = np.array([0.5, -0.2])
    assert model(row).data == model([0.5, -0.2]).data


# --- against micrograd and PyTorch ---------------------------------------------------------


def _copy_weights(src, dst):
    src_params, dst_params = src.parameters(), dst.parameters()
    assert len(src_params) == len(dst_params)
    for s, d in zip(src_params, dst_params):
        d.data = s.data


def _loss(model, X):
    """A sum of squared outputs over a few points (scalar for any output width)."""
    total = 0
    for row in X:
        out = model(list(row))
        outs = out if isinstance(out, list) else [out]
        for o in outs:
            total = total + o * o
    return total


@pytest.mark.parametrize("nin,nouts", [(2, [16, 16, 1]), (3, [4, 4, 2]), (1, [3, 1])])
def test_outputs_and_gradients_match_micrograd(nin, nouts):
    random.seed(7)
    ours = MLP(nin, nouts)
    theirs = mgnn.MLP(nin, nouts)  # different random weights, then overwritten
    for p in ours.parameters():
        p.data = p.data + 0.05  # biases non-zero too
    _copy_weights(ours, theirs)
    rng = np.random.default_rng(0)
    X = rng.uniform(-2, 2, size=(6, nin)).tolist()

    loss, want = _loss(ours, X), _loss(theirs, X)
    assert loss.data == pytest.approx(want.data, rel=1e-12)
    loss.backward()
    want.backward()
    for p, q in zip(ours.parameters(), theirs.parameters()):
        assert p.grad == pytest.approx(q.grad, rel=1e-12, abs=1e-12)
    assert any(p.grad != 0 for p in ours.parameters())


def _torch_mlp_loss(model, X):
    """The same network in PyTorch float64, weights copied layer by layer."""
    layers = []
    for layer in model.layers:
        W = torch.tensor([[w.data for w in n.w] for n in layer.neurons], dtype=torch.float64)
        b = torch.tensor([n.b.data for n in layer.neurons], dtype=torch.float64)
        layers.append((W.requires_grad_(), b.requires_grad_(), layer.neurons[0].nonlin))
    h = torch.tensor(X, dtype=torch.float64)
    for W, b, nonlin in layers:
        h = h @ W.T + b
        if nonlin:
            h = h.relu()
    loss = (h * h).sum()
    loss.backward()
    grads = []
    for W, b, _ in layers:
        for i in range(W.shape[0]):
            grads.extend(W.grad[i].tolist())
            grads.append(b.grad[i].item())
    return loss.item(), grads


def test_one_neuron_hidden_layer_works_and_matches_torch():
    """MLP(2, [16, 1, 1]): micrograd's Layer hands a bare Value to the next layer and fails."""
    random.seed(11)
    model = MLP(2, [16, 1, 1])
    # Positive weights and inputs keep every ReLU active, so every gradient is non-zero.
    for k, p in enumerate(model.parameters()):
        p.data = 0.1 + 0.01 * (k % 7)
    X = [[0.5, 1.0], [1.5, 0.25], [0.75, 0.75]]
    loss = _loss(model, X)
    loss.backward()
    want_loss, want_grads = _torch_mlp_loss(model, X)
    assert loss.data == pytest.approx(want_loss, rel=1e-12)
    grads = [p.grad for p in model.parameters()]
    assert len(grads) == len(want_grads) == _n_params(2, [16, 1, 1])
    assert grads == pytest.approx(want_grads, rel=1e-12)
    assert all(g != 0.0 for g in grads)


def test_random_mlp_matches_torch():
    random.seed(12)
    model = MLP(3, [5, 4, 2])
    X = np.random.default_rng(1).uniform(-1, 1, size=(4, 3)).tolist()
    loss = _loss(model, X)
    loss.backward()
    want_loss, want_grads = _torch_mlp_loss(model, X)
    assert loss.data == pytest.approx(want_loss, rel=1e-12)
    assert [p.grad for p in model.parameters()] == pytest.approx(want_grads, rel=1e-12, abs=1e-15)


def test_zero_grad():
    random.seed(2)
    model = MLP(2, [4, 4, 1])
    for p in model.parameters():
        p.data = abs(p.data) + 0.1
    model([1.0, 2.0]).backward()
    assert all(p.grad != 0.0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())
    neuron = Neuron(2)
    neuron.w[0].grad = 3.0
    neuron.zero_grad()
    assert neuron.w[0].grad == 0.0


# --- bad arguments -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "make,match",
    [
        (lambda: Neuron(0), "nin"),
        (lambda: Neuron(-2), "nin"),
        (lambda: Layer(0, 3), "nin"),
        (lambda: Layer(2, 0), "nout"),
        (lambda: MLP(0, [4, 1]), "nin"),
        (lambda: MLP(2, []), "nouts"),
        (lambda: MLP(2, [4, 0]), "nout"),
        (lambda: Neuron(2, activation="sigmoid"), "activation"),
    ],
)
def test_bad_construction_arguments_raise_value_error(make, match):
    with pytest.raises(ValueError, match=match):
        make()


@pytest.mark.parametrize("x", [[1.0], [1.0, 2.0, 3.0], []])
def test_wrong_number_of_inputs_raises_value_error(x):
    with pytest.raises(ValueError, match=rf"got {len(x)} inputs"):
        Neuron(2)(x)
    with pytest.raises(ValueError, match=rf"got {len(x)} inputs"):
        MLP(2, [3, 1])(x)
