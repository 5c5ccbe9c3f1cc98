"""``Diagnostics``: makemore part 3's training statistics, collected by hooks.

Attached to a model, it registers a forward hook on every activation layer and a
forward pre-hook on the model itself. Each forward pass of the model in training
mode is one *step*; on every ``every``-th step (steps 0, every, 2·every, ...) the
hooks record, per layer, the output's mean, std, saturation, dead-unit fraction
and histogram, and ask the output to keep its gradient (``retain_grad``). After
backward, ``step(optimizer)`` (called before ``optimizer.step()``) records those
gradients, the parameters' gradients and the update-to-data ratios. On the other
steps a hook does one comparison and returns, so it is cheap to leave on.

    diag = Diagnostics(model, every=100)
    with diag:
        for xb, yb in batches:
            loss = F.cross_entropy(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            diag.step(optimizer)
            optimizer.step()
    print(diag.summary())

Results are plain lists of dicts, keyed by the dotted names of ``named_modules()``
and ``named_parameters()``, so they can be plotted (``chainrule.viz.plots``),
saved or compared without this class.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from ..grad_mode import is_grad_enabled
from ..nn import activation as act
from ..nn.module import Module, RemovableHandle
from ..tensor import Tensor
from . import stats
from .table import summary_table

__all__ = ["Diagnostics", "DEFAULT_LAYERS"]

DEFAULT_LAYERS: tuple[type[Module], ...] = tuple(
    getattr(act, name) for name in act.__all__ if name not in ("Softmax", "LogSoftmax")
)
"""The layer types watched by default: every activation but (Log)Softmax."""


def _bounds(module: Module) -> tuple[float, float] | None:
    """The output range of a bounded activation (where saturation means something)."""
    if isinstance(module, act.Tanh):
        return (-1.0, 1.0)
    if isinstance(module, act.Sigmoid):
        return (0.0, 1.0)
    if isinstance(module, act.Hardtanh):
        return (float(module.min_val), float(module.max_val))
    return None


def _dies_at_zero(module: Module) -> bool:
    """Whether the layer's gradient is exactly zero for outputs <= 0 (ReLU; ReLU6, a
    Hardtanh, counts as bounded)."""
    return isinstance(module, act.ReLU)


class Diagnostics:
    """Per-layer activation and gradient statistics and per-parameter update ratios.

    Args:
        model: the ``Module`` to watch; it must be called as a whole (its forward
            passes count the steps).
        every: record on steps 0, every, 2·every, ... (``every >= 1``).
        saturation: a bounded activation's output is saturated beyond this
            fraction of its half-range (tanh: ``|t| > 0.97``, as makemore).
        layers: the module types to watch (default ``DEFAULT_LAYERS``, the
            activations); e.g. ``(nn.Linear,)`` for pre-activations.
        bins: bins of the recorded histograms.
        weights_only: ``step()`` records parameters with ``ndim >= 2`` only (the
            weights, as makemore); False records every parameter.
        training_only: count and record only forward passes in training mode, so
            validation passes under ``model.eval()`` do not count as steps.

    Records (each a list with one dict per recorded step, oldest first):
        ``activations[layer]``: ``step, mean, std, saturation, dead_fraction,
        histogram`` where ``histogram = (counts, edges)``; ``saturation`` is None
        for unbounded activations and ``dead_fraction`` None where a unit cannot
        die (neither bounded nor ReLU-like).
        ``gradients[layer]``: ``step, mean, std, histogram`` of d(loss)/d(output).
        ``parameter_gradients[param]``: ``step, mean, std, grad_to_data,
        histogram`` with ``grad_to_data = std(grad) / std(param)``.
        ``update_ratios[param]``: ``step, lr, ratio, log10_ratio`` with
        ``ratio = std(lr·grad) / std(param)``, makemore's update:data ratio of a
        plain SGD step (for adaptive optimizers it is the nominal ratio, not the
        step actually taken).
    """

    def __init__(
        self,
        model: Module,
        every: int = 1,
        saturation: float = 0.97,
        layers: Iterable[type[Module]] | None = None,
        bins: int = 50,
        weights_only: bool = True,
        training_only: bool = True,
    ) -> None:
        if not isinstance(model, Module):
            raise TypeError(f"Diagnostics: model must be a Module, got {type(model).__name__}")
        if isinstance(every, bool) or not isinstance(every, int) or every < 1:
            raise ValueError(f"Diagnostics: every must be an int >= 1, got {every!r}")
        if not 0 < saturation < 1:
            raise ValueError(f"Diagnostics: saturation must be in (0, 1), got {saturation!r}")
        self.model = model
        self.every = every
        self.saturation = float(saturation)
        self.layer_types = tuple(DEFAULT_LAYERS if layers is None else layers)
        self.bins = bins
        self.weights_only = weights_only
        self.training_only = training_only
        self.steps = 0
        self.activations: dict[str, list[dict[str, Any]]] = {}
        self.gradients: dict[str, list[dict[str, Any]]] = {}
        self.parameter_gradients: dict[str, list[dict[str, Any]]] = {}
        self.update_ratios: dict[str, list[dict[str, Any]]] = {}
        self.layers: dict[str, str] = {}
        self._handles: list[RemovableHandle] = []
        self._recording = False
        self._pending: list[tuple[str, int, Tensor]] = []

    # --- attaching -------------------------------------------------------------------

    @property
    def attached(self) -> bool:
        """Whether the hooks are registered."""
        return bool(self._handles)

    def attach(self) -> Diagnostics:
        """Register the hooks (a second call does nothing); returns self."""
        if self._handles:
            return self
        self._handles.append(self.model.register_forward_pre_hook(self._begin_forward))
        for name, module in self.model.named_modules():
            if isinstance(module, self.layer_types):
                name = name or type(module).__name__
                self.layers[name] = type(module).__name__
                self.activations.setdefault(name, [])
                self.gradients.setdefault(name, [])
                self._handles.append(module.register_forward_hook(self._watcher(name, module)))
        return self

    def detach(self) -> Diagnostics:
        """Remove every hook, after recording any gradients backward has produced;
        the records stay. Returns self."""
        for handle in self._handles:
            handle.remove()
        self._handles.clear()
        self._recording = False
        self.record_gradients()
        return self

    def __enter__(self) -> Diagnostics:
        return self.attach()

    def __exit__(self, *exc_info: object) -> None:
        self.detach()

    # --- hooks ----------------------------------------------------------------------------

    @property
    def current_step(self) -> int:
        """The index of the latest counted forward pass (-1 before the first)."""
        return self.steps - 1

    def sampled(self, step: int) -> bool:
        """Whether ``step`` is one of the recorded steps."""
        return step >= 0 and step % self.every == 0

    def _begin_forward(self, module: Module, inputs: tuple) -> None:
        if self.training_only and not module.training:
            self._recording = False
            return
        self.record_gradients()
        self.steps += 1
        self._recording = self.sampled(self.current_step)

    def _watcher(self, name: str, module: Module) -> Any:
        bounds = _bounds(module)
        relu_like = _dies_at_zero(module)

        def hook(module: Module, inputs: tuple, output: Any) -> None:
            if not self._recording or not isinstance(output, Tensor):
                return
            self._record_activation(name, output, bounds, relu_like)
            if output.requires_grad and output.grad_fn is not None and is_grad_enabled():
                output.retain_grad()
                self._pending.append((name, self.current_step, output))

        return hook

    def _record_activation(
        self, name: str, output: Tensor, bounds: tuple[float, float] | None, relu_like: bool
    ) -> None:
        record: dict[str, Any] = {"step": self.current_step}
        record.update(stats.describe(output.data, self.bins))
        record["saturation"] = None
        record["dead_fraction"] = None
        if bounds is not None:
            low, high = bounds
            record["saturation"] = stats.saturated_fraction(output.data, low, high, self.saturation)
            record["dead_fraction"] = stats.dead_fraction(output.data, low, high, self.saturation)
        elif relu_like:
            record["dead_fraction"] = stats.dead_fraction(output.data)
        self.activations[name].append(record)

    # --- after backward ----------------------------------------------------------------

    def record_gradients(self) -> None:
        """Record the gradients of the outputs kept on the last recorded step, if
        backward has run since (``step()`` and the next forward pass call it)."""
        pending, self._pending = self._pending, []
        for name, step, output in pending:
            grad = output.grad
            if grad is not None:
                record = {"step": step, **stats.describe(grad.data, self.bins)}
                self.gradients[name].append(record)

    def step(self, optimizer: Any = None, lr: float | None = None) -> None:
        """Record gradients and update:data ratios of the current step, if sampled.

        Call it after ``loss.backward()`` and before ``optimizer.step()``. The
        learning rate of each parameter is its group's ``lr`` in ``optimizer``
        (parameters it does not hold are skipped), or ``lr`` for all of them.
        """
        self.record_gradients()
        if optimizer is None and lr is None:
            raise TypeError("Diagnostics.step: pass the optimizer (or a learning rate lr=)")
        if self.steps == 0:
            raise RuntimeError(
                "Diagnostics.step: no forward pass of the model has been counted yet "
                "(call the model itself, in training mode, while the diagnostics are attached)"
            )
        step = self.current_step
        if not self.sampled(step):
            return
        rates = self._learning_rates(optimizer, lr)
        for name, param in self.model.named_parameters():
            if param.grad is None or id(param) not in rates:
                continue
            if self.weights_only and param.data.ndim < 2:
                continue
            self._record_parameter(name, param, step, rates[id(param)])

    def _learning_rates(self, optimizer: Any, lr: float | None) -> dict[int, float]:
        if optimizer is None:
            return {id(p): float(lr) for p in self.model.parameters()}
        return {
            id(p): float(group["lr"] if lr is None else lr)
            for group in optimizer.param_groups
            for p in group["params"]
        }

    def _record_parameter(self, name: str, param: Tensor, step: int, lr: float) -> None:
        grad = param.grad.data
        described = stats.describe(grad, self.bins)
        spread = stats.std(param.data)
        grad_to_data = described["std"] / spread if spread else math.inf
        self.parameter_gradients.setdefault(name, []).append(
            {"step": step, **described, "grad_to_data": grad_to_data}
        )
        ratio = stats.update_to_data_ratio(lr, grad, param.data)
        log10 = math.log10(ratio) if ratio > 0 else (-math.inf if ratio == 0 else math.nan)
        self.update_ratios.setdefault(name, []).append(
            {"step": step, "lr": lr, "ratio": ratio, "log10_ratio": log10}
        )

    # --- reading ----------------------------------------------------------------------------

    def summary(self) -> str:
        """A text table of the latest record of every layer and parameter."""
        return summary_table(self)

    def __repr__(self) -> str:
        state = "attached" if self.attached else "detached"
        return (
            f"Diagnostics({type(self.model).__name__}, every={self.every}, "
            f"layers={len(self.layers)}, steps={self.steps}, {state})"
        )
