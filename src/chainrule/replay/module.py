"""``OptimizedModule``: a module whose forward is recorded once per input signature and replayed.

A call is looked up by its *signature*: the structure version (see
``chainrule._capture``), grad mode, and for each argument its array type, shape,
dtype and ``requires_grad`` (a tensor) or its value (anything hashable). The first
call with a new signature runs the module eagerly while recording its ops; later calls
with that signature replay the recording (``Tape.run``). A forward that cannot be
replayed (see ``recorder`` for what is detected) runs eagerly from then on, after one
warning that says why; with ``fullgraph=True`` that is an error instead.
"""

from __future__ import annotations

import warnings
from typing import Any

from .._capture import CaptureState
from ..grad_mode import _GradMode
from ..nn.module import Module
from ..tensor import Tensor
from .recorder import RECORDING, Recorder, recording
from .tape import Tape, build_tape

CACHE_LIMIT = 8  # default number of signatures recorded per module; past it, eager

_EAGER = "eager"  # a signature whose forward cannot be replayed


class OptimizedModule(Module):
    """``compile(module)``'s result: calls ``module`` through recorded replays.

    It holds the original as ``_orig_mod`` (so its state dict keys start with
    ``_orig_mod.``, as PyTorch's do), shares its parameters, and forwards attribute
    reads that it does not have itself to it.
    """

    def __init__(self, module: Module, fullgraph: bool = False,
                 recompile_limit: int = CACHE_LIMIT) -> None:
        super().__init__()
        self._orig_mod = module
        object.__setattr__(self, "_fullgraph", fullgraph)
        object.__setattr__(self, "_limit", recompile_limit)
        object.__setattr__(self, "_tapes", {})
        object.__setattr__(self, "_warned", False)
        object.__setattr__(self, "_always_eager", False)

    def __getattr__(self, name: str) -> Any:
        modules = self.__dict__.get("_modules")
        if modules is not None and "_orig_mod" in modules:
            return getattr(modules["_orig_mod"], name)
        raise AttributeError(name)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """Run the original module's forward, replaying its recording when there is one."""
        module = self._orig_mod
        if kwargs or self._always_eager or CaptureState.recorder is not None:
            return module(*args, **kwargs)
        signature = self._signature(args)
        if signature is None:
            return module(*args)
        tape = self._tapes.get(signature)
        if tape.__class__ is Tape and tape.still_valid():
            return tape.run(args if tape.positions is None
                            else tuple(args[i] for i in tape.positions))
        if tape is _EAGER:
            return module(*args)
        return self._record(signature, args)

    def _signature(self, args: tuple) -> tuple | None:
        """The lookup key of a call, or None when an argument has no stable key."""
        key: list[Any] = [CaptureState.version, _GradMode.enabled]
        for arg in args:
            if isinstance(arg, Tensor):
                data = arg.data
                key.append((data.__class__, data.shape, data.dtype, arg._requires_grad))
                continue
            try:
                hash(arg)
            except TypeError:
                return None
            key.append((arg.__class__, arg))
        return tuple(key)

    def _record(self, signature: tuple, args: tuple) -> Any:
        """Run the module eagerly on ``args`` while recording it; keep the tape if usable."""
        module = self._orig_mod
        tapes = self._tapes
        for stale in [key for key in tapes if key[0] != signature[0]]:
            del tapes[stale]  # recorded before a structure change: never looked up again
        if len(tapes) >= self._limit:
            self._run_eagerly(signature, f"more than {self._limit} input signatures "
                                         "(compile's recompile_limit)")
            return module(*args)
        positions = tuple(i for i, arg in enumerate(args) if isinstance(arg, Tensor))
        tensors = tuple(args[i] for i in positions)
        recorder = Recorder(self._fullgraph)
        if not RECORDING.acquire(blocking=False):  # another thread is recording
            return module(*args)
        try:
            with recording(recorder):
                output = module(*args)
        finally:
            RECORDING.release()
        if signature[0] != CaptureState.version:
            object.__setattr__(self, "_always_eager", True)
            self._warn("its forward changes module attributes, parameters or hooks")
            return output
        outside = {id(t.data): t for t in (*module.parameters(), *module.buffers())}
        tape = build_tape(recorder, tensors, output, outside)
        if isinstance(tape, str):
            if self._fullgraph:
                raise RuntimeError(f"compile(fullgraph=True): the forward of "
                                   f"{type(module).__name__} cannot be replayed: {tape}")
            self._run_eagerly(signature, tape)
        else:
            tape.positions = None if len(positions) == len(args) else positions
            tapes[signature] = tape
        return output

    def _run_eagerly(self, signature: tuple, reason: str) -> None:
        self._tapes[signature] = _EAGER
        self._warn(reason)

    def _warn(self, reason: str) -> None:
        if not self._warned:
            object.__setattr__(self, "_warned", True)
            warnings.warn(f"compile: {type(self._orig_mod).__name__} runs eagerly: {reason}",
                          stacklevel=5)
