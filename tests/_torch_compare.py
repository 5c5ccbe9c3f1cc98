"""Shared check for the op tests: the same arrays through a chainrule function and its
PyTorch twin in float64, comparing the values and every argument's gradient."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch

import chainrule as cr


def assert_close(ours: Any, theirs: torch.Tensor, rtol: float = 1e-10,
                 atol: float = 1e-12) -> None:
    """chainrule's tensor equals PyTorch's within the tolerances (nan where it has nan)."""
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=rtol, atol=atol,
                               equal_nan=True)


def compare_with_torch(ours_fn: Callable, theirs_fn: Callable,
                       arrays: Sequence[np.ndarray | None], rng: np.random.Generator) -> None:
    """Call both on tensors of ``arrays`` (None passes None) and compare the values (and
    returned indices, if a pair comes back), then the gradients of every argument for one
    random upstream gradient."""
    ours_in = [None if a is None else cr.tensor(a, requires_grad=True) for a in arrays]
    theirs_in = [None if a is None else torch.tensor(a, requires_grad=True) for a in arrays]
    ours, theirs = ours_fn(*ours_in), theirs_fn(*theirs_in)
    if isinstance(theirs, tuple):
        np.testing.assert_array_equal(ours[1].data, theirs[1].numpy())
        ours, theirs = ours[0], theirs[0]
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert_close(ours, theirs)
    upstream = rng.standard_normal(tuple(theirs.shape))
    ours.backward(cr.tensor(upstream))
    theirs.backward(torch.tensor(upstream))
    for a, b in zip(ours_in, theirs_in):
        if a is not None:
            assert_close(a.grad, b.grad)
