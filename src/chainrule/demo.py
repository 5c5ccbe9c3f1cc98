"""micrograd's demo, on chainrule's scalar engine: an MLP learns the two moons.

The model is ``MLP(2, [16, 16, 1])``; the loss is the SVM max-margin loss
``mean(relu(1 - y * score))`` plus an L2 penalty ``1e-4 * sum(p * p)``, trained by
full-batch gradient descent with the learning rate decaying from 1.0 to 0.1.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .data.synthetic import make_moons
from .nn.scalar import MLP
from .value import Value


def moons_data(n_samples: int = 100, seed: int = 1337) -> tuple[np.ndarray, np.ndarray]:
    """The demo's data: ``make_moons(n_samples, noise=0.1)`` with labels in {-1, +1}."""
    X, y = make_moons(n_samples=n_samples, noise=0.1, random_state=seed)
    return X, y * 2 - 1


def svm_loss(
    model: Any, X: np.ndarray, y: np.ndarray, alpha: float = 1e-4, value_type: type = Value
) -> tuple[Any, float]:
    """micrograd's demo loss and accuracy for ``model`` on all of ``(X, y)``.

    ``value_type`` is the scalar class the inputs are wrapped in, so the same
    function measures micrograd's engine and this one.
    """
    inputs = [[value_type(float(v)) for v in row] for row in X]
    scores = [model(row) for row in inputs]
    losses = [(1 + -float(yi) * score).relu() for yi, score in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = alpha * sum(p * p for p in model.parameters())
    accuracy = sum((yi > 0) == (score.data > 0) for yi, score in zip(y, scores)) / len(y)
    return data_loss + reg_loss, accuracy


def sgd_step(model: Any, loss: Any, step: int, steps: int) -> None:
    """Backward pass and one gradient-descent update (lr 1.0 decaying to 0.1)."""
    model.zero_grad()
    loss.backward()
    learning_rate = 1.0 - 0.9 * step / steps
    for p in model.parameters():
        p.data -= learning_rate * p.grad


@dataclass
class MoonsResult:
    """What a run of the demo produced: the model and the per-step loss and accuracy."""

    model: MLP
    first_input: list[float]
    losses: list[float] = field(default_factory=list)
    accuracies: list[float] = field(default_factory=list)


def train_moons(
    steps: int = 100,
    seed: int = 1337,
    n_samples: int = 100,
    on_step: Callable[[int, float, float], None] | None = None,
) -> MoonsResult:
    """Train micrograd's moons MLP; returns the model and its loss/accuracy per step.

    ``losses[k]`` and ``accuracies[k]`` are measured before update ``k``; the last
    entry (index ``steps``) after the final update. ``on_step(k, loss, accuracy)``
    is called with each of them.
    """
    random.seed(seed)
    X, y = moons_data(n_samples, seed)
    result = MoonsResult(MLP(2, [16, 16, 1]), first_input=[float(v) for v in X[0]])
    for k in range(steps + 1):
        loss, accuracy = svm_loss(result.model, X, y)
        result.losses.append(loss.data)
        result.accuracies.append(float(accuracy))
        if on_step is not None:
            on_step(k, loss.data, float(accuracy))
        if k < steps:
            sgd_step(result.model, loss, k, steps)
    return result
