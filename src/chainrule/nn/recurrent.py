"""Recurrent layers ``RNN``, ``GRU`` and ``LSTM``, with PyTorch's parameters, shapes and
equations; each time step is composed of chainrule's ops, so backpropagation through time
is the engine's ordinary backward pass.

For every layer and direction: ``weight_ih_l{k}`` (gates x input), ``weight_hh_l{k}``
(gates x hidden), ``bias_ih_l{k}``, ``bias_hh_l{k}`` (and, for an LSTM with ``proj_size``,
``weight_hr_l{k}``), with the suffix ``_reverse`` for the backward direction; all drawn
from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)). Gates are stacked in PyTorch's order:
GRU (r, z, n), LSTM (i, f, g, o).
"""

from __future__ import annotations

import math
import numbers
import warnings
from typing import Any

import numpy as np

from ..dtypes import as_dtype
from ..ops.elementwise import relu, sigmoid, tanh
from ..ops.join import cat, stack
from ..ops.linalg import linear
from ..tensor import Tensor
from . import init
from .dropout import dropout
from .module import Module
from .parameter import Parameter

__all__ = ["GRU", "LSTM", "RNN", "RNNBase"]

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "GRU": 3, "LSTM": 4}


class RNNBase(Module):
    """What RNN, GRU and LSTM share: the parameters, checks, the layer loop and repr."""

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        if (not isinstance(dropout, numbers.Number) or isinstance(dropout, bool)
                or not 0 <= dropout <= 1):
            raise ValueError("dropout should be a number in range [0, 1] representing the "
                             "probability of an element being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn(
                "dropout option adds dropout after all but last recurrent layer, so non-zero "
                "dropout expects num_layers greater than 1, but got dropout="
                f"{dropout} and num_layers={num_layers}",
                stacklevel=3,
            )
        for name, value in (("hidden_size", hidden_size), ("num_layers", num_layers)):
            if not isinstance(value, int) or isinstance(value, bool):
                raise TypeError(f"{name} should be of type int, got: {type(value).__name__}")
            if value <= 0:
                raise ValueError(f"{name} must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable "
                             "projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if proj_size and mode != "LSTM":
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        self.mode, self.input_size, self.hidden_size = mode, input_size, hidden_size
        self.num_layers, self.bias, self.batch_first = num_layers, bias, batch_first
        self.dropout, self.bidirectional, self.proj_size = float(dropout), bidirectional, proj_size
        float_dtype = as_dtype(dtype) if dtype is not None else np.dtype(np.float32)
        gate_size = _GATES[mode] * hidden_size
        real_hidden = proj_size or hidden_size
        for layer in range(num_layers):
            layer_input = input_size if layer == 0 else real_hidden * self._directions
            for suffix in ("", "_reverse")[:self._directions]:
                shapes = [(f"weight_ih_l{layer}{suffix}", (gate_size, layer_input)),
                          (f"weight_hh_l{layer}{suffix}", (gate_size, real_hidden))]
                if bias:
                    shapes += [(f"bias_ih_l{layer}{suffix}", (gate_size,)),
                               (f"bias_hh_l{layer}{suffix}", (gate_size,))]
                if proj_size:
                    shapes.append((f"weight_hr_l{layer}{suffix}", (proj_size, hidden_size)))
                for name, shape in shapes:
                    self.register_parameter(name, Parameter(np.zeros(shape, float_dtype)))
        self.reset_parameters()
        if device is not None:
            self.to(device)

    @property
    def _directions(self) -> int:
        return 2 if self.bidirectional else 1

    def reset_parameters(self) -> None:
        """Every weight and bias from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""
        bound = 1.0 / math.sqrt(self.hidden_size)
        for weight in self.parameters():
            init.uniform_(weight, -bound, bound)

    def _weights(self, layer: int, direction: int) -> tuple[Any, ...]:
        suffix = "_reverse" if direction else ""
        get = self.__dict__.get
        return (get(f"weight_ih_l{layer}{suffix}"), get(f"weight_hh_l{layer}{suffix}"),
                get(f"bias_ih_l{layer}{suffix}"), get(f"bias_hh_l{layer}{suffix}"),
                get(f"weight_hr_l{layer}{suffix}"))

    def _check_input(self, input: Tensor) -> bool:
        """Whether ``input`` is batched; raises for a wrong rank or feature size."""
        if not isinstance(input, Tensor):
            raise TypeError(f"{type(self).__name__}: input must be a Tensor, got "
                            f"{type(input).__name__}")
        if input.ndim not in (2, 3):
            raise ValueError(f"{type(self).__name__}: Expected input to be 2D or 3D, got "
                             f"{input.ndim}D tensor instead")
        if input.shape[-1] != self.input_size:
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected "
                               f"{self.input_size}, got {input.shape[-1]}")
        return input.ndim == 3

    def _run(self, input: Tensor, states: list[tuple[Tensor, ...]]) -> tuple[Tensor, list]:
        """Run every layer and direction over ``input`` (L, N, features) from ``states``
        (one tuple per layer and direction); returns the output and the final states."""
        finals = []
        x = input
        for layer in range(self.num_layers):
            outputs = []
            for direction in range(self._directions):
                state = states[layer * self._directions + direction]
                steps, state = self._direction(x, state, self._weights(layer, direction),
                                               reverse=bool(direction))
                outputs.append(steps)
                finals.append(state)
            x = outputs[0] if len(outputs) == 1 else cat(outputs, dim=-1)
            if self.dropout and self.training and layer < self.num_layers - 1:
                x = dropout(x, self.dropout, True)
        return x, finals

    def _direction(self, x: Tensor, state: tuple[Tensor, ...], weights: tuple[Any, ...],
                   reverse: bool) -> tuple[Tensor, tuple[Tensor, ...]]:
        w_ih, w_hh, b_ih, b_hh, w_hr = weights
        projected = linear(x, w_ih, b_ih)  # every time step's input part at once
        order = range(x.shape[0] - 1, -1, -1) if reverse else range(x.shape[0])
        outputs: list[Any] = [None] * x.shape[0]
        for t in order:
            state = self._cell(projected[t], state, w_hh, b_hh, w_hr)
            outputs[t] = state[0]
        return stack(outputs), state

    def _cell(self, gates_x: Tensor, state: tuple[Tensor, ...], w_hh: Tensor,
              b_hh: Tensor | None, w_hr: Tensor | None) -> tuple[Tensor, ...]:
        raise NotImplementedError

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size:
            text += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            text += f", num_layers={self.num_layers}"
        if not self.bias:
            text += ", bias=False"
        if self.batch_first:
            text += ", batch_first=True"
        if self.dropout:
            text += f", dropout={self.dropout}"
        if self.bidirectional:
            text += ", bidirectional=True"
        return text

    def _layout(self, input: Tensor) -> tuple[Tensor, bool]:
        """The input as (L, N, features), and whether it was batched."""
        batched = self._check_input(input)
        if not batched:
            return input.unsqueeze(1), False
        return (input.transpose(0, 1) if self.batch_first else input), True

    def _forward_hidden(self, input: Tensor, hx: Tensor | None) -> tuple[Tensor, Tensor]:
        """The forward of a model whose state is one hidden tensor (RNN, GRU)."""
        x, batched = self._layout(input)
        states = [(h,) for h in self._initial(hx, x.shape[1], self.hidden_size, batched)]
        output, finals = self._run(x, states)
        h_n = stack([state[0] for state in finals])
        return self._finish(output, batched), h_n if batched else h_n.squeeze(1)

    def _finish(self, output: Tensor, batched: bool) -> Tensor:
        if not batched:
            return output.squeeze(1)
        return output.transpose(0, 1) if self.batch_first else output

    def _initial(self, hx: Tensor | None, batch: int, size: int, batched: bool,
                 name: str = "hx") -> list[Tensor]:
        """The initial state of each layer and direction: zeros, or ``hx`` checked."""
        layers = self.num_layers * self._directions
        if hx is None:
            dtype = self.weight_ih_l0.dtype
            return [Tensor(np.zeros((batch, size), dtype=dtype))] * layers
        expected = (layers, batch, size) if batched else (layers, size)
        if tuple(hx.shape) != expected:
            raise RuntimeError(f"Expected hidden size {expected}, got {list(hx.shape)}")
        if not batched:
            hx = hx.unsqueeze(1)
        return [hx[k] for k in range(layers)]


class RNN(RNNBase):
    """The Elman RNN: h_t = tanh(x_t W_ih^T + b_ih + h_(t-1) W_hh^T + b_hh) (or ReLU)."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 nonlinearity: str = "tanh", bias: bool = True, batch_first: bool = False,
                 dropout: float = 0.0, bidirectional: bool = False, device: Any = None,
                 dtype: Any = None, *, proj_size: int = 0) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or "
                             "'relu'.")
        mode = "RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU"
        super().__init__(mode, input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, proj_size, device, dtype)
        self.nonlinearity = nonlinearity

    def _cell(self, gates_x, state, w_hh, b_hh, w_hr):
        total = gates_x + linear(state[0], w_hh, b_hh)
        return (tanh(total) if self.nonlinearity == "tanh" else relu(total),)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> tuple[Tensor, Tensor]:
        """(output, h_n) for ``input`` (L, N, H_in), (N, L, H_in) with ``batch_first``, or
        (L, H_in); ``hx`` (num_layers * directions, N, H) defaults to zeros."""
        return self._forward_hidden(input, hx)


