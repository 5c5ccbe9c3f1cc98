"""``fit``: the training loop, with Keras's callbacks, history and progress display.

Each epoch: ``on_epoch_begin``; for every training batch ``optimizer.zero_grad()``,
``loss = loss_fn(model(xb), yb)``, ``loss.backward()``, ``optimizer.step()`` (model in
train mode, graph recorded) with ``on_train_batch_begin/end`` around it; then the
validation pass (``evaluate``'s: eval mode, ``no_grad``); then ``on_epoch_end`` with
the epoch's logs, which ``History`` records. Training stops after ``epochs`` epochs or
as soon as a callback sets ``trainer.stop_training`` (checked after every batch, and
after every epoch; an epoch cut short still validates and reaches ``on_epoch_end``,
as in Keras).

Ctrl-C (``KeyboardInterrupt``) during ``fit``: ``on_train_end`` still runs (so
``EarlyStopping(restore_best_weights=True)`` restores, a checkpoint callback may
save, the progress bar ends its line), the modules' train/eval flags are put back,
and then the interrupt propagates, as it does in Keras. Pass your own ``History`` in
``callbacks`` to keep the epochs recorded before the interrupt.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TextIO

from ..grad_mode import enable_grad, no_grad
from ..random import Generator
from .batches import batch_size_of, count_steps, make_loader, model_dtype, pairs
from .callback import Callback, CallbackList, Logs, Trainer
from .history import History
from .inference import TrainingModes, check_batch_size, evaluate_batches, scalar_loss
from .metrics import MetricFn, MetricTotals, resolve_metrics
from .progress import ProgressLogger, is_terminal

__all__ = ["fit"]


def fit(
    model: Any,
    loss_fn: Callable[[Any, Any], Any],
    optimizer: Any,
    train: Any,
    val: Any = None,
    epochs: int = 1,
    batch_size: int = 32,
    callbacks: Sequence[Callback] = (),
    metrics: Iterable[str | MetricFn] | str | MetricFn = (),
    progress: bool = True,
    *,
    shuffle: bool = True,
    generator: Generator | None = None,
    stream: TextIO | None = None,
) -> History:
    """Train ``model`` for ``epochs`` passes over ``train``; return the ``History``.

    Args:
        model: a ``Module`` (or any callable whose output ``loss_fn`` takes).
        loss_fn: ``loss_fn(outputs, targets)`` returning a scalar Tensor, such as
            ``cr.nn.CrossEntropyLoss()`` or ``F.mse_loss``.
        optimizer: a ``chainrule.optim`` optimizer over the model's parameters.
        train: an ``(X, y)`` pair of Tensors or arrays (what ``cr.data.split``
            returns), batched as ``DataLoader(TensorDataset(X, y), batch_size,
            shuffle=shuffle, generator=generator)``; a dataset (batched the same way);
            or a DataLoader, used as it is. NumPy float arrays are cast to the model's
            float dtype (see ``chainrule.train.batches``).
        val: validation data in the same forms (pairs and datasets in order, in
            batches of ``batch_size``), evaluated after every epoch; None for none.
        epochs: the number of passes over ``train`` (>= 1).
        batch_size: samples per batch for pairs and datasets (>= 1).
        callbacks: ``Callback`` objects, called in order (then ``History``, then the
            progress display).
        metrics: ``"accuracy"`` and/or callables ``fn(outputs, targets) -> float``,
            logged under their names (and ``val_<name>``); see ``chainrule.train.metrics``.
        progress: True shows a live progress bar when ``stream`` is a terminal and one
            line per epoch otherwise; False prints nothing.
        shuffle: reshuffle pairs and datasets every epoch (validation never is).
        generator: the ``chainrule.Generator`` drawing the shuffles (default: the
            global one, seeded by ``cr.manual_seed``).
        stream: where progress goes (default ``sys.stdout`` at call time).

    Returns:
        A ``History``: ``history.history["loss"]`` (or ``history["loss"]``) holds one
        value per epoch, the mean of that epoch's batch losses; ``val_loss`` the
        validation loss (batch-size-weighted mean, i.e. the whole validation set's loss
        for a mean-reduced loss); metrics and ``val_`` metrics (batch-size-weighted);
        ``lr`` the first param group's learning rate during the epoch (read after the
        epoch's last step, before ``on_epoch_end`` callbacks change it).

    Each module's train/eval flag is put back as it was before ``fit`` at the end.
    Ctrl-C: see the module docstring (``on_train_end`` runs, then the interrupt
    propagates).
    """
    if isinstance(epochs, bool) or not hasattr(epochs, "__index__") or epochs < 1:
        raise ValueError(f"fit: epochs must be an integer >= 1, got {epochs!r}")
    epochs = int(epochs)
    batch_size = check_batch_size(batch_size, "fit")
    if not callable(loss_fn):
        raise TypeError(f"fit: loss_fn must be callable, got {type(loss_fn).__name__}")
    if not (hasattr(optimizer, "step") and hasattr(optimizer, "param_groups")):
        raise TypeError(
            "fit: optimizer must be a chainrule.optim optimizer (with step() and "
            f"param_groups), got {type(optimizer).__name__}"
        )
    if not isinstance(progress, bool):
        raise TypeError(f"fit: progress must be True or False, got {progress!r}")
    resolved = resolve_metrics(metrics)
    dtype = model_dtype(model)
    train_loader = make_loader(train, batch_size, shuffle, generator, dtype, "fit (train)")
    val_loader = None if val is None else make_loader(
        val, batch_size, False, None, dtype, "fit (val)")
    stream = sys.stdout if stream is None else stream
    trainer = Trainer(model, optimizer, loss_fn, epochs, count_steps(train_loader), stream)

    callbacks = list(callbacks)
    history = next((c for c in callbacks if isinstance(c, History)), None)
    if history is None:
        history = History()
        callbacks.append(history)
    if progress:
        callbacks.append(ProgressLogger(stream, dynamic=is_terminal(stream)))
    hooks = CallbackList(callbacks, trainer)

    modes = TrainingModes(model)
    logs: Logs = {}
    try:
        hooks.on_train_begin({})
        with enable_grad():
            for epoch in range(epochs):
                trainer.epoch = epoch
                hooks.on_epoch_begin(epoch, {})
                modes.set(True)
                logs = _train_epoch(trainer, hooks, train_loader, resolved, dtype)
                lr = float(optimizer.param_groups[0]["lr"])
                if val_loader is not None:
                    scores = evaluate_batches(model, loss_fn, val_loader, resolved, dtype,
                                              "fit (val)")
                    logs.update({f"val_{key}": value for key, value in scores.items()})
                logs["lr"] = lr
                hooks.on_epoch_end(epoch, logs)
                if trainer.stop_training:
                    break
    except KeyboardInterrupt:
        try:
            hooks.on_train_end(dict(logs))
        finally:
            modes.restore()
        raise
    modes.restore()
    hooks.on_train_end(dict(logs))
    return history


def _train_epoch(trainer: Trainer, hooks: CallbackList, loader: Iterable[Any],
                 metrics: list[tuple[str, MetricFn]], dtype: Any) -> Logs:
    """One pass of training steps; the epoch's ``loss`` and metrics."""
    model, loss_fn, optimizer = trainer.model, trainer.loss_fn, trainer.optimizer
    totals = MetricTotals(metrics)
    loss_sum, steps = 0.0, 0
    for batch, (xb, yb) in enumerate(pairs(loader, dtype, "fit (train)")):
        size = batch_size_of(yb)
        hooks.on_train_batch_begin(batch, {"batch": batch, "size": size})
        optimizer.zero_grad()
        outputs = model(xb)
        loss = loss_fn(outputs, yb)
        value = scalar_loss(loss, "fit")
        loss.backward()
        optimizer.step()
        loss_sum += value
        steps += 1
        batch_logs: Logs = {"batch": batch, "size": size, "loss": value}
        if metrics:
            with no_grad():
                detached = outputs.detach() if hasattr(outputs, "detach") else outputs
                batch_logs.update(totals.update(detached, yb, size))
        hooks.on_train_batch_end(batch, batch_logs)
        if trainer.stop_training:
            break
    if steps == 0:
        raise ValueError("fit: the training data gave no batches")
    logs: Logs = {"loss": loss_sum / steps}
    logs.update(totals.result())
    return logs
