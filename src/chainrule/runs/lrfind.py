"""``find_lr``: the learning-rate range test on the model and data a run would train.

The model is built and initialised exactly as ``train`` would build it (same seed),
then ``cr.optim.lr_find`` takes one minibatch step at each of ``steps``
exponentially spaced rates with the run's optimizer and batch size, and the curve
is saved as ``lr_find.png`` in the output folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..models.classifier import MLPClassifier
from ..models.makemore import MakemoreMLP
from ..ops.cross_entropy import cross_entropy
from ..optim.lr_finder import LRFinderResult, lr_find
from ..random import Generator
from ..tensor import Tensor
from .config import RunConfig
from .datasets import load_classification_data, load_text_data
from .setup import lr_find_range, make_optimizer, prepare_run_dir

__all__ = ["LRFindRun", "find_lr"]


@dataclass
class LRFindRun:
    """The sweep's result, the rates it spanned and the plot written (None without
    matplotlib)."""

    result: LRFinderResult
    start_lr: float
    end_lr: float
    plot: Path | None
    note: str | None


def _model_and_data(config: RunConfig, generator: Generator) -> tuple[Any, tuple[Any, Any]]:
    if config.task == "classification":
        data = load_classification_data(config)
        model: Any = MLPClassifier(data.n_inputs, data.n_classes, config.n_hidden,
                                   config.batchnorm, generator=generator,
                                   bn_momentum=config.bn_momentum)
        X, y = data.arrays["train"]
        return model, (Tensor._make(X), Tensor._make(y))
    text = load_text_data(config)
    model = MakemoreMLP(text.vocab.size, config.block_size, config.n_embd, config.n_hidden,
                        config.batchnorm, generator=generator, bn_momentum=config.bn_momentum)
    return model, text.tensors["train"]


def find_lr(config: RunConfig, start_lr: float | None = None, end_lr: float | None = None,
            steps: int | None = None) -> LRFindRun:
    """Sweep the rates from ``start_lr`` to ``end_lr`` (defaults by optimizer: SGD 1e-3..1,
    AdamW 1e-4..0.1) over ``steps`` steps (default ``config.lr_find_steps``) and save
    ``lr_find.png`` in ``config.out`` (default ``runs/<timestamp>``)."""
    config = config.resolved()
    low, high = lr_find_range(config)
    low = low if start_lr is None else start_lr
    high = high if end_lr is None else end_lr
    generator = Generator().manual_seed(config.seed)
    model, train = _model_and_data(config, generator)
    result = lr_find(model, cross_entropy, train, start_lr=low, end_lr=high,
                     steps=config.lr_find_steps if steps is None else steps,
                     optimizer=make_optimizer(config, model.parameters()),
                     batch_size=config.batch_size, generator=generator)
    out = prepare_run_dir(config)
    try:
        from ..viz.plots import plot_lr_finder, save_figure

        plot: Path | None = save_figure(plot_lr_finder(result), out / "lr_find.png")
        note = None
    except ImportError as error:
        plot, note = None, f"no plot: {error}"
    return LRFindRun(result, low, high, plot, note)
