"""Shared harness for the optimizer tests: the same parameters, groups and gradients
fed to a chainrule optimizer and to its PyTorch twin, step by step.

Gradients come from torch autograd on a fixed non-quadratic function evaluated at
the CURRENT parameter values (torch's copy), and the same arrays are handed to
both optimizers, so these tests exercise only the optimizers, not chainrule's ops.
"""

from __future__ import annotations

import numpy as np
import torch

import chainrule as cr
import chainrule.optim as optim

RTOL, ATOL = 1e-9, 1e-12
RNG = np.random.default_rng(1234)
X = RNG.normal(size=(5, 3))
INITIAL = {
    "W": RNG.normal(scale=0.7, size=(5, 3)),
    "b": RNG.uniform(-0.8, 0.8, size=3),
    "c": RNG.normal(size=(2, 4)),
}
NAMES = ("W", "b", "c")

# name -> [constructor kwargs, ...]: each optimizer's options, three or more ways.
CASES = {
    "SGD": [
        {"lr": 0.05},
        {"lr": 0.05, "momentum": 0.9, "weight_decay": 0.1},
        {"lr": 0.03, "momentum": 0.8, "dampening": 0.3, "weight_decay": 0.05, "maximize": True},
        {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.05},
    ],
    "Adam": [
        {"lr": 0.02},
        {"lr": 0.02, "betas": (0.4, 0.99), "weight_decay": 0.1, "amsgrad": True},
        {"lr": 0.01, "eps": 1e-3, "weight_decay": 0.02, "maximize": True},
        {"lr": 0.02, "weight_decay": 0.1, "decoupled_weight_decay": True, "amsgrad": True},
    ],
    "AdamW": [
        {"lr": 0.02},
        {"lr": 0.02, "weight_decay": 0.3, "amsgrad": True},
        {"lr": 0.01, "betas": (0.7, 0.95), "weight_decay": 0.05, "maximize": True},
    ],
    "NAdam": [
        {"lr": 0.02},
        {"lr": 0.02, "weight_decay": 0.1, "momentum_decay": 0.01},
        {"lr": 0.02, "weight_decay": 0.2, "decoupled_weight_decay": True, "betas": (0.8, 0.99)},
        {"lr": 0.01, "eps": 1e-4, "weight_decay": 0.05, "maximize": True},
    ],
    "RMSprop": [
        {"lr": 0.01},
        {"lr": 0.01, "alpha": 0.9, "momentum": 0.8, "weight_decay": 0.1},
        {"lr": 0.005, "centered": True, "eps": 1e-4, "weight_decay": 0.1, "maximize": True},
        {"lr": 0.005, "centered": True, "momentum": 0.5},
    ],
    "Adagrad": [
        {"lr": 0.05},
        {"lr": 0.05, "lr_decay": 0.05, "weight_decay": 0.1},
        {"lr": 0.05, "initial_accumulator_value": 0.5, "eps": 1e-6, "weight_decay": 0.1,
         "maximize": True},
    ],
    "Adadelta": [
        {},
        {"lr": 0.5, "rho": 0.8, "weight_decay": 0.1},
        {"lr": 2.0, "eps": 1e-4, "weight_decay": 0.1, "maximize": True},
    ],
}
ALL_CASES = [(name, kwargs) for name, cases in CASES.items() for kwargs in cases]
CASE_IDS = [f"{name}-{i}" for name, cases in CASES.items() for i in range(len(cases))]


