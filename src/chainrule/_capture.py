"""What the rest of the library tells ``chainrule.compile`` about a forward pass.

``chainrule.compile`` records the ops a module's forward runs and replays them on
later calls. Two facts decide whether a recorded pass is still the right one:

- ``structure_changed()`` is called wherever a module's structure or state that a
  forward reads in Python changes: an attribute assigned, a parameter, buffer or
  child registered, a hook added or removed, training mode switched, a tensor's
  ``requires_grad`` set. Every recorded pass was made at some ``version``; once
  the version moves on, it is recorded again.
- ``note_constant(tensor)`` is called by the creation functions (``zeros``, ``arange``,
  ...), whose results depend on their arguments only: a replay may keep them.
- ``graph_break(reason)`` is called by library code that does, in Python, what a
  replay of the recorded ops would not repeat (reads values to choose a path,
  writes into an array outside an op). While a forward is being recorded, it
  marks the recording as unusable, so the module keeps running eagerly.

Both cost one attribute read when nothing is being recorded.
"""

from __future__ import annotations

from typing import Any


class CaptureState:
    """The structure version and the recorder of the forward being captured, if any."""

    version = 0
    recorder: Any = None


def structure_changed() -> None:
    """Invalidate every recorded forward pass (see the module docstring)."""
    CaptureState.version += 1


def note_constant(tensor: Any) -> None:
    """Tell a recording in progress that ``tensor`` was made from Python values alone (a
    creation function's result): a replay may keep it as recorded."""
    recorder = CaptureState.recorder
    if recorder is not None:
        recorder.note_constant(tensor)


def graph_break(reason: str) -> None:
    """Tell a recording in progress that this forward cannot be replayed, and why."""
    recorder = CaptureState.recorder
    if recorder is not None:
        recorder.graph_break(reason)
