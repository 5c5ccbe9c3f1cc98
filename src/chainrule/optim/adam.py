"""``Adam`` and ``AdamW`` (Adam with decoupled weight decay), one update rule for both."""

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
    state_buffer,
)
from .optimizer import Optimizer, ParamsT


class Adam(Optimizer):
    """Adam, as ``torch.optim.Adam``.

    Each step ``t``, with ``g`` the gradient (negated when ``maximize``; plus
    ``weight_decay·θ`` unless ``decoupled_weight_decay``, which instead scales
    ``θ`` by ``1 - lr·weight_decay`` first)::

        m = β1·m + (1 - β1)·g,   v = β2·v + (1 - β2)·g²
        v̂ = max(v̂, v) if amsgrad else v
        θ = θ - lr/(1 - β1^t) · m / (sqrt(v̂)/sqrt(1 - β2^t) + eps)

    State per parameter: ``step``, ``exp_avg``, ``exp_avg_sq`` and, with
    ``amsgrad``, ``max_exp_avg_sq``.
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
        decoupled_weight_decay: bool = False,
    ) -> None:
        check_lr(lr)
        check_non_negative(eps, "epsilon")
        betas = check_betas(betas)
        check_non_negative(weight_decay, "weight_decay")
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "amsgrad": amsgrad,
            "maximize": maximize,
            "decoupled_weight_decay": decoupled_weight_decay,
            **implementation_options(foreach, differentiable, capturable=capturable,
                                     fused=fused),
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
            amsgrad = group["amsgrad"]
            maximize = group["maximize"]
            decoupled = group["decoupled_weight_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                param = p.data
                state = self.state.get(p)
                if not state:
                    state = self.state[p] = {
                        "step": 0,
                        "exp_avg": np.zeros_like(param),
                        "exp_avg_sq": np.zeros_like(param),
                    }
                step = state["step"] = state["step"] + 1
                g = decayed_grad(param, p.grad.data, lr, weight_decay, decoupled, maximize,
                                 work.get(param, 0))
                exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
                tmp = work.get(param, 1)
                lerp_(exp_avg, g, 1 - beta1, tmp)
                decay_square_(exp_avg_sq, g, beta2, tmp)
                if amsgrad:
                    max_sq = state_buffer(state, "max_exp_avg_sq", param)
                    np.maximum(max_sq, exp_avg_sq, out=max_sq)
                    np.sqrt(max_sq, out=tmp)
                else:
                    np.sqrt(exp_avg_sq, out=tmp)
                tmp /= (1 - beta2**step) ** 0.5
                tmp += eps
                np.divide(exp_avg, tmp, out=tmp)
                tmp *= lr / (1 - beta1**step)
                param -= tmp
        return loss


class AdamW(Adam):
    """AdamW, as ``torch.optim.AdamW``: ``Adam`` with ``decoupled_weight_decay=True``
    (``θ = θ·(1 - lr·weight_decay)`` before the Adam update) and ``weight_decay=1e-2``."""

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        super().__init__(
            params, lr, betas, eps, weight_decay, amsgrad,
            foreach=foreach, maximize=maximize, capturable=capturable,
            differentiable=differentiable, fused=fused, decoupled_weight_decay=True,
        )

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """As ``Optimizer.load_state_dict``; the groups keep ``decoupled_weight_decay=True``."""
        super().load_state_dict(state_dict)
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True
