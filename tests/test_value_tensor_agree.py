"""The guarantee: the scalar ``Value`` engine and the ``Tensor`` engine agree.

micrograd's MLP 2-16-16-1 (tanh hidden layers, linear last layer) is built from
``chainrule.Value``s with ``chainrule.nn.scalar.MLP``, and the same network is
written with float64 Tensors whose weights are copied from it (neuron ``j`` of
layer ``l`` with weights ``w[i]`` and bias ``b`` gives ``W_l[i, j]`` and
``b_l[j]``). The same loss on the same points is backpropagated in both engines,
and every parameter's gradient must agree to 1e-12.
"""

from __future__ import annotations

import random

import numpy as np
import pytest

import chainrule as cr
from chainrule.nn.scalar import MLP

SIZES = (2, 16, 16, 1)
TOL = 1e-12
ALPHA = 1e-4


def value_model(seed: int) -> MLP:
    random.seed(seed)
    return MLP(SIZES[0], list(SIZES[1:]), activation="tanh")


def tensor_params(model: MLP) -> list[tuple[cr.Tensor, cr.Tensor]]:
    """(W, b) per layer, W of shape (fan_in, fan_out), copied from the Value model."""
    params = []
    for layer in model.layers:
        W = np.array([[w.data for w in n.w] for n in layer.neurons]).T
        b = np.array([n.b.data for n in layer.neurons])
        params.append(
            (
                cr.tensor(W, dtype=cr.float64, requires_grad=True),
                cr.tensor(b, dtype=cr.float64, requires_grad=True),
            )
        )
    return params


def tensor_forward(params, X: np.ndarray) -> cr.Tensor:
    h = cr.tensor(X, dtype=cr.float64)
    for k, (W, b) in enumerate(params):
        h = h @ W + b
        if k < len(params) - 1:
            h = cr.tanh(h)
    return h  # (N, 1)


def value_forward(model: MLP, X: np.ndarray) -> list:
    return [model([float(v) for v in row]) for row in X]


def value_grads(model: MLP) -> list[tuple[np.ndarray, np.ndarray]]:
    """The Value model's gradients laid out like the tensor parameters."""
    grads = []
    for layer in model.layers:
        gW = np.array([[w.grad for w in n.w] for n in layer.neurons]).T
        gb = np.array([n.b.grad for n in layer.neurons])
        grads.append((gW, gb))
    return grads


def points(seed: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    y = np.where(rng.random(n) < 0.5, -1.0, 1.0)
    return X, y


def squared_loss_value(model, X, y):
    scores = value_forward(model, X)
    return sum(s * s for s in scores)


def squared_loss_tensor(params, X, y):
    scores = tensor_forward(params, X)
    return (scores * scores).sum()


def svm_loss_value(model, X, y):
    """micrograd's moons demo loss: mean hinge loss + alpha * L2."""
    scores = value_forward(model, X)
    losses = [(1 + -float(yi) * s).relu() for yi, s in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = ALPHA * sum(p * p for p in model.parameters())
    return data_loss + reg_loss


def svm_loss_tensor(params, X, y):
    scores = tensor_forward(params, X)  # (N, 1)
    labels = cr.tensor(y[:, None], dtype=cr.float64)
    data_loss = cr.relu(1 + -labels * scores).sum() * (1.0 / len(y))
    reg_loss = ALPHA * sum((p * p).sum() for pair in params for p in pair)
    return data_loss + reg_loss


@pytest.mark.parametrize(
    ("value_loss", "tensor_loss"),
    [(squared_loss_value, squared_loss_tensor), (svm_loss_value, svm_loss_tensor)],
    ids=["squared", "svm"],
)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_mlp_gradients_agree(value_loss, tensor_loss, seed):
    model = value_model(seed)
    params = tensor_params(model)
    X, y = points(seed, n=6)

    loss_v = value_loss(model, X, y)
    loss_v.backward()
    loss_t = tensor_loss(params, X, y)
    loss_t.backward()

    assert loss_t.dtype == cr.float64
    np.testing.assert_allclose(loss_t.item(), loss_v.data, rtol=TOL, atol=TOL)
    n_checked = 0
    for (W, b), (gW, gb) in zip(params, value_grads(model)):
        assert W.grad.shape == gW.shape and b.grad.shape == gb.shape
        np.testing.assert_allclose(W.grad.data, gW, rtol=TOL, atol=TOL)
        np.testing.assert_allclose(b.grad.data, gb, rtol=TOL, atol=TOL)
        n_checked += gW.size + gb.size
    assert n_checked == len(model.parameters()) == 2 * 16 + 16 + 16 * 16 + 16 + 16 + 1
    # Gradients that are all zero would agree vacuously.
    assert np.abs(params[0][0].grad.data).max() > 1e-6


def test_forward_outputs_agree():
    model = value_model(7)
    params = tensor_params(model)
    X, _ = points(7, n=10)
    scores_v = np.array([s.data for s in value_forward(model, X)])
    with cr.no_grad():
        scores_t = tensor_forward(params, X)
    assert scores_t.shape == (10, 1)
    np.testing.assert_allclose(scores_t.data[:, 0], scores_v, rtol=TOL, atol=TOL)


def test_training_steps_agree():
    """Three SGD steps in both engines keep the weights equal."""
    model = value_model(3)
    params = tensor_params(model)
    X, y = points(3, n=5)
    lr = 0.5
    for _ in range(3):
        model.zero_grad()
        for W, b in params:
            W.grad = b.grad = None
        svm_loss_value(model, X, y).backward()
        svm_loss_tensor(params, X, y).backward()
        for p in model.parameters():
            p.data -= lr * p.grad
        for W, b in params:
            W.data += -lr * W.grad
            b.data += -lr * b.grad
    for (W, b), layer in zip(params, model.layers):
        np.testing.assert_allclose(
            W.data, np.array([[w.data for w in n.w] for n in layer.neurons]).T, rtol=TOL, atol=TOL
        )
        np.testing.assert_allclose(
            b.data, np.array([n.b.data for n in layer.neurons]), rtol=TOL, atol=TOL
        )