class GRU(RNNBase):
    """The gated recurrent unit: r, z = sigmoid(...), n = tanh(x W_in^T + b_in + r * (h W_hn^T
    + b_hn)), h_t = (1 - z) * n + z * h_(t-1)."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, device: Any = None, dtype: Any = None, *,
                 proj_size: int = 0) -> None:
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, proj_size, device, dtype)

    def _cell(self, gates_x, state, w_hh, b_hh, w_hr):
        (h,) = state
        gates_h = linear(h, w_hh, b_hh)
        size = self.hidden_size
        r = sigmoid(gates_x[:, :size] + gates_h[:, :size])
        z = sigmoid(gates_x[:, size:2 * size] + gates_h[:, size:2 * size])
        n = tanh(gates_x[:, 2 * size:] + r * gates_h[:, 2 * size:])
        return ((1 - z) * n + z * h,)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> tuple[Tensor, Tensor]:
        """(output, h_n), shaped as ``RNN``'s."""
        return self._forward_hidden(input, hx)


class LSTM(RNNBase):
    """Long short-term memory: i, f, o = sigmoid(...), g = tanh(...), c_t = f * c_(t-1) +
    i * g, h_t = o * tanh(c_t) (then projected by ``weight_hr`` with ``proj_size``)."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, proj_size, device, dtype)

    def _cell(self, gates_x, state, w_hh, b_hh, w_hr):
        h, c = state
        gates = gates_x + linear(h, w_hh, b_hh)
        size = self.hidden_size
        i = sigmoid(gates[:, :size])
        f = sigmoid(gates[:, size:2 * size])
        g = tanh(gates[:, 2 * size:3 * size])
        o = sigmoid(gates[:, 3 * size:])
        c = f * c + i * g
        h = o * tanh(c)
        if w_hr is not None:
            h = linear(h, w_hr, None)
        return h, c

    def forward(self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None
                ) -> tuple[Tensor, tuple[Tensor, Tensor]]:
        """(output, (h_n, c_n)); ``hx`` is a pair (h_0, c_0), zeros by default (h of size
        ``proj_size`` when projecting)."""
        x, batched = self._layout(input)
        real_hidden = self.proj_size or self.hidden_size
        if hx is None:
            hs = self._initial(None, x.shape[1], real_hidden, batched)
            cs = self._initial(None, x.shape[1], self.hidden_size, batched)
        else:
            if not (isinstance(hx, tuple) and len(hx) == 2):
                raise RuntimeError("LSTM: hx must be a tuple (h_0, c_0)")
            hs = self._initial(hx[0], x.shape[1], real_hidden, batched)
            cs = self._initial(hx[1], x.shape[1], self.hidden_size, batched)
        output, finals = self._run(x, list(zip(hs, cs)))
        h_n = stack([state[0] for state in finals])
        c_n = stack([state[1] for state in finals])
        if not batched:
            h_n, c_n = h_n.squeeze(1), c_n.squeeze(1)
        return self._finish(output, batched), (h_n, c_n)
