"""What the monitoring callbacks share: the direction of a metric, and reading it from logs."""

from __future__ import annotations

import math
import warnings
from typing import Any

__all__ = ["resolve_mode", "read_monitor"]


def resolve_mode(monitor: str, mode: str, who: str) -> str:
    """``"min"`` or ``"max"``: ``mode`` itself, or for ``"auto"`` Keras's rule: a monitor
    whose name contains ``"acc"`` (or starts with ``"fmeasure"``) is maximised, every
    other (``val_loss``, ``loss``, ``mae``, ...) minimised."""
    if not isinstance(monitor, str) or not monitor:
        raise TypeError(f"{who}: monitor must be a log key such as 'val_loss', got {monitor!r}")
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"{who}: mode must be 'auto', 'min' or 'max', got {mode!r}")
    if mode != "auto":
        return mode
    return "max" if "acc" in monitor or monitor.startswith("fmeasure") else "min"


def read_monitor(logs: dict[str, Any] | None, monitor: str, who: str) -> float | None:
    """``logs[monitor]`` as a float; None, with a warning naming the keys there are,
    when it is missing (Keras warns and carries on)."""
    logs = logs or {}
    value = logs.get(monitor)
    if value is None:
        warnings.warn(
            f"{who} is conditioned on metric {monitor!r}, which is not available. "
            f"Available metrics are: {', '.join(logs) or '(none)'}",
            RuntimeWarning,
            stacklevel=3,
        )
        return None
    value = float(value.item() if hasattr(value, "item") else value)
    return value


def worst(mode: str) -> float:
    """The starting "best" value: +inf when minimising, -inf when maximising."""
    return math.inf if mode == "min" else -math.inf
