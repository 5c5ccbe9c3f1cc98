"""Training runs as library calls: what ``chainrule train``, ``lr-find`` and ``sample`` do.

```python
from chainrule.runs import RunConfig, train
result = train(RunConfig())                       # makemore's MLP on census first names
result.metrics["val_loss"], result.metrics["bigram_val_loss"], result.samples
train(RunConfig(data="names.txt", optimizer="sgd", lr=0.1, lr_decay_step=100_000,
                steps=200_000))                   # the lecture's run
```

- ``config.py``: ``RunConfig``, every setting and its default;
- ``datasets.py``: the data of a run, split as makemore splits it;
- ``text.py``: ``train_text_model``, makemore's minibatch loop;
- ``classify.py``: ``train_classifier`` (digits, moons) with ``cr.train.fit``;
- ``lrfind.py``: ``find_lr``, the learning-rate sweep on a run's model and data;
- ``checkpoints.py``: the run checkpoint, ``load_run_checkpoint``, ``sample_from_checkpoint``;
- ``folder.py``: the run folder's files; ``figures.py``: its plots; ``result.py``:
  ``RunResult``; ``setup.py``: optimizer, schedule, folder, printing.

The report page is built by ``chainrule.report.build_report``.
"""

from __future__ import annotations

from typing import TextIO

from .checkpoints import LoadedRun, load_run_checkpoint, sample_from_checkpoint
from .classify import train_classifier
from .config import RunConfig
from .folder import default_run_dir
from .lrfind import LRFindRun, find_lr
from .result import RunResult
from .text import train_text_model

__all__ = [
    "LRFindRun",
    "LoadedRun",
    "RunConfig",
    "RunResult",
    "default_run_dir",
    "find_lr",
    "load_run_checkpoint",
    "sample_from_checkpoint",
    "train",
    "train_classifier",
    "train_text_model",
]


def train(config: RunConfig | None = None, stream: TextIO | None = None) -> RunResult:
    """Run ``config`` (default: ``RunConfig()``): a text model or a classifier by dataset."""
    config = (config or RunConfig()).resolved()
    if config.task == "classification":
        return train_classifier(config, stream)
    return train_text_model(config, stream)
