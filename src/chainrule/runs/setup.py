"""Pieces every run shares: the optimizer, the schedule, the run folder, printing."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

from ..optim.adam import AdamW
from ..optim.lr_scheduler import StepLR
from ..optim.sgd import SGD
from .config import DEFAULT_DECAY_AT, RunConfig
from .folder import default_run_dir

__all__ = [
    "Printer", "decay_step", "lr_find_range", "make_optimizer", "make_scheduler", "prepare_run_dir",
]

LR_FIND_RANGES = {"sgd": (1e-3, 1.0), "adamw": (1e-4, 1e-1)}
"""The rates the finder sweeps by default: the lecture's 10**linspace(-3, 0) for SGD,
a decade lower for AdamW (whose steps do not scale with the gradient)."""


def make_optimizer(config: RunConfig, params: Iterable[Any]) -> Any:
    """``AdamW(params, lr, weight_decay)`` or ``SGD(params, lr, momentum, weight_decay)``."""
    if config.optimizer == "sgd":
        return SGD(params, lr=config.lr, momentum=config.momentum,
                   weight_decay=config.weight_decay)
    return AdamW(params, lr=config.lr, weight_decay=config.weight_decay)


def decay_step(config: RunConfig, total: int) -> int:
    """``config.lr_decay_step``, or for None one drop after 2/3 of ``total`` steps
    (epochs); 0 means no decay."""
    if config.lr_decay_step is not None:
        return config.lr_decay_step
    return max(1, round(DEFAULT_DECAY_AT * total)) if total > 1 else 0


def make_scheduler(config: RunConfig, optimizer: Any) -> StepLR | None:
    """``StepLR(optimizer, lr_decay_step, lr_decay)``; None if there is no decay
    (``lr_decay_step`` 0, or ``lr_decay`` 1). Resolve ``lr_decay_step`` first."""
    if not config.lr_decay_step or config.lr_decay == 1:
        return None
    return StepLR(optimizer, step_size=config.lr_decay_step, gamma=config.lr_decay)


def lr_find_range(config: RunConfig) -> tuple[float, float]:
    """The (start, end) rates of the learning-rate sweep for the config's optimizer."""
    return LR_FIND_RANGES[config.optimizer]


def prepare_run_dir(config: RunConfig) -> Path:
    """Create the run folder (``config.out``, or ``runs/<timestamp>``) and return it."""
    run_dir = Path(config.out) if config.out else default_run_dir()
    if run_dir.exists() and not run_dir.is_dir():
        raise ValueError(f"the run folder {str(run_dir)!r} exists and is not a folder")
    run_dir.mkdir(parents=True, exist_ok=True)
    return run_dir


class Printer:
    """Writes a run's messages: ``always`` ones, and progress ``line``s unless quiet."""

    def __init__(self, stream: TextIO, progress: bool) -> None:
        self.stream = stream
        self.progress = progress

    def always(self, text: str) -> None:
        """Print ``text`` (summary lines, printed with or without progress)."""
        print(text, file=self.stream, flush=True)

    def line(self, text: str) -> None:
        """Print a progress line, unless progress is off."""
        if self.progress:
            self.always(text)
