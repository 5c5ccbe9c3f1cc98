"""Recording one forward pass: which ops ran, on what, and whether a replay could redo it.

While ``recording(recorder)`` is active, every ``Function.apply`` made by the
recording thread at the top level (not from inside another op) is appended to
``recorder.entries`` as ``(op class, arguments, output)``. Everything a replay of
those ops would *not* repeat is noticed and recorded as the reason the pass cannot
be replayed (``recorder.broken``):

- a tensor turned into a Python value (``item()``, ``bool()``, ``float()``,
  ``tolist()``, ``numpy()``, ``__array__``, ``__index__``): the forward may branch on it;
- a tensor made outside an op from another one (``detach()``, ``argmax()``, a
  comparison, a cast without gradient): its value would be frozen;
- an in-place write into a tensor's array, or random numbers drawn outside an op;
- a module with forward hooks, or a hook or ``retain_grad`` set on a tensor;
- library code calling ``graph_break`` (see ``chainrule._capture``).

The patches are class attributes swapped in for the duration and restored on exit;
other threads see the original behaviour.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import Any

from .. import random as random_module
from .._capture import CaptureState
from ..function import Function
from ..nn.module import Module
from ..ops import inplace
from ..tensor import Tensor

RECORDING = threading.Lock()  # one recording at a time: the patches are process-wide

_APPLIES = ("apply", "_apply1", "_apply2", "_apply3")
_VALUE_READS = ("item", "tolist", "numpy", "__array__", "__bool__", "__float__", "__int__",
                "__index__")


class Recorder:
    """The ops of one forward pass, and the first reason it cannot be replayed (if any)."""

    def __init__(self, fullgraph: bool) -> None:
        self.thread = threading.get_ident()
        self.fullgraph = fullgraph
        self.depth = 0
        self.entries: list[tuple[type, tuple, Any]] = []
        self.made_outside_ops: list[Tensor] = []  # kept alive so their ids stay unique
        self.created: list[Tensor] = []
        self.constants: set[int] = set()  # ids of created tensors that were made by _make
        self.broken: str | None = None

    def graph_break(self, reason: str) -> None:
        """Mark this pass as not replayable; with ``fullgraph``, raise instead."""
        if threading.get_ident() != self.thread:
            return
        if self.fullgraph:
            raise RuntimeError(f"compile(fullgraph=True): the forward cannot be replayed: "
                               f"{reason}")
        if self.broken is None:
            self.broken = reason

    def note_constant(self, tensor: Tensor) -> None:
        """``tensor`` comes from a creation function: a constant, not a value made from
        other tensors (see ``chainrule._capture.note_constant``)."""
        if threading.get_ident() == self.thread and self.depth == 0:
            self.created.append(tensor)
            self.constants.add(id(tensor))

    def _ours(self) -> bool:
        return threading.get_ident() == self.thread


def _recording_apply(original: Callable) -> classmethod:
    def apply(cls: type, *args: Any) -> Any:
        recorder = CaptureState.recorder
        if recorder is None or not recorder._ours():
            return original(cls, *args)
        recorder.depth += 1
        try:
            out = original(cls, *args)
        finally:
            recorder.depth -= 1
        if recorder.depth == 0:
            recorder.entries.append((cls, args, out))
        return out

    return classmethod(apply)


def _noting_make(original: Callable) -> classmethod:
    def make(cls: type, *args: Any) -> Any:
        out = original(cls, *args)
        recorder = CaptureState.recorder
        if recorder is not None and recorder.depth == 0 and recorder._ours():
            recorder.made_outside_ops.append(out)
        return out

    return classmethod(make)


def _noting_init(original: Callable) -> Callable:
    def init(self: Tensor, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        recorder = CaptureState.recorder
        if recorder is not None and recorder.depth == 0 and recorder._ours():
            recorder.created.append(self)

    return init


def _breaking(original: Callable, reason: str, outside_ops_only: bool = True) -> Callable:
    def method(*args: Any, **kwargs: Any) -> Any:
        recorder = CaptureState.recorder
        if recorder is not None and (recorder.depth == 0 or not outside_ops_only):
            recorder.graph_break(reason)
        return original(*args, **kwargs)

    return method


def _checking_call(original: Callable) -> Callable:
    def call(self: Module, *args: Any, **kwargs: Any) -> Any:
        if self._forward_hooks or self._forward_pre_hooks:
            graph_break = CaptureState.recorder.graph_break
            graph_break(f"{type(self).__name__} has forward hooks, which a replay would not run")
        return original(self, *args, **kwargs)

    return call


def _patches() -> list[tuple[Any, str, Any]]:
    """(owner, attribute, replacement) for every patch a recording needs."""
    patches: list[tuple[Any, str, Any]] = []
    for name in _APPLIES:
        patches.append((Function, name, _recording_apply(Function.__dict__[name].__func__)))
    patches.append((Tensor, "_make", _noting_make(Tensor.__dict__["_make"].__func__)))
    patches.append((Tensor, "__init__", _noting_init(Tensor.__init__)))
    for name in _VALUE_READS:
        reason = (f"Tensor.{name}() turns a tensor into a Python value, which a replay would "
                  "not recompute")
        patches.append((Tensor, name, _breaking(getattr(Tensor, name), reason)))
    for name in ("retain_grad", "register_hook"):
        if hasattr(Tensor, name):
            patches.append((Tensor, name, _breaking(
                getattr(Tensor, name), f"Tensor.{name}() on a tensor inside the forward")))
    patches.append((inplace, "_write", _breaking(
        inplace._write, "an in-place write into a tensor's array")))
    patches.append((random_module, "numpy_generator", _breaking(
        random_module.numpy_generator, "random numbers drawn outside an op would be frozen")))
    patches.append((Module, "__call__", _checking_call(Module.__call__)))
    return patches


@contextlib.contextmanager
def recording(recorder: Recorder) -> Iterator[Recorder]:
    """Record the ops run inside the block into ``recorder`` (see the module docstring)."""
    patches = _patches()
    saved = [(owner, name, owner.__dict__.get(name, _ABSENT)) for owner, name, _ in patches]
    CaptureState.recorder = recorder
    try:
        for owner, name, replacement in patches:
            setattr(owner, name, replacement)
        yield recorder
    finally:
        CaptureState.recorder = None
        for owner, name, original in saved:
            if original is _ABSENT:
                delattr(owner, name)
            else:
                setattr(owner, name, original)


_ABSENT = object()
