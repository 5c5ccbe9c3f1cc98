"""``train_text_model``: makemore's training loop for a character-level model, as a function.

The loop is the lecture's::

    for i in range(max_steps):
        ix = torch.randint(0, Xtr.shape[0], (batch_size,), generator=g)  # with replacement
        logits = model(Xtr[ix]); loss = F.cross_entropy(logits, Ytr[ix])
        optimizer.zero_grad(); loss.backward(); optimizer.step()

with an optional ``StepLR`` (the lecture's 0.1 -> 0.01 after 100,000 steps), the
``Diagnostics`` recording every ``diagnostics_every`` steps, and every ``log_every``
steps a record of the mean minibatch loss since the last record and the loss of
the whole validation split in eval mode. At the end (or on Ctrl-C): the losses of
the full train/val/test splits in eval mode (BatchNorm on its running
statistics), the bigram baseline on the same split, generated words, the
checkpoint, the plots and the report.
"""

from __future__ import annotations

import dataclasses
import math
import sys
import time
from typing import Any, TextIO

from ..diagnostics import Diagnostics
from ..models.bigram import BigramModel
from ..models.makemore import LECTURE_NAMES, MakemoreMLP, sample
from ..models.params import parameter_table
from ..nn.module import Module
from ..ops.cross_entropy import cross_entropy
from ..optim.lr_finder import lr_find
from ..random import Generator, randint
from ..tensor import Tensor
from ..train.inference import evaluate
from .config import DEFAULT_STEPS, RunConfig
from .datasets import SPLITS, TextData, load_text_data
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

__all__ = ["evaluate_splits", "train_step", "train_text_model"]

EVAL_BATCH = 8192


def train_step(model: Module, optimizer: Any, xb: Tensor, yb: Tensor,
               diagnostics: Diagnostics | None = None) -> float:
    """One minibatch step: forward, cross-entropy, backward, (diagnostics), update.

    Returns the minibatch loss.
    """
    loss = cross_entropy(model(xb), yb)
    optimizer.zero_grad()
    loss.backward()
    if diagnostics is not None:
        diagnostics.step(optimizer)
    optimizer.step()
    return loss.item()


def evaluate_splits(model: Module, tensors: dict[str, tuple[Tensor, Tensor]],
                    names: tuple[str, ...] = SPLITS) -> dict[str, float]:
    """The cross-entropy of the model on each whole split, in eval mode, without a graph."""
    return {name: evaluate(model, cross_entropy, tensors[name], batch_size=EVAL_BATCH)["loss"]
            for name in names}


def _steps(config: RunConfig, n_train: int) -> int:
    if config.steps is not None:
        return config.steps
    if config.epochs is not None:
        return config.epochs * math.ceil(n_train / config.batch_size)
    return DEFAULT_STEPS


def _describe(config: RunConfig, data: TextData, model: MakemoreMLP, steps: int) -> dict:
    sizes = {name: len(data.words[name]) for name in SPLITS}
    examples = {name: int(data.tensors[name][1].shape[0]) for name in SPLITS}
    norm = "BatchNorm1d -> " if config.batchnorm else ""
    return {
        "task": "text",
        "config": config.to_dict(),
        "data": {"description": data.description, "words": sizes, "examples": examples,
                 "vocab": "".join(data.vocab.itos[i] for i in range(data.vocab.size))},
        "model": {"name": "MakemoreMLP", "description": (
            f"Embedding({data.vocab.size}, {config.n_embd}) -> flatten -> "
            f"Linear({config.block_size * config.n_embd}, {config.n_hidden}) -> {norm}"
            f"tanh -> Linear({config.n_hidden}, {data.vocab.size})"),
            "parameters": model.num_parameters()},
        "steps": steps,
    }


