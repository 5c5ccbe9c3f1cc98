"""Progress display for ``fit``: Keras's progbar, written here with no dependency.

On a terminal each epoch gets Keras's live bar, redrawn in place with carriage
returns at most every ``interval`` seconds::

    Epoch 3/20
    12/50 [=====>........................] - ETA: 3s - loss: 0.4321 - 2ms/step

and finished, once the epoch (validation included) is over, as::

    50/50 [==============================] - 0s 2ms/step - loss: 0.4101 - val_loss: 0.3980

When the output is not a terminal (a log file, a notebook capture, CI), redrawing
would leave a mess, so each epoch prints one plain line instead::

    Epoch 3/20 - 50/50 - 0s 2ms/step - loss: 0.4101 - val_loss: 0.3980

The bar shows the running mean of the epoch's batch losses (and metrics); the final
line shows the epoch's logs (every key but ``lr``, which ``History`` records).

Why our own and not tqdm or rich: ``fit`` belongs to the core, which depends on
NumPy only, and a Keras-style bar is under a hundred lines of string formatting
(``rich`` stays an optional extra, ``chainrule[cli]``, for the command line's output).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any, TextIO

from .callback import Callback, Logs

__all__ = ["Progbar", "ProgressLogger", "format_values", "is_terminal"]


def is_terminal(stream: Any) -> bool:
    """Whether ``stream`` is an interactive terminal (``stream.isatty()``)."""
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty()) if isatty is not None else False
    except (ValueError, OSError):  # a closed or detached stream
        return False


def format_number(value: Any) -> str:
    """Keras's rule: 4 decimals, or 4 significant digits in e-notation near zero."""
    try:
        value = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(value) or abs(value) > 1e-3:
        return f"{value:.4f}"
    return f"{value:.4e}"


def format_values(values: dict[str, Any]) -> str:
    """`` - name: value`` for each entry."""
    return "".join(f" - {name}: {format_number(value)}" for name, value in values.items())


def format_eta(seconds: float) -> str:
    """``h:mm:ss``, ``m:ss`` or ``Ns``."""
    seconds = int(seconds)
    if seconds > 3600:
        return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    if seconds > 60:
        return f"{seconds // 60}:{seconds % 60:02d}"
    return f"{seconds}s"


def format_step_time(seconds: float) -> str:
    """Time per step in s, ms or us, as Keras prints it."""
    if seconds >= 1 or seconds == 0:
        return f"{seconds:.0f}s/step"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/step"
    return f"{seconds * 1e6:.0f}us/step"


class Progbar:
    """A progress bar over ``target`` steps (None: unknown), redrawn in place on ``stream``.

    ``update(current, values)`` redraws at most every ``interval`` seconds;
    ``update(..., finalize=True)`` always draws and ends the line. ``clock`` gives the
    time in seconds (``time.perf_counter`` by default).
    """

    def __init__(self, target: int | None, stream: TextIO, width: int = 30,
                 interval: float = 0.05, clock: Callable[[], float] = time.perf_counter) -> None:
        self.target = target
        self.stream = stream
        self.width = width
        self.interval = interval
        self.clock = clock
        self.start = clock()
        self._last_update = -math.inf
        self._drawn_width = 0
        self.line_open = False

    def bar(self, current: int) -> str:
        """``12/50 [=====>.....]`` (``12/Unknown`` without a target)."""
        if not self.target:
            return f"{current}/Unknown"
        digits = len(str(self.target))
        filled = int(self.width * min(current / self.target, 1.0))
        body = ""
        if filled > 0:
            body = "=" * (filled - 1) + (">" if current < self.target else "=")
        body += "." * (self.width - filled)
        return f"{current:{digits}d}/{self.target} [{body}]"

    def update(self, current: int, values: dict[str, Any] | None = None,
               finalize: bool = False) -> None:
        """Draw the bar at step ``current`` with ``values`` (e.g. the running loss)."""
        now = self.clock()
        if not finalize and now - self._last_update < self.interval:
            return
        self._last_update = now
        elapsed = now - self.start
        per_step = elapsed / current if current else 0.0
        line = self.bar(current)
        if finalize:
            line += f" - {elapsed:.0f}s {format_step_time(per_step)}" + format_values(values or {})
        else:
            if self.target and current < self.target:
                line += f" - ETA: {format_eta(per_step * (self.target - current))}"
            line += format_values(values or {}) + f" - {format_step_time(per_step)}"
        padding = " " * max(self._drawn_width - len(line), 0)
        self.stream.write("\r" + line + padding + ("\n" if finalize else ""))
        self.stream.flush()
        self._drawn_width = 0 if finalize else len(line)
        self.line_open = not finalize

    def break_line(self) -> None:
        """End a bar left mid-line, so that a message starts on a fresh line."""
        if self.line_open:
            self.stream.write("\n")
            self.stream.flush()
            self.line_open = False
            self._drawn_width = 0


class ProgressLogger(Callback):
    """Prints ``fit``'s progress to ``stream``: a live bar per epoch when
    ``dynamic`` (a terminal), one line per epoch otherwise."""

    def __init__(self, stream: TextIO, dynamic: bool, interval: float = 0.05) -> None:
        super().__init__()
        self.stream = stream
        self.dynamic = dynamic
        self.interval = interval
        self.progbar: Progbar | None = None
        self._reset()

    def _reset(self) -> None:
        self.seen = 0
        self.loss_sum = 0.0
        self.samples = 0
        self.metric_sums: dict[str, float] = {}
        self.start = time.perf_counter()

    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        """Print the epoch header and start its bar."""
        self._reset()
        if self.dynamic:
            self.stream.write(f"Epoch {epoch + 1}/{self.params['epochs']}\n")
            self.stream.flush()
            self.progbar = Progbar(self.params["steps"], self.stream, interval=self.interval)
            self._run()._open_line = self.progbar

    def on_train_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        """Add the batch to the running means and redraw the bar."""
        logs = logs or {}
        size = int(logs.get("size", 1))
        self.seen += 1
        self.loss_sum += float(logs.get("loss", math.nan))
        self.samples += size
        for key, value in logs.items():
            if key not in ("loss", "size", "batch"):
                self.metric_sums[key] = self.metric_sums.get(key, 0.0) + float(value) * size
        if self.progbar is not None:
            running = {"loss": self.loss_sum / self.seen}
            running.update({k: v / self.samples for k, v in self.metric_sums.items()})
            self.progbar.update(self.seen, running)

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        """Finish the bar, or print the epoch's line, with the epoch's logs."""
        shown = {k: v for k, v in (logs or {}).items() if k != "lr"}
        if self.progbar is not None:
            self.progbar.update(self.seen, shown, finalize=True)
            self.progbar = None
            self._run()._open_line = None
            return
        elapsed = time.perf_counter() - self.start
        per_step = elapsed / self.seen if self.seen else 0.0
        steps = self.params["steps"]
        count = f"{self.seen}/{steps}" if steps else f"{self.seen}/Unknown"
        self.stream.write(
            f"Epoch {epoch + 1}/{self.params['epochs']} - {count} - {elapsed:.0f}s "
            f"{format_step_time(per_step)}{format_values(shown)}\n"
        )
        self.stream.flush()

    def on_train_end(self, logs: Logs | None = None) -> None:
        """End a bar left open (training interrupted mid-epoch)."""
        if self.progbar is not None:
            self.progbar.break_line()
            self.progbar = None
            self._run()._open_line = None
