"""``RMSprop``: divide the gradient by a running root mean square of recent gradients."""

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
    lerp_,
    state_buffer,
)
from .optimizer import Optimizer, ParamsT


class RMSprop(Optimizer):
    """RMSprop, as ``torch.optim.RMSprop``.

    Each step, with ``g`` the gradient (negated when ``maximize``) plus ``weight_decay·θ``::

        v = α·v + (1 - α)·g²
        a = sqrt(v - ḡ²) + eps, ḡ = α·ḡ + (1 - α)·g   if centered   else   a = sqrt(v) + eps
        b = momentum·b + g/a,  θ = θ - lr·b            if momentum > 0
        θ = θ - lr·g/a                                  otherwise

    State per parameter: ``step``, ``square_avg`` and, as configured,
    ``momentum_buffer`` and ``grad_avg``.
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        check_lr(lr)
        check_non_negative(eps, "epsilon")
        check_non_negative(momentum, "momentum")
        check_non_negative(weight_decay, "weight_decay")
        check_non_negative(alpha, "alpha")
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "alpha": alpha,
            "eps": eps,
            "centered": centered,
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
            alpha = float(group["alpha"])
            eps = float(group["eps"])
            weight_decay = float(group["weight_decay"])
            momentum = float(group["momentum"])
            centered = group["centered"]
            maximize = group["maximize"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                param = p.data
                state = self.state.get(p)
                if not state:
                    state = self.state[p] = {"step": 0, "square_avg": np.zeros_like(param)}
                    if momentum > 0:
                        state["momentum_buffer"] = np.zeros_like(param)
                    if centered:
                        state["grad_avg"] = np.zeros_like(param)
                state["step"] += 1
                g = effective_grad(param, p.grad.data, weight_decay, maximize, work.get(param, 0))
                square_avg = state["square_avg"]
                tmp = work.get(param, 1)
                decay_square_(square_avg, g, alpha, tmp)
                if centered:
                    grad_avg = state_buffer(state, "grad_avg", param)
                    lerp_(grad_avg, g, 1 - alpha, tmp)
                    np.multiply(grad_avg, grad_avg, out=tmp)
                    np.subtract(square_avg, tmp, out=tmp)
                    np.sqrt(tmp, out=tmp)
                else:
                    np.sqrt(square_avg, out=tmp)
                tmp += eps
                np.divide(g, tmp, out=tmp)
                if momentum > 0:
                    buf = state_buffer(state, "momentum_buffer", param)
                    buf *= momentum
                    buf += tmp
                    np.multiply(buf, lr, out=tmp)
                else:
                    tmp *= lr
                param -= tmp
        return loss
