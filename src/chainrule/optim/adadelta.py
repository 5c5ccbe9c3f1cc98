"""``Adadelta``: step sizes from running averages of squared gradients and squared updates."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ._update import (
    Workspace,
    check_lr,
    check_non_negative,
    decay_square_,
    effective_grad,
    implementation_options,
)
from .optimizer import Optimizer, ParamsT


class Adadelta(Optimizer):
    """Adadelta, as ``torch.optim.Adadelta``.

    Each step, with ``g`` the gradient (negated when ``maximize``) plus ``weight_decay·θ``::

        v = ρ·v + (1 - ρ)·g²
        Δ = sqrt(u + eps) / sqrt(v + eps) · g
        u = ρ·u + (1 - ρ)·Δ²
        θ = θ - lr·Δ

    State per parameter: ``step``, ``square_avg`` (v) and ``acc_delta`` (u).
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        capturable: bool = False,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        check_lr(lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        check_non_negative(eps, "epsilon")
        check_non_negative(weight_decay, "weight_decay")
        defaults = {
            "lr": lr,
            "rho": rho,
            "eps": eps,
            "weight_decay": weight_decay,
            "maximize": maximize,
            **implementation_options(foreach, differentiable, capturable=capturable),
        }
        self._work = Workspace()
        super().__init__(params, defaults)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient; return the closure's loss, if any."""
        loss = self._closure_loss(closure)
        work = self._work
        for group in self.param_groups:
            lr = float(group["lr"])
            rho = float(group["rho"])
            eps = float(group["eps"])
            weight_decay = float(group["weight_decay"])
            maximize = group["maximize"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                param = p.data
                state = self.state.get(p)
                if not state:
                    state = self.state[p] = {
                        "step": 0,
                        "square_avg": np.zeros_like(param),
                        "acc_delta": np.zeros_like(param),
                    }
                state["step"] += 1
                g = effective_grad(param, p.grad.data, weight_decay, maximize, work.get(param, 0))
                square_avg, acc_delta = state["square_avg"], state["acc_delta"]
                std, delta = work.get(param, 1), work.get(param, 2)
                decay_square_(square_avg, g, rho, std)
                np.add(square_avg, eps, out=std)
                np.sqrt(std, out=std)
                np.add(acc_delta, eps, out=delta)
                np.sqrt(delta, out=delta)
                delta /= std
                delta *= g
                decay_square_(acc_delta, delta, rho, std)
                delta *= lr
                param -= delta
        return loss
