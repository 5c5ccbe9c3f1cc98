"""``RunConfig``: every setting of a training run, with the defaults of ``chainrule train``.

The defaults train makemore's MLP (block_size 3, n_embd 10, n_hidden 200,
BatchNorm, tanh) on the census first names, split 80/10/10 by word. Settings
left as None are filled in by ``resolved()`` from the dataset and the optimizer
(see ``DEFAULT_STEPS``, ``DEFAULT_EPOCHS``, ``DEFAULT_LR``).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "CLASSIFICATION_DATASETS",
    "DEFAULT_DECAY_AT",
    "DEFAULT_EPOCHS",
    "DEFAULT_LR",
    "DEFAULT_STEPS",
    "OPTIMIZERS",
    "RunConfig",
    "TEXT_DATASETS",
]

TEXT_DATASETS = ("names", "surnames")
"""Bundled word lists (census first names, census surnames): a character-level model."""
CLASSIFICATION_DATASETS = ("digits", "moons")
"""Bundled feature datasets (8x8 digits, two moons): an MLP classifier trained with ``fit``."""
OPTIMIZERS = ("sgd", "adamw")

DEFAULT_STEPS = 30_000
"""Minibatch steps of the default text run (about 20 s of training on 2 busy cores)."""
DEFAULT_DECAY_AT = 2 / 3
"""Without ``lr_decay_step``, the rate drops (by ``lr_decay``) once, after this fraction of
the steps (or epochs): the lecture's schedule (0.1, then 0.01 for the last part)."""
DEFAULT_EPOCHS = {"digits": 30, "moons": 50}
DEFAULT_LR = {"sgd": 0.1, "adamw": 0.01}
DEFAULT_WEIGHT_DECAY = {"sgd": 0.0, "adamw": 0.01}


