"""The training commands of the ``chainrule`` command line: ``train``, ``lr-find``,
``sample`` and ``report``.

Each is a thin wrapper: options become a ``chainrule.runs.RunConfig`` and the work is
done by ``chainrule.runs.train``, ``find_lr``, ``sample_from_checkpoint`` and
``chainrule.report.build_report``, which a Python user can call the same way.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

__all__ = ["INTERRUPTED", "add_run_commands"]

INTERRUPTED = 130
"""The exit status after Ctrl-C (128 + SIGINT), as a shell reports it."""


def _config(args: argparse.Namespace, **overrides: Any) -> Any:
    from .runs import RunConfig

    fields = ("dataset", "data", "block_size", "n_embd", "n_hidden", "bn_momentum", "optimizer",
              "weight_decay", "momentum", "batch_size", "seed", "out")
    values = {name: getattr(args, name) for name in fields if hasattr(args, name)}
    values["batchnorm"] = not args.no_batchnorm
    values.update(overrides)
    return RunConfig(**values)


def _cmd_train(args: argparse.Namespace) -> int:
    from .runs import train

    config = _config(
        args, lr=args.lr, lr_decay_step=args.lr_decay_step, lr_decay=args.lr_decay,
        steps=args.steps, epochs=args.epochs, progress=not args.no_progress,
        log_every=args.log_every, diagnostics_every=args.diagnostics_every,
        lr_find=not args.no_lr_find, lr_find_steps=args.lr_find_steps,
        n_samples=args.samples, plots=not args.no_plots,
    )
    result = train(config)
    return INTERRUPTED if result.interrupted else 0


def _cmd_lr_find(args: argparse.Namespace) -> int:
    from .runs import find_lr

    run = find_lr(_config(args, lr_find_steps=args.steps), start_lr=args.start_lr,
                  end_lr=args.end_lr)
    result = run.result
    print(f"swept {len(result.lrs)} rates from {run.start_lr:g} to {result.lrs[-1]:.3g}"
          f"{' (stopped: the loss diverged)' if result.diverged else ''}")
    print(f"suggested learning rate: {result.suggested_lr:.3g}")
    if run.plot is not None:
        print(f"plot: {run.plot}")
    elif run.note:
        print(f"chainrule lr-find: note: {run.note}", file=sys.stderr)
    return 0


def _cmd_sample(args: argparse.Namespace) -> int:
    from .runs import sample_from_checkpoint

    for word in sample_from_checkpoint(args.checkpoint, args.n, seed=args.seed):
        print(word)
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from .report import build_report

    print(f"report written to {build_report(args.run_dir)}")
    return 0


def _add_model_options(parser: argparse.ArgumentParser) -> None:
    """Data, model and optimizer options shared by ``train`` and ``lr-find``."""
    data = parser.add_argument_group("data")
    data.add_argument("--dataset", default="names", metavar="NAME",
                      help="names (census first names, default), surnames, digits or moons")
    data.add_argument("--data", default=None, metavar="PATH",
                      help="a text file of words, one a line (e.g. makemore's names.txt); "
                      "replaces --dataset")
    data.add_argument("--seed", type=int, default=42,
                      help="seed of the split, the weights, the minibatches and the samples (42)")
    model = parser.add_argument_group("model")
    model.add_argument("--block-size", type=int, default=3,
                       help="characters of context (3)")
    model.add_argument("--n-embd", type=int, default=10, help="embedding size (10)")
    model.add_argument("--n-hidden", type=int, default=200, help="hidden tanh units (200)")
    model.add_argument("--no-batchnorm", action="store_true",
                       help="no BatchNorm1d (the hidden Linear gets a bias)")
    model.add_argument("--bn-momentum", type=float, default=0.1,
                       help="BatchNorm1d's running-statistics momentum (0.1; the lecture's "
                       "hand-written loop uses 0.001)")
    optim = parser.add_argument_group("optimizer")
    optim.add_argument("--optimizer", default="sgd", metavar="NAME",
                       help="sgd (default) or adamw")
    optim.add_argument("--weight-decay", type=float, default=None,
                       help="weight decay (AdamW 0.01, SGD 0)")
    optim.add_argument("--momentum", type=float, default=0.0, help="SGD momentum (0)")
    optim.add_argument("--batch-size", type=int, default=32,
                       help="examples per minibatch (32)")


def add_run_commands(commands: Any) -> None:
    """Add ``train``, ``lr-find``, ``sample`` and ``report`` to the subparsers ``commands``."""
    train = commands.add_parser(
        "train", help="train a model (default: makemore's MLP on census first names)",
        description="Train a model and write a run folder: checkpoint, history, plots and "
        "report.html. With no options: makemore's MLP (block_size 3, n_embd 10, n_hidden "
        "200, BatchNorm, tanh) on the census first names, 80/10/10 split, SGD lr 0.1 "
        "decayed x0.1 after 2/3 of 30,000 steps of batch 32; it prints the train/val "
        "losses, the test loss and the bigram baseline at the end, and 20 generated names. "
        "Ctrl-C saves the checkpoint and the report, then exits with status 130.",
        epilog="the lecture's run (makemore part 3): chainrule train --data names.txt "
        "--optimizer sgd --lr 0.1 --steps 200000 --lr-decay-step 100000 --lr-decay 0.1 "
        "--batch-size 32",
    )
    _add_model_options(train)
    run = train.add_argument_group("training")
    run.add_argument("--lr", type=float, default=None,
                     help="learning rate (SGD 0.1, AdamW 0.01)")
    run.add_argument("--lr-decay-step", type=int, default=None, metavar="N",
                     help="multiply the rate by --lr-decay every N steps (epochs for digits "
                     "and moons); default: once, after 2/3 of training; 0: never")
    run.add_argument("--lr-decay", type=float, default=0.1, help="the decay factor (0.1)")
    run.add_argument("--steps", type=int, default=None,
                     help="minibatch steps, each on batch-size random training examples "
                     "drawn with replacement (30000 for text)")
    run.add_argument("--epochs", type=int, default=None,
                     help="passes over the training set instead of --steps "
                     "(digits 30, moons 50)")
    output = train.add_argument_group("output")
    output.add_argument("--out", default=None, metavar="DIR",
                        help="run folder (default runs/<YYYYmmdd-HHMMSS>)")
    output.add_argument("--no-progress", action="store_true",
                        help="no progress lines (the summary is still printed)")
    output.add_argument("--samples", type=int, default=20, metavar="N",
                        help="words to generate at the end (20)")
    output.add_argument("--log-every", type=int, default=None, metavar="N",
                        help="steps between recorded (and validated) losses (1/50 of the run)")
    output.add_argument("--diagnostics-every", type=int, default=None, metavar="N",
                        help="steps between activation/gradient records (1/100 of the run)")
    output.add_argument("--no-lr-find", action="store_true",
                        help="skip the learning-rate sweep before training")
    output.add_argument("--lr-find-steps", type=int, default=1000, metavar="N",
                        help="rates the sweep tries (1000)")
    output.add_argument("--no-plots", action="store_true",
                        help="no PNG plots (the report shows metrics, samples and tables)")
    train.set_defaults(handler=_cmd_train)

    lr_find = commands.add_parser(
        "lr-find", help="sweep learning rates on a model and suggest one",
        description="The learning-rate range test of makemore: one minibatch step at each "
        "of exponentially spaced rates, on the model and data `chainrule train` would use "
        "with the same options. Saves lr_find.png and prints the suggested rate.",
    )
    _add_model_options(lr_find)
    lr_find.add_argument("--start-lr", type=float, default=None,
                         help="first rate (SGD 1e-3, AdamW 1e-4)")
    lr_find.add_argument("--end-lr", type=float, default=None,
                         help="last rate (SGD 1, AdamW 0.1)")
    lr_find.add_argument("--steps", type=int, default=1000, help="rates to try (1000)")
    lr_find.add_argument("--out", default=None, metavar="DIR",
                         help="folder for lr_find.png (default runs/<YYYYmmdd-HHMMSS>)")
    lr_find.set_defaults(handler=_cmd_lr_find)

    sample = commands.add_parser(
        "sample", help="generate words from a trained text model's checkpoint",
        description="Load a run's checkpoint.safetensors and print generated words, one a "
        "line (multinomial sampling in eval mode until '.').",
    )
    sample.add_argument("--checkpoint", required=True, metavar="PATH",
                        help="the checkpoint.safetensors of a `chainrule train` run")
    sample.add_argument("-n", type=int, default=20, help="how many words (20)")
    sample.add_argument("--seed", type=int, default=None,
                        help="seed for reproducible samples (default: fresh each time)")
    sample.set_defaults(handler=_cmd_sample)

    report = commands.add_parser(
        "report", help="rebuild a run folder's report.html",
        description="Rebuild report.html from a run folder's files: one self-contained "
        "page (images embedded, no scripts, no network).",
    )
    report.add_argument("run_dir", metavar="RUN_DIR", help="the run folder")
    report.set_defaults(handler=_cmd_report)
