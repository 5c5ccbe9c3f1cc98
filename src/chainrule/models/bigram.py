"""``BigramModel``: makemore part 1's count-based bigram model, the baseline to beat.

Every word is read as ``'.' + word + '.'``; ``N[a, b]`` counts how often character
``b`` follows character ``a`` in the training words. With add-one smoothing the
model's probabilities are ``P = (N + 1) / (N + 1).sum(1, keepdims=True)``, and its
loss on a set of words is the mean negative log-likelihood of all their bigrams::

    nll = -mean(log P[a, b] for every bigram (a, b) of every word)

exactly the lecture's ``nll / n``. Those bigrams are the very targets a
character-level model with any ``block_size`` is scored on (each character of a
word and the final '.'), so the two losses compare directly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from ..data.ngram import Vocab, build_ngram_dataset

__all__ = ["BigramModel"]


class BigramModel:
    """Bigram counts and probabilities over a vocabulary ('.' marks both ends of a word).

    ``BigramModel.fit(train_words, vocab).nll(val_words)`` is the baseline's
    validation loss. Attributes: ``vocab``, ``counts`` (int64, ``(V, V)``: row = the
    character, column = the one after it), ``smoothing`` (the count added to every
    cell) and ``probs`` (float64 rows summing to 1).
    """

    def __init__(self, vocab: Vocab, counts: np.ndarray, smoothing: float = 1.0) -> None:
        counts = np.asarray(counts)
        size = vocab.size
        if counts.shape != (size, size):
            raise ValueError(f"BigramModel: counts must have shape ({size}, {size}) for a "
                             f"vocabulary of {size} tokens, got {counts.shape}")
        if smoothing < 0:
            raise ValueError(f"BigramModel: smoothing must be >= 0, got {smoothing!r}")
        self.vocab = vocab
        self.counts = counts
        self.smoothing = float(smoothing)
        smoothed = counts.astype(np.float64) + self.smoothing
        totals = smoothed.sum(axis=1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            self.probs = smoothed / totals

    @classmethod
    def fit(cls, words: Iterable[str], vocab: Vocab | None = None,
            smoothing: float = 1.0) -> BigramModel:
        """Count the bigrams of ``words`` (vocabulary: ``vocab``, or built from the words)."""
        words = list(words)
        vocab = Vocab.from_words(words) if vocab is None else vocab
        first, second = _bigrams(words, vocab)
        counts = np.zeros((vocab.size, vocab.size), dtype=np.int64)
        np.add.at(counts, (first, second), 1)
        return cls(vocab, counts, smoothing)

    def nll(self, words: Sequence[str]) -> float:
        """The mean negative log-likelihood (nats) of the bigrams of ``words``."""
        first, second = _bigrams(list(words), self.vocab)
        if first.size == 0:
            raise ValueError("BigramModel.nll: the words hold no bigrams (no words given)")
        with np.errstate(divide="ignore"):
            return float(-np.log(self.probs[first, second]).mean())

    def __repr__(self) -> str:
        return (f"BigramModel(vocab_size={self.vocab.size}, bigrams={int(self.counts.sum())}, "
                f"smoothing={self.smoothing:g})")


def _bigrams(words: list[str], vocab: Vocab) -> tuple[np.ndarray, np.ndarray]:
    """The (previous, next) ids of every bigram of ``'.' + word + '.'`` for all words."""
    X, Y, _ = build_ngram_dataset(words, block_size=1, vocab=vocab)
    return X.data[:, 0], Y.data
