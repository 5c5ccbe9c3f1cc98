"""``SGD``: stochastic gradient descent with momentum, dampening, Nesterov and weight decay."""

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


class SGD(Optimizer):
    """Stochastic gradient descent, as ``torch.optim.SGD``.

    Each step, with ``g = ∇f(θ) + weight_decay·θ`` (negated gradient when ``maximize``)::

        b = g                                   first step with momentum
        b = momentum·b + (1 - dampening)·g      later steps
        g = g + momentum·b   if nesterov  else  g = b
        θ = θ - lr·g

    State per parameter: ``momentum_buffer`` (only when ``momentum != 0``).
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        check_lr(lr)
        check_non_negative(momentum, "momentum")
        check_non_negative(weight_decay, "weight_decay")
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
            "maximize": maximize,
            **implementation_options(foreach, differentiable, fused=fused),
        }
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        self._work = Workspace()
        super().__init__(params, defaults)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient; return the closure's loss, if any."""
        loss = self._closure_loss(closure)
        work = self._work
        for group in self.param_groups:
            lr = float(group["lr"])
            momentum = float(group["momentum"])
            dampening = float(group["dampening"])
            weight_decay = float(group["weight_decay"])
            nesterov = group["nesterov"]
            maximize = group["maximize"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                param = p.data
                g = p.grad.data
                if momentum == 0 and weight_decay == 0 and not maximize:
                    param -= lr * g  # the plain update, PyTorch's param.add_(grad, alpha=-lr)
                    continue
                tmp = work.get(param, 1)
                if weight_decay != 0 or maximize:
                    g = effective_grad(param, g, weight_decay, maximize, work.get(param, 0))
                if momentum != 0:
                    state = self.state.setdefault(p, {})
                    buf = state.get("momentum_buffer")
                    if buf is None:
                        buf = state["momentum_buffer"] = g.astype(param.dtype)
                    else:
                        buf *= momentum
                        if dampening == 0:
                            buf += g
                        else:
                            np.multiply(g, 1 - dampening, out=tmp)
                            buf += tmp
                    if nesterov:
                        np.multiply(buf, momentum, out=tmp)
                        tmp += g
                        tmp *= lr
                    else:
                        np.multiply(buf, lr, out=tmp)
                else:
                    np.multiply(g, lr, out=tmp)
                param -= tmp
        return loss
