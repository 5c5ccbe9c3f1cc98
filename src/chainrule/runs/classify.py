"""``train_classifier``: an ``MLPClassifier`` on digits or moons, trained with ``cr.train.fit``.

Epochs of shuffled minibatches (``fit``), validation loss and accuracy after each,
the ``Diagnostics`` fed from a callback after every batch, and at the end (or on
Ctrl-C) the loss and accuracy of each whole split, the checkpoint, the plots and
the report, as for a text model (accuracy takes the place of samples).
"""

from __future__ import annotations

import dataclasses
import math
import sys
import time
from typing import Any, TextIO

from ..diagnostics import Diagnostics
from ..models.classifier import MLPClassifier
from ..models.params import parameter_table
from ..ops.cross_entropy import cross_entropy
from ..optim.lr_finder import lr_find
from ..random import Generator
from ..tensor import Tensor
from ..train.callback import Callback, Logs
from ..train.fit import fit
from ..train.history import History
from ..train.inference import evaluate
from ..train.lr_callbacks import LRSchedulerCallback
from .checkpoints import save_run_checkpoint, standardizer_state
from .config import DEFAULT_EPOCHS, RunConfig
from .datasets import SPLITS, ClassificationData, load_classification_data
from .folder import CHECKPOINT
from .result import RunResult, write_run_files
from .setup import (
    Printer,
    decay_step,
    lr_find_range,
    make_optimizer,
    make_scheduler,
    prepare_run_dir,
)

__all__ = ["train_classifier"]


class DiagnosticsCallback(Callback):
    """Calls ``diagnostics.step(optimizer)`` after every training batch of ``fit``.

    ``fit`` has no hook between backward and the update, so the update:data ratio
    is read just after ``optimizer.step()``: same gradient and rate, the weights one
    update later (a difference of about one part in a thousand).
    """

    def __init__(self, diagnostics: Diagnostics) -> None:
        super().__init__()
        self.diagnostics = diagnostics

    def on_train_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        self.diagnostics.step(self.optimizer)


def _epochs(config: RunConfig, steps_per_epoch: int) -> int:
    if config.epochs is not None:
        return config.epochs
    if config.steps is not None:
        return math.ceil(config.steps / steps_per_epoch)
    return DEFAULT_EPOCHS[config.dataset]


def _tensors(data: ClassificationData) -> dict[str, tuple[Tensor, Tensor]]:
    return {name: (Tensor._make(X), Tensor._make(y)) for name, (X, y) in data.arrays.items()}


