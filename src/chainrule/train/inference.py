"""``evaluate`` and ``predict``: running a model over data without training it.

Both run under ``no_grad`` with the model in eval mode (Dropout off, BatchNorm on
its running statistics) and put every module's ``training`` flag back as it was.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from ..data.dataset import TensorDataset
from ..data.loader import DataLoader
from ..grad_mode import no_grad
from ..tensor import Tensor
from .batches import as_tensor, batch_size_of, make_loader, model_dtype, pairs
from .metrics import MetricFn, MetricTotals, resolve_metrics

__all__ = ["evaluate", "predict", "evaluate_batches", "TrainingModes", "check_batch_size"]


def check_batch_size(batch_size: Any, where: str) -> int:
    """``batch_size`` as an int >= 1, or a ValueError saying what it was."""
    if isinstance(batch_size, bool) or not hasattr(batch_size, "__index__") or (
        operator.index(batch_size) < 1
    ):
        raise ValueError(f"{where}: batch_size must be an integer >= 1, got {batch_size!r}")
    return operator.index(batch_size)


class TrainingModes:
    """The ``training`` flag of every module of a model, to put back later."""

    def __init__(self, model: Any) -> None:
        modules = model.modules() if hasattr(model, "modules") else ()
        self.saved = [(module, module.training) for module in modules]
        self.model = model

    def set(self, training: bool) -> None:
        """``model.train(training)``, if the model has modes."""
        if hasattr(self.model, "train") and self.saved:
            self.model.train(training)

    def restore(self) -> None:
        """Put every module's flag back as it was when this was made."""
        for module, training in self.saved:
            object.__setattr__(module, "training", training)


def scalar_loss(loss: Any, where: str) -> float:
    """The value of a one-element loss Tensor, or an error saying what came back."""
    if not isinstance(loss, Tensor):
        raise TypeError(
            f"{where}: loss_fn must return a scalar Tensor, got {type(loss).__name__}"
        )
    if loss.data.size != 1:
        raise ValueError(
            f"{where}: loss_fn must return a scalar (one-element) Tensor, got shape "
            f"{tuple(loss.shape)}; use a loss with reduction='mean' or 'sum'"
        )
    return float(loss.item())


def evaluate_batches(model: Any, loss_fn: Callable[[Any, Any], Any] | None,
                     loader: Iterable[Any], metrics: list[tuple[str, MetricFn]],
                     dtype: np.dtype, where: str) -> dict[str, float]:
    """The batch-size-weighted means of the loss and metrics over ``loader``'s batches."""
    modes = TrainingModes(model)
    totals = MetricTotals(metrics)
    loss_sum, batches = 0.0, 0
    try:
        modes.set(False)
        with no_grad():
            for xb, yb in pairs(loader, dtype, where):
                outputs = model(xb)
                size = batch_size_of(yb)
                if loss_fn is not None:
                    loss_sum += scalar_loss(loss_fn(outputs, yb), where) * size
                totals.update(outputs, yb, size)
                batches += 1
    finally:
        modes.restore()
    if batches == 0:
        raise ValueError(f"{where}: the data gave no batches")
    results = {} if loss_fn is None else {"loss": loss_sum / totals.count}
    results.update(totals.result())
    return results


def evaluate(
    model: Any,
    loss_fn: Callable[[Any, Any], Any] | None,
    data: Any,
    batch_size: int = 32,
    metrics: Iterable[str | MetricFn] | str | MetricFn = (),
) -> dict[str, float]:
    """The loss and metrics of ``model`` on ``data``: ``{"loss": ..., "accuracy": ...}``.

    ``data`` is an ``(X, y)`` pair, a dataset, or a DataLoader (as for ``fit``), taken
    in order in batches of ``batch_size``. Each value is the mean over batches weighted
    by batch size, so for a mean-reduced loss ``"loss"`` is the loss of the whole set,
    whatever the batch size. ``loss_fn=None`` gives the metrics only.
    """
    batch_size = check_batch_size(batch_size, "evaluate")
    dtype = model_dtype(model)
    loader = make_loader(data, batch_size, False, None, dtype, "evaluate")
    return evaluate_batches(model, loss_fn, loader, resolve_metrics(metrics), dtype, "evaluate")


def predict(model: Any, X: Any, batch_size: int = 32) -> Tensor:
    """The model's outputs for every row of ``X``, in order, as one Tensor.

    ``X`` is a Tensor or array of inputs (NumPy floats cast to the model's dtype), a
    dataset or a DataLoader (whose batches may be inputs alone or ``(inputs, targets)``
    pairs, of which the inputs are used). Runs in batches of ``batch_size`` under
    ``no_grad`` in eval mode; the batch outputs are concatenated along dim 0.
    """
    batch_size = check_batch_size(batch_size, "predict")
    dtype = model_dtype(model)
    if isinstance(X, Tensor | np.ndarray):
        X = as_tensor(X, dtype)
        if X.ndim == 0:
            raise ValueError("predict: X must have a first (row) dimension, got a 0-d value")
        loader: Iterable[Any] = DataLoader(TensorDataset(X), batch_size)
    elif isinstance(X, DataLoader):
        loader = X
    elif hasattr(X, "__len__") and hasattr(X, "__getitem__"):
        loader = DataLoader(X, batch_size)
    else:
        raise TypeError(
            f"predict: X must be a Tensor, an array, a dataset or a DataLoader, got "
            f"{type(X).__name__}"
        )
    modes = TrainingModes(model)
    chunks = []
    try:
        modes.set(False)
        with no_grad():
            for batch in loader:
                inputs = batch[0] if isinstance(batch, tuple | list) else batch
                output = model(as_tensor(inputs, dtype))
                if not isinstance(output, Tensor):
                    raise TypeError(
                        f"predict: the model must return a Tensor, got {type(output).__name__}"
                    )
                chunks.append(output.data)
    finally:
        modes.restore()
    if not chunks:
        raise ValueError("predict: X has no rows")
    return Tensor._make(np.concatenate(chunks, axis=0))
