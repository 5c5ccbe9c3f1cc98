"""``Adagrad``: per-coordinate learning rates from the sum of squared gradients."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ._update import (
    Workspace,
    check_lr,
    check_non_negative,
    effective_grad,
    implementation_options,
)
from .optimizer import Optimizer, ParamsT


class Adagrad(Optimizer):
    """Adagrad, as ``torch.optim.Adagrad``.

    Each step ``t``, with ``g`` the gradient (negated when ``maximize``) plus ``weight_decay·θ``::

        s = s + g²                          (s starts at initial_accumulator_value)
        θ = θ - lr/(1 + (t - 1)·lr_decay) · g/(sqrt(s) + eps)

    State per parameter: ``step`` and ``sum``. As in PyTorch, the state of the
    parameters given to the constructor is created there, from the
    constructor's ``initial_accumulator_value``; parameters added later start
    from ``defaults["initial_accumulator_value"]`` at their first step.
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        check_lr(lr)
        check_non_negative(lr_decay, "lr_decay")
        check_non_negative(weight_decay, "weight_decay")
        check_non_negative(initial_accumulator_value, "initial_accumulator_value")
        check_non_negative(eps, "epsilon")
        defaults = {
            "lr": lr,
            "lr_decay": lr_decay,
            "eps": eps,
            "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value,
            "maximize": maximize,
            **implementation_options(foreach, differentiable, fused=fused),
        }
        self._work = Workspace()
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self.state[p] = _initial_state(p.data, initial_accumulator_value)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient; return the closure's loss, if any."""
        loss = self._closure_loss(closure)
        work = self._work
        for group in self.param_groups:
            lr = float(group["lr"])
            lr_decay = float(group["lr_decay"])
            eps = float(group["eps"])
            weight_decay = float(group["weight_decay"])
            maximize = group["maximize"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                param = p.data
                state = self.state.get(p)
                if not state:
                    initial = self.defaults["initial_accumulator_value"]
                    state = self.state[p] = _initial_state(param, initial)
                step = state["step"] = state["step"] + 1
                g = effective_grad(param, p.grad.data, weight_decay, maximize, work.get(param, 0))
                total = state["sum"]
                tmp = work.get(param, 1)
                np.multiply(g, g, out=tmp)
                total += tmp
                np.sqrt(total, out=tmp)
                tmp += eps
                np.divide(g, tmp, out=tmp)
                tmp *= lr / (1 + (step - 1) * lr_decay)
                param -= tmp
        return loss


def _initial_state(param: np.ndarray, initial_accumulator_value: float) -> dict[str, Any]:
    return {"step": 0, "sum": np.full_like(param, initial_accumulator_value)}
