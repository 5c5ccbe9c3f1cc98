"""``MLPClassifier``: makemore's hidden layer on feature vectors (digits, moons).

``Linear(n_inputs, n_hidden) -> BatchNorm1d -> Tanh -> Linear(n_hidden, n_classes)``,
initialised as ``MakemoreMLP`` is: the hidden weights Kaiming normal with the tanh
gain 5/3 (no bias with BatchNorm), the last layer N(0, 1) / sqrt(n_hidden) scaled
by 0.1 and its bias 0. The output is one logit per class.
"""

from __future__ import annotations

import math

from ..grad_mode import no_grad
from ..nn import init
from ..nn.activation import Tanh
from ..nn.linear import Identity, Linear
from ..nn.module import Module
from ..nn.normalization import BatchNorm1d
from ..random import Generator
from ..tensor import Tensor
from .makemore import LAST_LAYER_SCALE, _positive_int

__all__ = ["MLPClassifier"]


class MLPClassifier(Module):
    """A one-hidden-layer tanh MLP giving ``n_classes`` logits per row of features.

    Args:
        n_inputs: features per example.
        n_classes: number of classes (labels 0 .. n_classes - 1).
        n_hidden: hidden units.
        batchnorm: BatchNorm1d before the tanh (and no bias in the hidden Linear).
        generator: the ``Generator`` for the initial weights (default: the global one).
        bn_momentum: BatchNorm1d's running-statistics momentum.
    """

    def __init__(self, n_inputs: int, n_classes: int, n_hidden: int = 200,
                 batchnorm: bool = True, generator: Generator | None = None,
                 bn_momentum: float = 0.1) -> None:
        super().__init__()
        self.n_inputs = _positive_int("n_inputs", n_inputs, "MLPClassifier")
        self.n_classes = _positive_int("n_classes", n_classes, "MLPClassifier")
        self.n_hidden = _positive_int("n_hidden", n_hidden, "MLPClassifier")
        self.batchnorm_enabled = bool(batchnorm)
        self.hidden = Linear(self.n_inputs, self.n_hidden, bias=not batchnorm)
        self.batchnorm = (BatchNorm1d(self.n_hidden, momentum=bn_momentum) if batchnorm
                          else Identity())
        self.tanh = Tanh()
        self.output = Linear(self.n_hidden, self.n_classes)
        self.reset_parameters(generator)

    def reset_parameters(self, generator: Generator | None = None) -> None:
        """Draw the initial weights again (see the module docstring)."""
        with no_grad():
            init.kaiming_normal_(self.hidden.weight, nonlinearity="tanh", generator=generator)
            if self.hidden.bias is not None:
                init.zeros_(self.hidden.bias)
            init.normal_(self.output.weight, 0.0, LAST_LAYER_SCALE / math.sqrt(self.n_hidden),
                         generator=generator)
            init.zeros_(self.output.bias)

    def forward(self, x: Tensor) -> Tensor:
        return self.output(self.tanh(self.batchnorm(self.hidden(x))))

    def extra_repr(self) -> str:
        return (f"n_inputs={self.n_inputs}, n_classes={self.n_classes}, "
                f"n_hidden={self.n_hidden}, batchnorm={self.batchnorm_enabled}")