def train_text_model(config: RunConfig, stream: TextIO | None = None) -> RunResult:
    """Train makemore's MLP as ``config`` says; write the run folder; return the result.

    Ctrl-C (``KeyboardInterrupt``) during the learning-rate sweep or the training
    loop stops training: the checkpoint (with the step reached), the curves, the
    final losses, samples and the report are still written, and the result has
    ``interrupted=True``.
    """
    start = time.perf_counter()
    config = config.resolved()
    say = Printer(sys.stdout if stream is None else stream, config.progress)
    data = load_text_data(config)
    run_dir = prepare_run_dir(config)
    Xtr, Ytr = data.tensors["train"]
    n_train = int(Ytr.shape[0])
    steps = _steps(config, n_train)
    config = dataclasses.replace(config, steps=steps, epochs=None, out=str(run_dir),
                                 lr_decay_step=decay_step(config, steps))
    generator = Generator().manual_seed(config.seed)
    model_args = {"vocab_size": data.vocab.size, "block_size": config.block_size,
                  "n_embd": config.n_embd, "n_hidden": config.n_hidden,
                  "batchnorm": config.batchnorm, "bn_momentum": config.bn_momentum}
    model = MakemoreMLP(**model_args, generator=generator)
    optimizer = make_optimizer(config, model.parameters())
    scheduler = make_scheduler(config, optimizer)
    info = _describe(config, data, model, steps)
    log_every = config.log_every or max(1, steps // 50)
    print_every = log_every * max(1, round(steps / log_every / 20))
    diagnostics = Diagnostics(model, every=config.diagnostics_every or max(1, steps // 100))

    say.always(f"chainrule train: {info['model']['description']}")
    words = " / ".join(f"{len(data.words[name]):,}" for name in SPLITS)
    examples = " / ".join(f"{int(data.tensors[name][1].shape[0]):,}" for name in SPLITS)
    say.always(f"  data: {data.description}; split {_fractions(config)} by word: "
               f"{words} words, {examples} examples")
    say.always(f"  {model.num_parameters():,} parameters; {_optimizer_text(config)}; "
               f"{steps:,} steps of {config.batch_size} random training examples")
    say.always(f"  run folder: {run_dir}")

    history: dict[str, list[Any]] = {"step": [], "loss": [], "val_loss": [], "lr": []}
    lr_result = None
    done = 0
    interrupted = False
    train_start = time.perf_counter()
    try:
        if config.lr_find:
            low, high = lr_find_range(config)
            lr_result = lr_find(model, cross_entropy, (Xtr, Ytr), start_lr=low, end_lr=high,
                                steps=config.lr_find_steps,
                                optimizer=make_optimizer(config, model.parameters()),
                                batch_size=config.batch_size, generator=generator)
            say.line(f"lr finder: suggested lr {lr_result.suggested_lr:.3g} "
                     f"(training uses {config.lr:g})")
        train_start = time.perf_counter()
        xs, ys = Xtr.data, Ytr.data
        window = 0.0
        with diagnostics:
            for step in range(steps):
                ix = randint(0, n_train, (config.batch_size,), generator=generator).data
                window += train_step(model, optimizer, Tensor._make(xs[ix]),
                                     Tensor._make(ys[ix]), diagnostics)
                done = step + 1
                lr = optimizer.param_groups[0]["lr"]
                if scheduler is not None:
                    scheduler.step()
                if done % log_every == 0 or done == steps:
                    taken = log_every if done % log_every == 0 else done % log_every
                    _record(history, done, window / taken, lr,
                            evaluate_splits(model, data.tensors, ("val",))["val"])
                    window = 0.0
                    if done % print_every == 0 or done == steps:
                        say.line(f"step {done:>{len(str(steps))}}/{steps}  "
                                 f"train {history['loss'][-1]:.4f}  "
                                 f"val {history['val_loss'][-1]:.4f}  lr {lr:.3g}  "
                                 f"{time.perf_counter() - train_start:.1f}s")
    except KeyboardInterrupt:
        interrupted = True
        say.always(f"\ninterrupted at step {done:,} of {steps:,}: saving the checkpoint "
                   "and the report")
    train_seconds = time.perf_counter() - train_start

    model.eval()
    final = evaluate_splits(model, data.tensors)
    bigram = BigramModel.fit(data.words["train"], data.vocab)
    baseline = {name: bigram.nll(data.words[name]) for name in SPLITS}
    samples = sample(model, data.vocab, config.n_samples,
                     generator=Generator().manual_seed(config.seed))
    from .checkpoints import save_run_checkpoint, vocab_chars

    checkpoint = run_dir / CHECKPOINT
    save_run_checkpoint(checkpoint, "makemore", model, optimizer, model_args, config, done,
                        interrupted, vocab=vocab_chars(data.vocab))
    metrics = {
        "train_loss": final["train"], "val_loss": final["val"], "test_loss": final["test"],
        "bigram_train_loss": baseline["train"], "bigram_val_loss": baseline["val"],
        "bigram_test_loss": baseline["test"], "steps_done": done, "steps": steps,
        "interrupted": interrupted, "train_seconds": train_seconds,
        "lr_find_suggested_lr": None if lr_result is None else lr_result.suggested_lr,
    }
    say.always(f"final losses (whole splits, eval mode): train {final['train']:.4f}  "
               f"val {final['val']:.4f}  test {final['test']:.4f}")
    say.always(f"bigram baseline (counts + 1, same split): train {baseline['train']:.4f}  "
               f"val {baseline['val']:.4f}  test {baseline['test']:.4f}")
    say.always(f"  the MLP's val loss is {baseline['val'] - final['val']:.4f} nats "
               f"{'below' if final['val'] < baseline['val'] else 'ABOVE'} the bigram baseline")
    say.always(f"{len(samples)} samples: {', '.join(samples)}")
    metrics["wall_seconds"] = time.perf_counter() - start
    report, notes = write_run_files(
        run_dir, info, history, metrics,
        parameter_table(model, LECTURE_NAMES), samples, diagnostics, lr_result, "step",
        config.plots)
    for note in notes:
        say.always(f"note: {note}")
    say.always(f"wall time: {time.perf_counter() - start:.1f}s ({train_seconds:.1f}s training, "
               f"{done:,} steps)")
    say.always(f"checkpoint: {checkpoint}")
    if report is not None:
        say.always(f"report: {report}")
    return RunResult(run_dir, config, metrics, history, samples, model, data.vocab,
                     interrupted, checkpoint, report, notes)


def _record(history: dict[str, list[Any]], step: int, loss: float, lr: float,
            val_loss: float) -> None:
    history["step"].append(step)
    history["loss"].append(loss)
    history["val_loss"].append(val_loss)
    history["lr"].append(lr)


def _fractions(config: RunConfig) -> str:
    return "/".join(f"{100 * f:g}" for f in config.split)


def _optimizer_text(config: RunConfig) -> str:
    text = f"{'AdamW' if config.optimizer == 'adamw' else 'SGD'} lr {config.lr:g}"
    if config.weight_decay:
        text += f", weight decay {config.weight_decay:g}"
    if config.momentum:
        text += f", momentum {config.momentum:g}"
    if config.lr_decay_step and config.lr_decay != 1:
        text += f", x{config.lr_decay:g} every {config.lr_decay_step:,} steps"
    return text
