"""micrograd's neural network on scalar ``Value``s: Neuron, Layer, MLP.

As in the micrograd package: weights drawn from U(-1, 1) with Python's
``random`` module, biases 0, ReLU neurons, and a linear last layer of an MLP.
``Neuron(nin, activation="tanh")`` builds the lecture's tanh neurons instead.
Unlike micrograd, an MLP with a one-neuron hidden layer works
(``MLP(2, [16, 1, 1])``): layers pass lists to each other, and only the
network's final output is unwrapped when it is a single number.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from numbers import Real

from ..engine import cyclic_gc_paused
from ..value import Value

_ACTIVATIONS = ("relu", "tanh")


class Module:
    """Base class: ``parameters()`` and ``zero_grad()``."""

    def zero_grad(self) -> None:
        """Set the gradient of every parameter to 0."""
        for p in self.parameters():
            p.grad = 0.0

    def parameters(self) -> list[Value]:
        """All trainable Values of this module."""
        return []


def _as_inputs(x: Value | float | Iterable[Value | float]) -> Sequence[Value | float]:
    """The inputs as a sequence: a lone number or Value is one input; a list,
    tuple or NumPy row is taken element by element."""
    if isinstance(x, Value | Real):
        return (x,)
    return x if isinstance(x, list | tuple) else list(x)


class Neuron(Module):
    """One unit: ``act(w · x + b)``, or ``w · x + b`` when ``nonlin=False``."""

    def __init__(self, nin: int, nonlin: bool = True, activation: str = "relu") -> None:
        if not isinstance(nin, int) or nin < 1:
            raise ValueError(f"Neuron needs a positive number of inputs, got nin={nin!r}")
        if activation not in _ACTIVATIONS:
            raise ValueError(f"activation must be one of {_ACTIVATIONS}, got {activation!r}")
        self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(0.0)
        self.nonlin = nonlin
        self.activation = activation

    def __call__(self, x: Value | float | Sequence[Value | float]) -> Value:
        x = _as_inputs(x)
        if len(x) != len(self.w):
            raise ValueError(f"Neuron({len(self.w)}) got {len(x)} inputs")
        act = self.b
        for wi, xi in zip(self.w, x):
            act = act + wi * xi
        if not self.nonlin:
            return act
        return act.tanh() if self.activation == "tanh" else act.relu()

    def parameters(self) -> list[Value]:
        return self.w + [self.b]

    def __repr__(self) -> str:
        kind = ("ReLU" if self.activation == "relu" else "Tanh") if self.nonlin else "Linear"
        return f"{kind}Neuron({len(self.w)})"


class Layer(Module):
    """``nout`` neurons that each see all ``nin`` inputs.

    Calling a layer returns a list of outputs, or a single Value when it has one
    neuron (micrograd's behaviour); ``forward`` always returns the list.
    """

    def __init__(self, nin: int, nout: int, **kwargs) -> None:
        if not isinstance(nout, int) or nout < 1:
            raise ValueError(f"Layer needs a positive number of outputs, got nout={nout!r}")
        self.neurons = [Neuron(nin, **kwargs) for _ in range(nout)]

    def forward(self, x: Value | float | Sequence[Value | float]) -> list[Value]:
        """The outputs of every neuron, always as a list."""
        x = _as_inputs(x)
        return [n(x) for n in self.neurons]

    def __call__(self, x: Value | float | Sequence[Value | float]) -> Value | list[Value]:
        out = self.forward(x)
        return out[0] if len(out) == 1 else out

    def parameters(self) -> list[Value]:
        return [p for n in self.neurons for p in n.parameters()]

    def __repr__(self) -> str:
        return f"Layer of [{', '.join(str(n) for n in self.neurons)}]"


class MLP(Module):
    """A multi-layer perceptron: ``MLP(nin, [h1, h2, ..., nout])``.

    Hidden layers use the activation (ReLU by default); the last layer is linear.
    """

    def __init__(self, nin: int, nouts: Sequence[int], activation: str = "relu") -> None:
        if len(nouts) == 0:
            raise ValueError("MLP needs at least one layer size in nouts")
        sizes = [nin, *nouts]
        self.layers = [
            Layer(sizes[i], sizes[i + 1], nonlin=i != len(nouts) - 1, activation=activation)
            for i in range(len(nouts))
        ]

    def __call__(self, x: Value | float | Sequence[Value | float]) -> Value | list[Value]:
        with cyclic_gc_paused():
            for layer in self.layers:
                x = layer.forward(x)
        return x[0] if len(x) == 1 else x

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self) -> str:
        return f"MLP of [{', '.join(str(layer) for layer in self.layers)}]"
