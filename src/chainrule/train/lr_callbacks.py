"""Callbacks that change the learning rate: ``ReduceLROnPlateau`` (Keras's) and
``LRSchedulerCallback`` (drives any ``chainrule.optim.lr_scheduler`` scheduler)."""

from __future__ import annotations

from typing import Any

from ..optim.lr_scheduler import ReduceLROnPlateau as PlateauScheduler
from .callback import Callback, Logs
from .monitor import read_monitor, resolve_mode, worst

__all__ = ["ReduceLROnPlateau", "LRSchedulerCallback"]


class ReduceLROnPlateau(Callback):
    """Multiply the learning rate by ``factor`` once ``monitor`` has not improved for
    ``patience`` epochs (Keras's callback; it sets every param group's ``lr``).

    An epoch improves when the monitored value beats the best so far by more than
    ``min_delta`` (absolute; lower in ``"min"`` mode, higher in ``"max"``). After
    ``patience`` epochs in a row without improvement, each group's rate becomes
    ``max(lr * factor, min_lr)`` (groups already at or below ``min_lr`` are left
    alone), and for the next ``cooldown`` epochs no epoch counts against patience.

    Args:
        monitor: the log key to watch; a missing one gives a warning naming the keys
            there are.
        factor: the multiplier, in (0, 1).
        patience: epochs without improvement before a cut.
        verbose: 1 prints a line at each cut.
        mode: ``"min"``, ``"max"`` or ``"auto"`` (names with ``"acc"`` are maximised).
        min_delta: the threshold of improvement.
        cooldown: epochs after a cut during which patience is not counted.
        min_lr: the lowest rate a cut may give.

    For PyTorch's own rule (relative thresholds, ``patience`` counted with ``>``), use
    ``LRSchedulerCallback(cr.optim.lr_scheduler.ReduceLROnPlateau(optimizer))``.
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        factor: float = 0.1,
        patience: int = 10,
        verbose: int = 0,
        mode: str = "auto",
        min_delta: float = 1e-4,
        cooldown: int = 0,
        min_lr: float = 0.0,
    ) -> None:
        super().__init__()
        if not 0 < factor < 1:
            raise ValueError(
                f"ReduceLROnPlateau does not support a factor outside (0, 1); got factor={factor}"
            )
        if isinstance(patience, bool) or not isinstance(patience, int) or patience < 0:
            raise ValueError(
                f"ReduceLROnPlateau: patience must be an integer >= 0, got {patience!r}"
            )
        self.monitor = monitor
        self.factor = factor
        self.patience = patience
        self.verbose = verbose
        self.mode = resolve_mode(monitor, mode, "ReduceLROnPlateau")
        self.min_delta = abs(min_delta)
        self.cooldown = cooldown
        self.min_lr = min_lr
        self._reset()

    def _reset(self) -> None:
        self.best = worst(self.mode)
        self.cooldown_counter = 0
        self.wait = 0

    def _improved(self, value: float) -> bool:
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def in_cooldown(self) -> bool:
        """Whether the last cut's cooldown is still running."""
        return self.cooldown_counter > 0

    def on_train_begin(self, logs: Logs | None = None) -> None:
        """Forget any earlier run."""
        self._reset()

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        """Count the epoch and cut the rate when patience runs out."""
        current = read_monitor(logs, self.monitor, "Learning rate reduction")
        if current is None:
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self._improved(current):
            self.best = current
            self.wait = 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience:
                reduced = False
                for group in self.optimizer.param_groups:
                    old_lr = float(group["lr"])
                    if old_lr > self.min_lr:
                        group["lr"] = max(old_lr * self.factor, self.min_lr)
                        reduced = True
                if reduced:
                    if self.verbose > 0:
                        new_lr = self.optimizer.param_groups[0]["lr"]
                        self._run().log(
                            f"Epoch {epoch + 1}: ReduceLROnPlateau reducing learning rate "
                            f"to {new_lr}."
                        )
                    self.cooldown_counter = self.cooldown
                    self.wait = 0


class LRSchedulerCallback(Callback):
    """Step a ``chainrule.optim.lr_scheduler`` scheduler during ``fit``.

    With ``interval="epoch"`` (the default) the scheduler steps once at the end of
    every epoch, the PyTorch convention (``for epoch: train(...); scheduler.step()``),
    so epoch ``e`` trains at the rate the scheduler gives after ``e`` steps, as the
    ``lr`` column of the history shows. With ``interval="batch"`` it steps after
    every training batch (``OneCycleLR``'s way).

    A ``ReduceLROnPlateau`` scheduler is stepped with the monitored value,
    ``scheduler.step(logs[monitor])``; if that key is missing, a warning names the keys
    there are and the step is skipped.
    """

    def __init__(self, scheduler: Any, monitor: str = "val_loss", interval: str = "epoch") -> None:
        super().__init__()
        if not hasattr(scheduler, "step"):
            raise TypeError(
                "LRSchedulerCallback needs a learning-rate scheduler (with step()), got "
                f"{type(scheduler).__name__}"
            )
        if interval not in ("epoch", "batch"):
            raise ValueError(
                f"LRSchedulerCallback: interval must be 'epoch' or 'batch', got {interval!r}"
            )
        self.scheduler = scheduler
        self.monitor = monitor
        self.interval = interval

    def on_train_begin(self, logs: Logs | None = None) -> None:
        """Check that the scheduler drives the optimizer being used."""
        own = getattr(self.scheduler, "optimizer", None)
        if own is not None and own is not self.optimizer:
            raise ValueError(
                "LRSchedulerCallback: the scheduler was built for a different optimizer "
                "than the one passed to fit, so it would not change the training's rate"
            )

    def _step(self, logs: Logs | None) -> None:
        if isinstance(self.scheduler, PlateauScheduler):
            value = read_monitor(logs, self.monitor, "LRSchedulerCallback(ReduceLROnPlateau)")
            if value is not None:
                self.scheduler.step(value)
        else:
            self.scheduler.step()

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        """Step the scheduler (``interval="epoch"``)."""
        if self.interval == "epoch":
            self._step(logs)

    def on_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        """Step the scheduler (``interval="batch"``)."""
        if self.interval == "batch":
            self._step(logs)
