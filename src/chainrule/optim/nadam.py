"""``NAdam``: Adam with Nesterov momentum and a momentum-decay schedule."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ._update import (
    Workspace,
    check_betas,
    check_lr,
    check_non_negative,
    decay_square_,
    decayed_grad,
    implementation_options,
    lerp_,
)
from .optimizer import Optimizer, ParamsT


class NAdam(Optimizer):
    """NAdam, as ``torch.optim.NAdam``.

    Each step ``t``, with ``g`` the gradient (negated when ``maximize``; plus
    ``weight_decay·θ``, or with ``decoupled_weight_decay`` ``θ`` scaled by
    ``1 - lr·weight_decay`` instead)::

        μ_t = β1·(1 - 0.5·0.96^(t·momentum_decay)),   Π_t = Π_{t-1}·μ_t  (mu_product)
        m = β1·m + (1 - β1)·g,   v = β2·v + (1 - β2)·g²
        d = sqrt(v / (1 - β2^t)) + eps
        θ = θ - lr·(1 - μ_t)/(1 - Π_t) · g/d - lr·μ_{t+1}/(1 - Π_t·μ_{t+1}) · m/d

    State per parameter: ``step``, ``mu_product``, ``exp_avg``, ``exp_avg_sq``.
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum_decay: float = 4e-3,
        decoupled_weight_decay: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        check_lr(lr)
        check_non_negative(eps, "epsilon")
        betas = check_betas(betas)
        check_non_negative(weight_decay, "weight_decay")
        check_non_negative(momentum_decay, "momentum_decay")
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "momentum_decay": momentum_decay,
            "decoupled_weight_decay": decoupled_weight_decay,
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
            beta1, beta2 = (float(beta) for beta in group["betas"])
            eps = float(group["eps"])
            weight_decay = float(group["weight_decay"])
            momentum_decay = float(group["momentum_decay"])
            decoupled = group["decoupled_weight_decay"]
            maximize = group["maximize"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                param = p.data
                state = self.state.get(p)
                if not state:
                    state = self.state[p] = {
                        "step": 0,
                        "mu_product": 1.0,
                        "exp_avg": np.zeros_like(param),
                        "exp_avg_sq": np.zeros_like(param),
                    }
                step = state["step"] = state["step"] + 1
                g = decayed_grad(param, p.grad.data, lr, weight_decay, decoupled, maximize,
                                 work.get(param, 0))
                mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * momentum_decay))
                mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * momentum_decay))
                # PyTorch keeps mu_product as a 0-d tensor of the default dtype (float32).
                mu_product = float(np.float32(state["mu_product"]) * np.float32(mu))
                state["mu_product"] = mu_product
                exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
                denom, tmp = work.get(param, 1), work.get(param, 2)
                lerp_(exp_avg, g, 1 - beta1, tmp)
                decay_square_(exp_avg_sq, g, beta2, tmp)
                np.divide(exp_avg_sq, 1 - beta2**step, out=denom)
                np.sqrt(denom, out=denom)
                denom += eps
                np.divide(g, denom, out=tmp)
                tmp *= lr * (1.0 - mu) / (1.0 - mu_product)
                param -= tmp
                np.divide(exp_avg, denom, out=tmp)
                tmp *= lr * mu_next / (1.0 - mu_product * mu_next)
                param -= tmp
        return loss
