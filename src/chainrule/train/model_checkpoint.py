"""``ModelCheckpoint``: save the model's ``state_dict`` with ``cr.save`` during ``fit``."""

from __future__ import annotations

import os
from typing import Any

from ..checkpoint import save
from .callback import Callback, Logs
from .monitor import read_monitor, resolve_mode, worst

__all__ = ["ModelCheckpoint"]


class ModelCheckpoint(Callback):
    """Save ``model.state_dict()`` to ``filepath`` at the end of epochs (Keras's callback).

    ``filepath`` may hold ``str.format`` fields filled from the epoch's logs and
    ``epoch`` (counted from 1, as Keras names files): ``"ckpt-{epoch:02d}-{val_loss:.4f}"``
    gives one file per saved epoch; a plain path is overwritten each time. Files are
    written with ``cr.save`` (safetensors, atomic), missing directories are created,
    and ``model.load_state_dict(cr.load(path))`` reads one back.

    Args:
        filepath: where to save (a str or path-like, possibly with format fields).
        monitor: the log key that decides "best" when ``save_best_only``.
        verbose: 1 prints a line for every save or skipped save.
        save_best_only: save only when ``monitor`` improves on the best value so far
            (strictly); otherwise save every epoch. A missing key warns and skips.
        mode: ``"min"``, ``"max"`` or ``"auto"`` (names with ``"acc"`` are maximised).
        initial_value_threshold: the "best" value to beat at the start (default: any
            value beats it).

    A field that the logs lack raises ``KeyError`` naming the path (as Keras does).
    """

    def __init__(
        self,
        filepath: str | os.PathLike,
        monitor: str = "val_loss",
        verbose: int = 0,
        save_best_only: bool = False,
        mode: str = "auto",
        initial_value_threshold: float | None = None,
    ) -> None:
        super().__init__()
        self.filepath = os.fspath(filepath)
        self.monitor = monitor
        self.verbose = verbose
        self.save_best_only = save_best_only
        self.mode = resolve_mode(monitor, mode, "ModelCheckpoint")
        self.initial_value_threshold = initial_value_threshold
        self.best = worst(self.mode) if initial_value_threshold is None else float(
            initial_value_threshold)

    def _path(self, epoch: int, logs: Logs) -> str:
        try:
            return self.filepath.format(**{**logs, "epoch": epoch + 1})
        except (KeyError, IndexError, ValueError) as error:
            raise KeyError(
                f'Failed to format this callback filepath: "{self.filepath}". Reason: {error!r}'
                f" (available fields: epoch, {', '.join(logs)})"
            ) from error

    def _improved(self, value: float) -> bool:
        return value < self.best if self.mode == "min" else value > self.best

    def _save(self, path: str) -> None:
        directory = os.path.dirname(path)
        if directory:
            os.makedirs(directory, exist_ok=True)
        model: Any = self.model
        save(model.state_dict(), path)

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        """Save this epoch's state (if it is the best so far, with ``save_best_only``)."""
        logs = logs or {}
        path = self._path(epoch, logs)
        if not self.save_best_only:
            if self.verbose > 0:
                self._run().log(f"Epoch {epoch + 1}: saving model to {path}")
            self._save(path)
            return
        current = read_monitor(logs, self.monitor, "ModelCheckpoint(save_best_only=True)")
        if current is None:
            return
        if self._improved(current):
            if self.verbose > 0:
                self._run().log(
                    f"Epoch {epoch + 1}: {self.monitor} improved from {self.best:.5f} to "
                    f"{current:.5f}, saving model to {path}"
                )
            self.best = current
            self._save(path)
        elif self.verbose > 0:
            self._run().log(
                f"Epoch {epoch + 1}: {self.monitor} did not improve from {self.best:.5f}"
            )