@dataclass
class RunConfig:
    """The settings of one run; ``chainrule train``'s options map one to one onto them.

    Data:
        dataset: ``"names"`` (default), ``"surnames"``, ``"digits"``, ``"moons"``, or
            ``"words"`` with ``data`` the path of a text file of words, one a line
            (makemore's ``names.txt``). Giving ``data`` alone implies ``"words"``.
        split: train / val / test fractions. Words are shuffled (by ``seed``) and cut
            as makemore cuts them: ``n1 = int(0.8 * n)``, ``n2 = int(0.9 * n)``.
    Model:
        block_size, n_embd: context length and embedding size (text models only).
        n_hidden: hidden tanh units. batchnorm: BatchNorm1d before the tanh, whose
            running statistics move by ``bn_momentum`` each step (0.1, PyTorch's; the
            lecture's hand-written loop uses 0.001).
    Optimisation:
        optimizer: ``"sgd"`` (default) or ``"adamw"``; lr (default 0.01 for AdamW, 0.1 for
            SGD); weight_decay (default 0.01 for AdamW, 0 for SGD); momentum (SGD).
        lr_decay_step, lr_decay: multiply the rate by ``lr_decay`` every
            ``lr_decay_step`` steps (``StepLR``; for classification, every that many
            epochs). None (the default): one drop, after 2/3 of the steps (epochs);
            0: no decay. The lecture's schedule, 0.1 then 0.01 after 100,000 of
            200,000 steps, is ``lr=0.1, lr_decay_step=100_000, lr_decay=0.1``.
        steps: minibatch steps of a text model. Each step draws ``batch_size``
            random training rows with replacement (makemore's
            ``randint(0, Xtr.shape[0], (batch_size,))``). epochs: passes over the
            training set; for a text model one epoch is ``ceil(n_train /
            batch_size)`` steps, and a classifier given ``steps`` trains
            ``ceil(steps / batches per epoch)`` epochs. Give one or the other.
        batch_size, seed (data split, initial weights, minibatches, samples).
    Output:
        out: the run folder (default ``runs/<YYYYmmdd-HHMMSS>``); progress: print
        progress lines; log_every: steps between progress lines and validation
        losses (default: 20 lines a run); diagnostics_every: steps between
        diagnostics records (default: 100 a run); lr_find: run the learning-rate
        finder first (its plot joins the report; the run uses ``lr`` regardless),
        over ``lr_find_steps`` steps; n_samples: words generated at the end; plots:
        draw the PNG plots (False: the report has none, the run ends a few seconds
        sooner).
    """

    dataset: str = "names"
    data: str | None = None
    split: tuple[float, float, float] = (0.8, 0.1, 0.1)
    block_size: int = 3
    n_embd: int = 10
    n_hidden: int = 200
    batchnorm: bool = True
    bn_momentum: float = 0.1
    optimizer: str = "sgd"
    lr: float | None = None
    weight_decay: float | None = None
    momentum: float = 0.0
    lr_decay_step: int | None = None
    lr_decay: float = 0.1
    steps: int | None = None
    epochs: int | None = None
    batch_size: int = 32
    seed: int = 42
    out: str | None = None
    progress: bool = True
    log_every: int | None = None
    diagnostics_every: int | None = None
    lr_find: bool = True
    lr_find_steps: int = 1000
    n_samples: int = 20
    plots: bool = True

    @property
    def task(self) -> str:
        """``"text"`` (a character-level model) or ``"classification"``."""
        return "classification" if self.dataset in CLASSIFICATION_DATASETS else "text"

    def resolved(self) -> RunConfig:
        """A checked copy with ``dataset``, ``lr`` and ``weight_decay`` filled in.

        Raises ValueError naming the setting that is wrong and what it accepts.
        """
        config = dataclasses.replace(self, split=tuple(float(f) for f in self.split))
        if config.data is not None:
            if config.dataset not in ("names", "words"):
                raise ValueError(f"give either --data PATH (a words file) or --dataset "
                                 f"{config.dataset!r}, not both")
            config.dataset = "words"
        known = (*TEXT_DATASETS, *CLASSIFICATION_DATASETS)
        if config.dataset == "words" and config.data is None:
            raise ValueError("dataset 'words' needs the path of a words file (--data PATH)")
        if config.dataset != "words" and config.dataset not in known:
            if Path(config.dataset).is_file():
                config.data, config.dataset = config.dataset, "words"
            else:
                raise ValueError(
                    f"unknown dataset {config.dataset!r}: expected one of "
                    f"{', '.join(known)}, or --data PATH for a text file of words "
                    "(one a line)"
                )
        if config.optimizer not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {config.optimizer!r}: expected one of "
                             f"{', '.join(OPTIMIZERS)}")
        if config.lr is None:
            config.lr = DEFAULT_LR[config.optimizer]
        if config.weight_decay is None:
            config.weight_decay = DEFAULT_WEIGHT_DECAY[config.optimizer]
        _check(config)
        return config

    def to_dict(self) -> dict[str, Any]:
        """The settings as a JSON-ready dict (``from_dict`` reads it back)."""
        data = dataclasses.asdict(self)
        data["split"] = list(self.split)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunConfig:
        """The config saved by ``to_dict`` (unknown keys are ignored)."""
        names = {f.name for f in dataclasses.fields(cls)}
        values = {key: value for key, value in data.items() if key in names}
        if "split" in values:
            values["split"] = tuple(values["split"])
        return cls(**values)


def _check(config: RunConfig) -> None:
    for name in ("block_size", "n_embd", "n_hidden", "batch_size", "n_samples",
                 "lr_find_steps"):
        _integer(name, getattr(config, name), minimum=0 if name == "n_samples" else 1)
    for name in ("steps", "epochs", "lr_decay_step", "log_every", "diagnostics_every"):
        if getattr(config, name) is not None:
            _integer(name, getattr(config, name), minimum=0 if name == "lr_decay_step" else 1)
    _integer("seed", config.seed, minimum=0)
    if config.steps is not None and config.epochs is not None:
        raise ValueError("give either steps or epochs, not both")
    if config.lr_find and config.lr_find_steps < 2:
        raise ValueError(f"lr_find_steps must be at least 2, got {config.lr_find_steps}")
    for name in ("lr", "lr_decay"):
        value = getattr(config, name)
        if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
            raise ValueError(f"{name} must be a positive number, got {value!r}")
    for name in ("weight_decay", "momentum"):
        value = getattr(config, name)
        if not (isinstance(value, int | float) and math.isfinite(value) and value >= 0):
            raise ValueError(f"{name} must be a number >= 0, got {value!r}")
    if not (isinstance(config.bn_momentum, int | float) and 0 < config.bn_momentum <= 1):
        raise ValueError(f"bn_momentum must be in (0, 1], got {config.bn_momentum!r}")
    if config.momentum and config.optimizer != "sgd":
        raise ValueError("momentum applies to --optimizer sgd only (AdamW has its betas)")
    split = config.split
    if len(split) != 3 or not math.isclose(sum(split), 1) or min(split) <= 0:
        raise ValueError(f"split must be three positive fractions summing to 1, got {split}")


def _integer(name: str, value: Any, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