def loss_torch(W: torch.Tensor, b: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
    """A fixed smooth, non-quadratic function of the three parameters."""
    x = torch.as_tensor(X, dtype=W.dtype)
    return (
        (torch.sin(W) * x).sum()
        + torch.tanh(W @ b).sum()
        + (b**3 / (1 + b**4)).sum()
        + torch.log1p(c**2).sum()
        + (c * torch.cos(c)).sum()
    )


def gradients(torch_params: list[torch.Tensor]) -> list[np.ndarray]:
    """d loss / d param at the current values of ``torch_params``, as fresh arrays.

    Closed form in torch ops (autograd's per-call overhead would dominate the
    tests); ``test_closed_form_gradients_match_autograd`` checks it against autograd.
    """
    with torch.no_grad():
        W, b, c = (p.detach() for p in torch_params)
        slope = 1 - torch.tanh(W @ b) ** 2
        b4 = 1 + b**4
        grads = (
            torch.cos(W) * torch.as_tensor(X, dtype=W.dtype) + torch.outer(slope, b),
            W.T @ slope + (3 * b**2 - b**6) / b4**2,
            2 * c / (1 + c**2) + torch.cos(c) - c * torch.sin(c),
        )
    return [g.numpy().copy() for g in grads]


def autograd_gradients(torch_params: list[torch.Tensor]) -> list[np.ndarray]:
    """The same gradients through torch autograd (the reference for ``gradients``)."""
    leaves = [p.detach().clone().requires_grad_(True) for p in torch_params]
    loss_torch(*leaves).backward()
    return [leaf.grad.numpy().copy() for leaf in leaves]


def make_params(dtype=np.float64, values=None):
    """The same parameters for both libraries: ([W, b, c] chainrule, [W, b, c] torch).

    Leaf tensors that require grad, which is all ``nn.Parameter`` adds to a Tensor.
    """
    values = INITIAL if values is None else values
    ours = [cr.Tensor(np.array(values[n], dtype=dtype), requires_grad=True) for n in NAMES]
    theirs = [
        torch.nn.Parameter(torch.tensor(np.array(values[n], dtype=dtype))) for n in NAMES
    ]
    return ours, theirs


def groups(params, group_lr):
    """Two groups: [W, b] with the defaults and [c] with its own lr."""
    return [{"params": params[:2]}, {"params": params[2:], "lr": group_lr}]


def build(name, kwargs, ours_params, torch_params, group_lr=0.007):
    """The chainrule optimizer and its torch twin over two parameter groups each."""
    ours = getattr(optim, name)(groups(ours_params, group_lr), **kwargs)
    theirs = getattr(torch.optim, name)(groups(torch_params, group_lr), **kwargs)
    return ours, theirs


def set_grads(step, ours_params, torch_params):
    """Hand both libraries the same gradients; ``c`` gets none on every third step."""
    grads = gradients(torch_params)
    for i, (p, q, g) in enumerate(zip(ours_params, torch_params, grads)):
        if i == 2 and step % 3 == 2:
            p.grad, q.grad = None, None
        else:
            p.grad = cr.Tensor(g.copy(), dtype=g.dtype)
            q.grad = torch.tensor(g.copy())
    return grads


def assert_params_close(ours_params, torch_params, rtol=RTOL, atol=ATOL, step=None):
    """Every parameter agrees with torch's."""
    for name, p, q in zip(NAMES, ours_params, torch_params):
        expected = q.detach().numpy()
        if np.all(np.abs(p.data - expected) <= atol + rtol * np.abs(expected)):
            continue  # the fast path; assert_allclose below explains a failure
        np.testing.assert_allclose(
            p.data, q.detach().numpy(), rtol=rtol, atol=atol,
            err_msg=f"parameter {name} after step {step}",
        )


def assert_state_close(ours, theirs, ours_params, torch_params, rtol=RTOL, atol=ATOL):
    """Per-parameter state: same keys; arrays and scalars agree with torch's."""
    for p, q in zip(ours_params, torch_params):
        mine, other = ours.state.get(p, {}), theirs.state.get(q, {})
        assert list(mine) == list(other)
        for key, value in other.items():
            expected = value.detach().numpy() if torch.is_tensor(value) else value
            np.testing.assert_allclose(mine[key], expected, rtol=rtol, atol=atol, err_msg=key)


def run(ours, theirs, ours_params, torch_params, steps, start=0, check=True, **tolerance):
    """``steps`` steps in both libraries from step number ``start``, comparing each one."""
    for step in range(start, start + steps):
        grads = set_grads(step, ours_params, torch_params)
        ours.step()
        theirs.step()
        for p, g in zip(ours_params, grads):
            if p.grad is not None:
                assert np.array_equal(p.grad.data, g)  # gradients left untouched
        if check:
            assert_params_close(ours_params, torch_params, step=step, **tolerance)
