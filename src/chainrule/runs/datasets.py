"""The data of a run: word lists split by word, or feature datasets split by row.

Text: the words are shuffled and cut as makemore cuts them (``random.seed(seed);
random.shuffle(words); n1 = int(0.8 * len(words)); n2 = int(0.9 * len(words))``,
Python's ``random`` module, so seed 42 on makemore's ``names.txt`` gives the
lecture's very split), the vocabulary is built from all words, and each part
becomes ``build_ngram_dataset(part, block_size, vocab)``.

Classification: ``cr.data.split`` by row (seeded), features standardised with
statistics of the training rows only.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..data.digits import load_digits
from ..data.ngram import Vocab, build_ngram_dataset
from ..data.splits import split
from ..data.standardize import Standardizer
from ..data.synthetic import make_moons
from ..data.words import load_names, load_words
from ..tensor import Tensor
from .config import RunConfig

__all__ = ["ClassificationData", "TextData", "load_classification_data", "load_text_data",
           "split_words"]

SPLITS = ("train", "val", "test")
MOONS_SAMPLES = 1000
MOONS_NOISE = 0.2


@dataclass
class TextData:
    """Words split three ways, their vocabulary, and the (context, next id) tensors."""

    description: str
    words: dict[str, list[str]]
    vocab: Vocab
    tensors: dict[str, tuple[Tensor, Tensor]] = field(default_factory=dict)


@dataclass
class ClassificationData:
    """Feature rows split three ways (float32 features, int64 labels)."""

    description: str
    arrays: dict[str, tuple[np.ndarray, np.ndarray]]
    n_inputs: int
    n_classes: int
    mean: np.ndarray
    scale: np.ndarray


def split_words(words: list[str], fractions: tuple[float, float, float] = (0.8, 0.1, 0.1),
                seed: int = 42) -> dict[str, list[str]]:
    """``{"train", "val", "test"}`` word lists, shuffled and cut as makemore does.

    ``random.Random(seed).shuffle`` (the same permutation as ``random.seed(seed);
    random.shuffle(words)``), then cuts at ``int(f1 * n)`` and ``int((f1 + f2) * n)``.
    """
    shuffled = list(words)
    random.Random(seed).shuffle(shuffled)
    n = len(shuffled)
    n1 = int(fractions[0] * n)
    n2 = int((fractions[0] + fractions[1]) * n)
    parts = {"train": shuffled[:n1], "val": shuffled[n1:n2], "test": shuffled[n2:]}
    empty = [name for name, part in parts.items() if not part]
    if empty:
        raise ValueError(f"the {', '.join(empty)} split of {n} words is empty; give more "
                         "words or other split fractions")
    return parts


def _words(config: RunConfig) -> tuple[list[str], str]:
    if config.dataset == "names":
        return load_names("first"), "census first names (1990 US census, names package)"
    if config.dataset == "surnames":
        return load_names("last"), "census surnames (1990 US census, names package)"
    words = load_words(config.data)
    return words, f"words from {config.data}"


def load_text_data(config: RunConfig) -> TextData:
    """The words of ``config.dataset`` split, encoded with ``config.block_size``."""
    words, description = _words(config)
    bad = sorted({word for word in words if "." in word})
    if bad:
        raise ValueError(f"the words may not contain '.', which marks their ends; found "
                         f"{len(bad)} such words, e.g. {bad[0]!r}")
    vocab = Vocab.from_words(words)
    parts = split_words(words, config.split, config.seed)
    data = TextData(f"{description}: {len(words):,} words, vocabulary of {vocab.size}",
                    parts, vocab)
    for name in SPLITS:
        X, Y, _ = build_ngram_dataset(parts[name], config.block_size, vocab)
        data.tensors[name] = (X, Y)
    return data


def load_classification_data(config: RunConfig) -> ClassificationData:
    """The rows of ``digits`` or ``moons``, split by row and standardised."""
    if config.dataset == "digits":
        X, y = load_digits()
        description = "scikit-learn's 8x8 digits: 1,797 images, 10 classes"
    else:
        X, y = make_moons(n_samples=MOONS_SAMPLES, noise=MOONS_NOISE, random_state=config.seed)
        description = (f"two moons: {MOONS_SAMPLES:,} points, noise {MOONS_NOISE}, "
                       f"random_state {config.seed}")
    parts = split(np.asarray(X, dtype=np.float32), np.asarray(y, dtype=np.int64),
                  config.split, seed=config.seed)
    scaler = Standardizer().fit(parts[0][0])
    arrays: dict[str, Any] = {
        name: (scaler.transform(Xs).astype(np.float32), ys) for name, (Xs, ys) in
        zip(SPLITS, parts)
    }
    return ClassificationData(description, arrays, int(X.shape[1]), int(y.max()) + 1,
                              scaler.mean_, scaler.scale_)
