"""Callbacks that end training: ``EarlyStopping`` and ``TerminateOnNaN`` (Keras's)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .callback import Callback, Logs
from .monitor import read_monitor, resolve_mode

__all__ = ["EarlyStopping", "TerminateOnNaN"]


class EarlyStopping(Callback):
    """Stop training when ``monitor`` has stopped improving, with Keras's semantics.

    After each epoch the monitored value is compared with the best so far; it improves
    when it beats the best by more than ``min_delta`` (its sign is ignored: lower by
    ``|min_delta|`` in ``"min"`` mode, higher in ``"max"``). Training stops at the end of
    the epoch that is ``patience`` epochs after the best one (``patience=0`` stops at the
    first epoch that does not improve).

    Args:
        monitor: the log key to watch (``"val_loss"``, ``"loss"``, ``"val_accuracy"``...).
            A missing key gives a warning naming the keys there are, and that epoch is
            skipped.
        min_delta: the smallest change that counts as an improvement.
        patience: epochs without improvement after which training stops.
        verbose: 1 prints a line when stopping and when restoring weights.
        mode: ``"min"``, ``"max"``, or ``"auto"`` (names containing ``"acc"`` are
            maximised, everything else minimised).
        baseline: a value to reach (Keras 3's rule): an epoch that improves on the best
            but not on ``baseline`` does not reset the patience count, so the first
            epoch that fails to improve stops training once ``patience`` epochs have
            passed without beating ``baseline``.
        restore_best_weights: at the end of training (stopped early or not), load the
            model's state (parameters and buffers) from the end of the best epoch.
        start_from_epoch: epochs to let pass before watching at all (a warm-up).

    Attributes set while training: ``best``, ``best_epoch`` (0-based), ``wait``,
    ``stopped_epoch`` (0-based; 0 if training was not stopped).
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        min_delta: float = 0.0,
        patience: int = 0,
        verbose: int = 0,
        mode: str = "auto",
        baseline: float | None = None,
        restore_best_weights: bool = False,
        start_from_epoch: int = 0,
    ) -> None:
        super().__init__()
        if isinstance(patience, bool) or not isinstance(patience, int) or patience < 0:
            raise ValueError(f"EarlyStopping: patience must be an integer >= 0, got {patience!r}")
        self.monitor = monitor
        self.mode = resolve_mode(monitor, mode, "EarlyStopping")
        self.patience = patience
        self.verbose = verbose
        self.baseline = baseline
        self.restore_best_weights = restore_best_weights
        self.start_from_epoch = start_from_epoch
        # Keras's trick: a signed delta makes one comparison serve both modes.
        self.min_delta = -abs(min_delta) if self.mode == "min" else abs(min_delta)
        self._reset()

    def _reset(self) -> None:
        self.wait = 0
        self.stopped_epoch = 0
        self.best: float | None = None
        self.best_weights: dict[str, np.ndarray] | None = None
        self.best_epoch = 0

    def _is_improvement(self, value: float, reference: float | None) -> bool:
        if reference is None:
            return True
        shifted = value - self.min_delta
        return shifted < reference if self.mode == "min" else shifted > reference

    def _weights(self) -> dict[str, np.ndarray]:
        model = self.model
        if not hasattr(model, "state_dict"):
            raise TypeError(
                "EarlyStopping(restore_best_weights=True) needs a model with state_dict(), "
                f"got {type(model).__name__}"
            )
        return {key: np.array(t.data, copy=True) for key, t in model.state_dict().items()}

    def on_train_begin(self, logs: Logs | None = None) -> None:
        """Forget any earlier run."""
        self._reset()

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        """Compare the monitored value with the best; stop once patience runs out."""
        current = read_monitor(logs, self.monitor, "Early stopping")
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self._weights()
            self.best_epoch = epoch
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self._weights()
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self._run().stop_training = True

    def on_train_end(self, logs: Logs | None = None) -> None:
        """Report the stop and restore the best weights if asked."""
        if self.stopped_epoch > 0 and self.verbose > 0:
            self._run().log(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                self._run().log(
                    "Restoring model weights from the end of the best epoch: "
                    f"{self.best_epoch + 1}."
                )
            self.model.load_state_dict(self.best_weights)

    def __repr__(self) -> str:
        return (
            f"EarlyStopping(monitor={self.monitor!r}, mode={self.mode!r}, "
            f"patience={self.patience}, min_delta={abs(self.min_delta)})"
        )


class TerminateOnNaN(Callback):
    """Stop training at the first batch whose loss is NaN or infinite (Keras's).

    The batch's step has already been taken; the epoch is closed (validation and
    ``on_epoch_end`` run, so its ``loss`` in the history is not finite) and training
    ends. A line ``"Batch N: Invalid loss, terminating training"`` is printed.
    """

    def on_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        """Check this batch's loss."""
        loss: Any = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(float(loss)):
            self._run().log(f"Batch {batch}: Invalid loss, terminating training")
            self._run().stop_training = True
