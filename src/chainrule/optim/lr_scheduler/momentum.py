"""Momentum cycling, shared by ``OneCycleLR`` and ``CyclicLR``: the group's ``momentum`` (or
Adam's ``betas[0]``) moves between ``max_momentum`` and ``base_momentum``, opposite to the
rate."""

from __future__ import annotations

from typing import Any

from ..optimizer import Optimizer
from .base import _per_group


class MomentumCycle:
    """Mixin: set up and write the cycled momentum of each parameter group."""

    use_beta1: bool

    def _start_momentum_cycle(self, optimizer: Optimizer, base_momentum: Any,
                              max_momentum: Any, last_epoch: int) -> tuple[list, list]:
        """Check the optimizer has a momentum, record ``max_momentum``/``base_momentum`` in
        the groups and start them at the maximum (on a fresh schedule); return the per-group
        (lows, highs)."""
        if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
            raise ValueError(
                "optimizer must support momentum or beta1 with `cycle_momentum` option "
                "enabled (its defaults have neither 'momentum' nor 'betas')"
            )
        self.use_beta1 = "betas" in optimizer.defaults
        highs = _per_group("max_momentum", optimizer, max_momentum)
        lows = _per_group("base_momentum", optimizer, base_momentum)
        if last_epoch == -1:
            for high, low, group in zip(highs, lows, optimizer.param_groups, strict=True):
                self._set_momentum(group, high)
                group["max_momentum"] = high
                group["base_momentum"] = low
        return lows, highs

    def _set_momentum(self, group: dict[str, Any], value: float) -> None:
        if self.use_beta1:
            group["betas"] = (value, *group["betas"][1:])
        else:
            group["momentum"] = value
