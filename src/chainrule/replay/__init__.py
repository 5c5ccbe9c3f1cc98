"""``chainrule.compile``: record a module's forward once, replay it on later calls.

A training step on a small batch spends much of its time outside the arithmetic:
calling modules, making a Tensor and a graph node per op, sorting the graph for the
backward pass. ``compile(model)`` removes that part. The first call with given input
shapes runs the model eagerly and records the ops it ran; later calls with the same
shapes replay those ops directly on the arrays, and their output (one tensor, or tensors
in tuples and lists, as the forward returned them) hangs from one graph node whose
backward runs the ops' backwards in reverse. Values and gradients are the
ones the eager model computes, op for op (a parameter used twice in one forward gets
its two gradients added before they reach ``.grad``, where eagerly each is added in
turn: the same sum, possibly rounded differently in the last bit).

What a replay repeats is the ops. Python code in a forward runs only when it is
recorded, so a forward that reads tensor values to decide what to do, writes into
arrays outside an op, draws random numbers outside an op, or has forward hooks, is
detected and run eagerly (with one warning saying why). Assigning a module attribute,
switching ``train()``/``eval()`` or adding a hook makes the next call record again.
Not detected, so a forward that relies on them must not be compiled: Python side effects
that touch no tensor (printing, counting calls in a global), values read or written
through ``tensor.data`` in Python, and tensors made inside the forward from NumPy values
(``cr.tensor(np.random.rand(3))``), which a replay keeps as recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..nn.module import Module
from .module import CACHE_LIMIT, OptimizedModule

__all__ = ["OptimizedModule", "compile"]


def compile(  # noqa: A001 - PyTorch's name
    model: Module | None = None,
    *,
    fullgraph: bool = False,
    dynamic: bool | None = None,
    backend: str | Callable | None = None,
    mode: str | None = None,
    options: dict[str, Any] | None = None,
    name: str | None = None,
    disable: bool = False,
    recompile_limit: int | None = None,
    isolate_recompiles: bool = False,
    shapes_spec: Any = None,
) -> Any:
    """Return ``model`` wrapped so that its forward is recorded once and replayed.

    The signature is ``torch.compile``'s. ``fullgraph=True`` raises where the forward
    cannot be replayed instead of running it eagerly. Each input signature is recorded
    on its own, up to ``recompile_limit`` of them (8 by default); past that the module
    runs eagerly. ``dynamic=True`` and ``shapes_spec`` (shapes that vary without a new
    recording) are refused. ``backend``, ``mode``, ``options``, ``name`` and
    ``isolate_recompiles`` tune PyTorch's compilers and are accepted for compatibility:
    this library has one way to compile. ``disable=True`` returns ``model`` itself.
    Without ``model``, returns a decorator. Only modules can be compiled here; a plain
    function raises ``TypeError``.
    """
    if dynamic:
        raise ValueError("compile: dynamic=True is not supported; each input shape is "
                         "recorded on its own (use dynamic=None or False)")
    if shapes_spec is not None:
        raise ValueError("compile: shapes_spec is not supported; each input shape is "
                         "recorded on its own")
    if options is not None and not isinstance(options, dict):
        raise TypeError(f"compile: options must be a dict, got {type(options).__name__}")
    if recompile_limit is not None and (not isinstance(recompile_limit, int)
                                        or recompile_limit < 1):
        raise ValueError(f"compile: recompile_limit must be a positive int, got "
                         f"{recompile_limit!r}")
    if model is None:
        def decorator(model: Module) -> Any:
            return compile(model, fullgraph=fullgraph, dynamic=dynamic, backend=backend,
                           mode=mode, options=options, name=name, disable=disable,
                           recompile_limit=recompile_limit,
                           isolate_recompiles=isolate_recompiles, shapes_spec=shapes_spec)
        return decorator
    if not isinstance(model, Module):
        what = "function" if callable(model) else type(model).__name__
        raise TypeError(f"compile: expected an nn.Module, got a {what}; only modules can be "
                        "compiled in chainrule")
    if disable:
        return model
    return OptimizedModule(model, fullgraph=fullgraph,
                           recompile_limit=recompile_limit or CACHE_LIMIT)
