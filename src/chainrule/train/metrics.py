"""Metrics for ``fit`` and ``evaluate``: ``"accuracy"`` and any callable.

A metric is computed on each batch from the model's outputs and the targets, with no
graph recorded, and an epoch's value is the mean over its batches weighted by batch
size (so ``accuracy`` is exactly the fraction of all the epoch's samples classified
right, as Keras's stateful metrics give).

``"accuracy"`` (or ``"acc"``) reads outputs as PyTorch's classification losses do:

- outputs with more than one column (shape ``(N, C, ...)``, classes along dim 1, as
  ``CrossEntropyLoss`` takes them): the prediction is the argmax over dim 1, compared
  with integer class targets ``(N, ...)``, or with the argmax of one-hot/probability
  targets of the outputs' own shape;
- outputs with one column (``(N,)`` or ``(N, 1)``, as ``BCEWithLogitsLoss`` takes
  them): the prediction is ``output > 0``, i.e. the outputs are read as logits, and
  targets are 0/1 (read as ``target > 0.5``). A model that ends in a sigmoid should
  pass a callable instead (Keras thresholds probabilities at 0.5; we feed logits).

A callable ``fn(outputs, targets)`` returns a number (or a one-element Tensor) and is
logged under ``fn.__name__``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from ..backend import to_numpy
from ..tensor import Tensor

__all__ = ["accuracy", "resolve_metrics", "MetricTotals"]

MetricFn = Callable[[Any, Any], Any]
RESERVED = ("loss", "lr", "size", "batch")


def _array(value: Any) -> np.ndarray:
    return to_numpy(value.data) if isinstance(value, Tensor) else np.asarray(value)


def accuracy(outputs: Any, targets: Any) -> float:
    """The fraction of rows whose predicted class equals the target (see the module
    docstring for how outputs are read: argmax over dim 1, or ``output > 0`` for one
    column)."""
    out, target = _array(outputs), _array(targets)
    if out.ndim == 0:
        raise ValueError("accuracy: outputs must have a batch dimension, got a 0-d value")
    if out.ndim >= 2 and out.shape[1] > 1:
        predicted = out.argmax(axis=1)
        if target.shape == out.shape:
            target = target.argmax(axis=1)
    else:
        if out.ndim == 2:
            out = out[:, 0]
        if target.ndim == 2 and target.shape[1] == 1:
            target = target[:, 0]
        predicted = out > 0
        target = target > 0.5
    if predicted.shape != target.shape:
        raise ValueError(
            f"accuracy: outputs of shape {tuple(outputs.shape)} give predictions of shape "
            f"{tuple(predicted.shape)}, which do not match targets of shape "
            f"{tuple(np.shape(targets))}; expected class-index targets of shape "
            f"{tuple(predicted.shape)} (or one-hot targets of the outputs' shape)"
        )
    if predicted.size == 0:
        return float("nan")
    return float(np.mean(predicted == target))


def resolve_metrics(
    metrics: Iterable[str | MetricFn] | str | MetricFn,
) -> list[tuple[str, MetricFn]]:
    """``(name, fn)`` for each metric: ``"accuracy"``/``"acc"`` or a callable."""
    if isinstance(metrics, str) or callable(metrics):
        metrics = (metrics,)
    resolved: list[tuple[str, MetricFn]] = []
    for metric in metrics:
        if isinstance(metric, str):
            if metric not in ("accuracy", "acc"):
                raise ValueError(
                    f"unknown metric {metric!r}: the named metrics are 'accuracy' (or 'acc'); "
                    "pass any other metric as a callable fn(outputs, targets) -> float"
                )
            name, fn = metric, accuracy
        elif callable(metric):
            name, fn = getattr(metric, "__name__", type(metric).__name__), metric
        else:
            raise TypeError(
                f"metrics must be names ('accuracy') or callables fn(outputs, targets), "
                f"got {type(metric).__name__}"
            )
        if name in RESERVED or name.startswith("val_"):
            raise ValueError(f"metric name {name!r} is reserved; rename the function")
        if any(name == seen for seen, _ in resolved):
            raise ValueError(f"metric {name!r} is given twice; metric names must be unique")
        resolved.append((name, fn))
    return resolved


class MetricTotals:
    """Running batch-size-weighted means of the metrics over one epoch."""

    def __init__(self, metrics: list[tuple[str, MetricFn]]) -> None:
        self.metrics = metrics
        self.sums = {name: 0.0 for name, _ in metrics}
        self.count = 0

    def update(self, outputs: Any, targets: Any, size: int) -> dict[str, float]:
        """Add one batch of ``size`` samples; return that batch's values."""
        values = {}
        for name, fn in self.metrics:
            value = fn(outputs, targets)
            value = float(value.item() if hasattr(value, "item") else value)
            values[name] = value
            self.sums[name] += value * size
        self.count += size
        return values

    def result(self) -> dict[str, float]:
        """The epoch's means (nan if no sample was seen)."""
        if self.count == 0:
            return {name: float("nan") for name in self.sums}
        return {name: total / self.count for name, total in self.sums.items()}
