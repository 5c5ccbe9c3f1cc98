"""Checking gradients: against finite differences (``gradcheck``) or by eye (``compare``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..backend import to_numpy
from ..grad_mode import no_grad
from ..tensor import Tensor


class GradcheckError(RuntimeError):
    """Raised by ``gradcheck`` when backward disagrees with finite differences."""


def _as_tuple(inputs: Tensor | Sequence[Any]) -> tuple:
    return (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)


def _numerical_jacobian_column(fn: Callable, inputs: tuple, tensor: Tensor, index: tuple,
                               eps: float) -> np.ndarray:
    """d(outputs)/d(tensor[index]) by central differences, flattened."""
    original = tensor.data[index].copy()
    with no_grad():
        tensor.data[index] = original + eps
        plus = _flat_outputs(fn(*inputs))
        tensor.data[index] = original - eps
        minus = _flat_outputs(fn(*inputs))
    tensor.data[index] = original
    return (plus - minus) / (2 * eps)


def _flat_outputs(outputs: Any) -> np.ndarray:
    outputs = _as_tuple(outputs)
    return np.concatenate([to_numpy(o.data).astype(np.float64).ravel() for o in outputs])


def gradcheck(
    fn: Callable[..., Any],
    inputs: Tensor | Sequence[Any],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """Check the gradients of ``fn`` at ``inputs`` against central finite differences.

    Every input tensor with ``requires_grad=True`` must be float64 (finite
    differences in float32 are too coarse to check anything). For each output
    element, backward's gradient row must match the numerical one within
    ``atol + rtol * |numerical|``. Returns True, or raises ``GradcheckError``
    naming the worst entry (input, index, output element, both values).
    """
    inputs = _as_tuple(inputs)
    checked = [(i, t) for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]
    if not checked:
        raise ValueError("gradcheck needs at least one input tensor with requires_grad=True")
    for position, tensor in checked:
        if tensor.dtype != np.float64:
            raise ValueError(
                f"gradcheck input {position} has dtype {tensor.dtype}; use float64 "
                "(e.g. cr.tensor(..., dtype=cr.float64)) so finite differences are accurate"
            )
    outputs = _as_tuple(fn(*inputs))
    n_out = sum(o.data.size for o in outputs)
    numerical = {
        (position, index): _numerical_jacobian_column(fn, inputs, tensor, index, eps)
        for position, tensor in checked
        for index in np.ndindex(tensor.shape)
    }

    worst = None
    offset = 0
    for out_position, output in enumerate(outputs):
        for flat, out_index in enumerate(np.ndindex(output.shape)):
            for _, tensor in checked:
                tensor.grad = None
            fresh = _as_tuple(fn(*inputs))[out_position]
            if fresh.requires_grad:
                seed = np.zeros(output.shape, dtype=output.dtype)
                seed[out_index] = 1.0
                fresh.backward(seed)
            for position, tensor in checked:
                analytic = (
                    np.zeros(tensor.shape) if tensor.grad is None else to_numpy(tensor.grad.data)
                )
                for in_index in np.ndindex(tensor.shape):
                    expected = numerical[position, in_index][offset + flat]
                    got = analytic[in_index]
                    error = abs(got - expected) - (atol + rtol * abs(expected))
                    if worst is None or error > worst[0]:
                        worst = (error, position, in_index, out_position, out_index, got, expected)
        offset += output.data.size
    for _, tensor in checked:
        tensor.grad = None
    if worst is not None and worst[0] > 0:
        _, position, in_index, out_position, out_index, got, numerical = worst
        message = (
            f"gradcheck failed for input {position} at index {in_index}, output {out_position} "
            f"element {out_index}: backward gives {got:.10g}, finite differences give "
            f"{numerical:.10g} (eps={eps}, atol={atol}, rtol={rtol}; {n_out} output elements)"
        )
        if raise_exception:
            raise GradcheckError(message)
        return False
    return True


def compare(name: str, manual: Any, tensor: Tensor) -> tuple[bool, bool, float]:
    """Print and return how a hand-derived gradient matches ``tensor.grad``.

    Like the makemore backprop exercise's ``cmp``: ``exact`` (bit for bit),
    ``approximate`` (np.allclose) and the largest absolute difference.
    """
    if tensor.grad is None:
        raise ValueError(f"compare({name!r}): the tensor has no .grad (did backward run?)")
    manual_array = to_numpy(manual.data if isinstance(manual, Tensor) else np.asarray(manual))
    reference = to_numpy(tensor.grad.data)
    if manual_array.shape != reference.shape:
        raise ValueError(
            f"compare({name!r}): manual gradient has shape {manual_array.shape}, "
            f"tensor.grad has shape {reference.shape}"
        )
    exact = bool(np.all(manual_array == reference))
    approximate = bool(np.allclose(manual_array, reference))
    maxdiff = float(np.max(np.abs(manual_array - reference))) if reference.size else 0.0
    print(f"{name:15s} | exact: {exact!s:5s} | approximate: {approximate!s:5s} | "
          f"maxdiff: {maxdiff}")
    return exact, approximate, maxdiff
