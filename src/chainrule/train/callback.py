"""``Callback``: hooks into ``fit``, with Keras's method names and call order.

``fit`` calls, for every callback in the order given (then its own ``History`` and
progress display):

- ``on_train_begin(logs)`` once;
- per epoch ``on_epoch_begin(epoch, logs)``, then per training batch
  ``on_train_batch_begin(batch, logs)`` / ``on_train_batch_end(batch, logs)`` (whose
  defaults call Keras's older names ``on_batch_begin`` / ``on_batch_end``), then
  ``on_epoch_end(epoch, logs)`` with the epoch's ``loss``, metrics, ``val_*`` and ``lr``;
- ``on_train_end(logs)`` once, also when training is interrupted with Ctrl-C.

Epochs and batches count from 0, as in Keras. A callback reaches the training run
through ``self.trainer`` (a :class:`Trainer`): ``self.model``, ``self.optimizer`` and
``self.params`` are shortcuts, and setting ``self.trainer.stop_training = True``
ends training after the current batch (from a batch hook) or epoch (from an epoch
hook), as Keras's ``model.stop_training`` does. ``logs`` dicts may be changed in place:
later callbacks and ``History`` see the change.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Any, TextIO

__all__ = ["Callback", "CallbackList", "Trainer"]

Logs = dict[str, Any]


class Trainer:
    """What callbacks see of a ``fit`` run.

    Attributes:
        model: the module being trained.
        optimizer: its optimizer (``param_groups[i]["lr"]`` is the learning rate).
        loss_fn: the loss function.
        stop_training: set it to True to end training (checked after every batch and
            every epoch).
        epochs: the number of epochs asked for.
        steps: training batches per epoch (None if the data has no length).
        epoch: the current epoch (0-based; -1 before the first).
        stream: where progress and callback messages are written.
    """

    def __init__(self, model: Any, optimizer: Any, loss_fn: Any, epochs: int,
                 steps: int | None, stream: TextIO | None = None) -> None:
        self.model = model
        self.optimizer = optimizer
        self.loss_fn = loss_fn
        self.epochs = epochs
        self.steps = steps
        self.epoch = -1
        self.stop_training = False
        self.stream = stream
        self._open_line: Any = None

    @property
    def params(self) -> dict[str, Any]:
        """Keras's ``callback.params``: ``{"epochs": ..., "steps": ...}``."""
        return {"epochs": self.epochs, "steps": self.steps}

    def log(self, message: str) -> None:
        """Print ``message`` on its own line (after ending a progress bar drawn mid-line)."""
        stream = self.stream if self.stream is not None else sys.stdout
        if self._open_line is not None:
            self._open_line.break_line()
        stream.write(message + "\n")
        stream.flush()


class Callback:
    """Base class of ``fit`` callbacks: override the hooks you need (all do nothing here)."""

    def __init__(self) -> None:
        self.trainer: Trainer | None = None

    def set_trainer(self, trainer: Trainer) -> None:
        """Attach the training run; ``fit`` calls it before ``on_train_begin``."""
        self.trainer = trainer

    @property
    def model(self) -> Any:
        """The model being trained."""
        return self._run().model

    @property
    def optimizer(self) -> Any:
        """The optimizer training it."""
        return self._run().optimizer

    @property
    def params(self) -> dict[str, Any]:
        """``{"epochs": ..., "steps": ...}`` of the run."""
        return self._run().params

    def _run(self) -> Trainer:
        trainer = getattr(self, "trainer", None)
        if trainer is None:
            raise RuntimeError(
                f"{type(self).__name__} is not attached to a training run; pass it to "
                "cr.train.fit(..., callbacks=[...])"
            )
        return trainer

    def on_train_begin(self, logs: Logs | None = None) -> None:
        """Called once before the first epoch."""

    def on_train_end(self, logs: Logs | None = None) -> None:
        """Called once after the last epoch (with the last epoch's logs), or on Ctrl-C."""

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        """Called at the start of each epoch."""

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        """Called after each epoch's training and validation, with the epoch's logs."""

    def on_train_batch_begin(self, batch: int, logs: Logs | None = None) -> None:
        """Called before each training batch; calls ``on_batch_begin``."""
        self.on_batch_begin(batch, logs)

    def on_train_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        """Called after each training step with ``{"loss", metrics..., "size"}`` of that
        batch; calls ``on_batch_end``."""
        self.on_batch_end(batch, logs)

    def on_batch_begin(self, batch: int, logs: Logs | None = None) -> None:
        """Keras's older name for ``on_train_batch_begin``."""

    def on_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        """Keras's older name for ``on_train_batch_end``."""


class CallbackList:
    """Calls each hook on every callback in order."""

    def __init__(self, callbacks: Iterable[Callback], trainer: Trainer) -> None:
        self.callbacks = list(callbacks)
        for callback in self.callbacks:
            if not isinstance(callback, Callback):
                raise TypeError(
                    "fit: callbacks must be chainrule.train.Callback instances, got "
                    f"{type(callback).__name__}"
                )
            callback.set_trainer(trainer)

    def on_train_begin(self, logs: Logs) -> None:
        """Call every callback's ``on_train_begin``."""
        for callback in self.callbacks:
            callback.on_train_begin(logs)

    def on_train_end(self, logs: Logs) -> None:
        """Call every callback's ``on_train_end``."""
        for callback in self.callbacks:
            callback.on_train_end(logs)

    def on_epoch_begin(self, epoch: int, logs: Logs) -> None:
        """Call every callback's ``on_epoch_begin``."""
        for callback in self.callbacks:
            callback.on_epoch_begin(epoch, logs)

    def on_epoch_end(self, epoch: int, logs: Logs) -> None:
        """Call every callback's ``on_epoch_end`` (each sees the changes of those before)."""
        for callback in self.callbacks:
            callback.on_epoch_end(epoch, logs)

    def on_train_batch_begin(self, batch: int, logs: Logs) -> None:
        """Call every callback's ``on_train_batch_begin``."""
        for callback in self.callbacks:
            callback.on_train_batch_begin(batch, logs)

    def on_train_batch_end(self, batch: int, logs: Logs) -> None:
        """Call every callback's ``on_train_batch_end``."""
        for callback in self.callbacks:
            callback.on_train_batch_end(batch, logs)