def train_classifier(config: RunConfig, stream: TextIO | None = None) -> RunResult:
    """Train an ``MLPClassifier`` as ``config`` says; write the run folder; return the result.

    Ctrl-C stops training; the files are still written and the result has
    ``interrupted=True``.
    """
    start = time.perf_counter()
    config = config.resolved()
    out = sys.stdout if stream is None else stream
    say = Printer(out, config.progress)
    data = load_classification_data(config)
    run_dir = prepare_run_dir(config)
    tensors = _tensors(data)
    n_train = int(tensors["train"][1].shape[0])
    epochs = _epochs(config, math.ceil(n_train / config.batch_size))
    config = dataclasses.replace(config, epochs=epochs, steps=None, out=str(run_dir),
                                 lr_decay_step=decay_step(config, epochs))
    generator = Generator().manual_seed(config.seed)
    model_args = {"n_inputs": data.n_inputs, "n_classes": data.n_classes,
                  "n_hidden": config.n_hidden, "batchnorm": config.batchnorm,
                  "bn_momentum": config.bn_momentum}
    model = MLPClassifier(**model_args, generator=generator)
    optimizer = make_optimizer(config, model.parameters())
    scheduler = make_scheduler(config, optimizer)
    norm = "BatchNorm1d -> " if config.batchnorm else ""
    description = (f"MLPClassifier: Linear({data.n_inputs}, {config.n_hidden}) -> {norm}tanh "
                   f"-> Linear({config.n_hidden}, {data.n_classes})")
    rows = {name: int(tensors[name][1].shape[0]) for name in SPLITS}
    info = {"task": "classification", "config": config.to_dict(),
            "data": {"description": data.description, "rows": rows},
            "model": {"name": "MLPClassifier", "description": description,
                      "parameters": model.num_parameters()},
            "epochs": epochs}
    say.always(f"chainrule train: {description}")
    say.always(f"  data: {data.description}; split {' / '.join(f'{rows[s]:,}' for s in SPLITS)}"
               " rows (features standardised on the training rows)")
    say.always(f"  {model.num_parameters():,} parameters; {config.optimizer} lr {config.lr:g};"
               f" {epochs} epochs of batch {config.batch_size}")
    say.always(f"  run folder: {run_dir}")

    diagnostics = Diagnostics(model, every=config.diagnostics_every or max(
        1, epochs * math.ceil(n_train / config.batch_size) // 100))
    history = History()
    callbacks: list[Callback] = [history, DiagnosticsCallback(diagnostics)]
    if scheduler is not None:
        callbacks.append(LRSchedulerCallback(scheduler))
    lr_result = None
    interrupted = False
    train_start = time.perf_counter()
    try:
        if config.lr_find:
            low, high = lr_find_range(config)
            lr_result = lr_find(model, cross_entropy, tensors["train"], start_lr=low,
                                end_lr=high, steps=config.lr_find_steps,
                                optimizer=make_optimizer(config, model.parameters()),
                                batch_size=config.batch_size, generator=generator)
            say.line(f"lr finder: suggested lr {lr_result.suggested_lr:.3g} "
                     f"(training uses {config.lr:g})")
        train_start = time.perf_counter()
        with diagnostics:
            fit(model, cross_entropy, optimizer, tensors["train"], tensors["val"], epochs=epochs,
                batch_size=config.batch_size, callbacks=callbacks, metrics=("accuracy",),
                progress=config.progress, generator=generator, stream=out)
    except KeyboardInterrupt:
        interrupted = True
        say.always(f"\ninterrupted after {len(history.epoch)} of {epochs} epochs: saving the "
                   "checkpoint and the report")
    train_seconds = time.perf_counter() - train_start

    model.eval()
    final = {name: evaluate(model, cross_entropy, tensors[name], batch_size=4096,
                            metrics=("accuracy",)) for name in SPLITS}
    done = len(history.epoch)
    save_run_checkpoint(run_dir / CHECKPOINT, "classifier", model, optimizer, model_args,
                        config, done * math.ceil(n_train / config.batch_size), interrupted,
                        epoch=done, standardizer=standardizer_state(data.mean, data.scale))
    metrics: dict[str, Any] = {}
    for name in SPLITS:
        metrics[f"{name}_loss"] = final[name]["loss"]
        metrics[f"{name}_accuracy"] = final[name]["accuracy"]
    metrics.update({"epochs_done": done, "epochs": epochs, "interrupted": interrupted,
                    "train_seconds": train_seconds,
                    "lr_find_suggested_lr": None if lr_result is None else
                    lr_result.suggested_lr,
                    "wall_seconds": time.perf_counter() - start})
    say.always("final (whole splits, eval mode): " + "  ".join(
        f"{name} loss {final[name]['loss']:.4f} accuracy {final[name]['accuracy']:.2%}"
        for name in SPLITS))
    records = {"epoch": [e + 1 for e in history.epoch], **history.history}
    report, notes = write_run_files(run_dir, info, records, metrics,
                                    parameter_table(model), None, diagnostics, lr_result,
                                    "epoch", config.plots)
    for note in notes:
        say.always(f"note: {note}")
    say.always(f"wall time: {time.perf_counter() - start:.1f}s ({train_seconds:.1f}s training)")
    say.always(f"checkpoint: {run_dir / CHECKPOINT}")
    if report is not None:
        say.always(f"report: {report}")
    return RunResult(run_dir, config, metrics, records, [], model, None, interrupted,
                     run_dir / CHECKPOINT, report, notes)
