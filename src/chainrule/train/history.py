"""``History``: the per-epoch record that ``fit`` returns, laid out as Keras's."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .callback import Callback, Logs

__all__ = ["History"]


class History(Callback):
    """Every epoch's logs, collected by key: ``history.history["loss"]`` is the list of
    per-epoch training losses, one entry per epoch run.

    Keys, in order: ``loss``, each metric (``accuracy``, a callable's name), then with
    validation data ``val_loss`` and ``val_<metric>``, then ``lr`` (the first param
    group's learning rate during the epoch), then anything a callback added to the logs.
    ``history["loss"]`` reads the same lists, ``history.epoch`` lists the epoch indices
    (0-based), and ``history.params`` holds ``{"epochs", "steps"}``.

    ``fit`` makes one and returns it. Passing your own in ``callbacks=[...]`` makes
    ``fit`` fill that one instead, so the record survives a Ctrl-C (which ``fit``
    re-raises).
    """

    def __init__(self) -> None:
        super().__init__()
        self.history: dict[str, list[Any]] = {}
        self.epoch: list[int] = []

    def on_train_begin(self, logs: Logs | None = None) -> None:
        """Start the epoch list of this run (Keras's behaviour: ``history`` is kept)."""
        self.epoch = []

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        """Append each log value to its key's list."""
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)

    @property
    def params(self) -> dict[str, Any]:
        """``{"epochs": ..., "steps": ...}`` of the run that filled it ({} before one)."""
        return {} if self.trainer is None else self.trainer.params

    def __getitem__(self, key: str) -> list[Any]:
        try:
            return self.history[key]
        except KeyError:
            raise KeyError(
                f"History has no key {key!r}; recorded keys: {list(self.history)}"
            ) from None

    def __contains__(self, key: object) -> bool:
        return key in self.history

    def __iter__(self) -> Iterator[str]:
        return iter(self.history)

    def __len__(self) -> int:
        return len(self.history)

    def keys(self) -> Any:
        """The recorded keys (``history.history.keys()``)."""
        return self.history.keys()

    def items(self) -> Any:
        """``(key, per-epoch values)`` pairs."""
        return self.history.items()

    def __repr__(self) -> str:
        return f"History(epochs={len(self.epoch)}, keys={list(self.history)})"
