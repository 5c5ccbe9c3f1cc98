"""``build_ngram_dataset``: the (context, next character) pairs of makemore.

As in the lecture: the characters of the words, sorted, are numbered from 1, and
'.' is 0, the token that marks both ends of a word. Each word starts with a
context of ``block_size`` dots; every character, and the final '.', is a target
whose context is the ``block_size`` characters before it. With ``block_size=3``,
"emma" gives ``... -> e, ..e -> m, .em -> m, emm -> a, mma -> .``.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..tensor import Tensor

__all__ = ["Vocab", "build_ngram_dataset"]

BOUNDARY = "."


@dataclass(frozen=True)
class Vocab:
    """A character vocabulary: ``stoi`` (character -> int), ``itos`` (int -> character)
    and ``size`` (the number of tokens, '.' included: 27 for a-z)."""

    stoi: Mapping[str, int]
    itos: Mapping[int, str] = field(init=False)
    size: int = field(init=False)

    def __post_init__(self) -> None:
        itos = {i: s for s, i in self.stoi.items()}
        if sorted(itos) != list(range(len(self.stoi))):
            raise ValueError(f"Vocab: stoi must number its characters 0..n-1, got {self.stoi}")
        object.__setattr__(self, "itos", itos)
        object.__setattr__(self, "size", len(self.stoi))

    @classmethod
    def from_words(cls, words: Iterable[str]) -> Vocab:
        """makemore's vocabulary: '.' is 0, the words' characters 1, 2, ... in sorted order."""
        chars = sorted(set("".join(words)))
        stoi = {s: i + 1 for i, s in enumerate(chars)}
        stoi[BOUNDARY] = 0
        return cls(stoi)

    def encode(self, word: str) -> list[int]:
        """The ids of the characters of ``word``."""
        return [self.stoi[ch] for ch in word]

    def decode(self, ids: Iterable[int]) -> str:
        """The characters of ``ids`` joined into a string."""
        return "".join(self.itos[int(i)] for i in ids)

    def __len__(self) -> int:
        return self.size


def _as_vocab(vocab: Vocab | Mapping[str, int] | None, words: Sequence[str]) -> Vocab:
    if vocab is None:
        for word in words:
            if BOUNDARY in word:
                raise ValueError(
                    f"build_ngram_dataset: the word {word!r} contains {BOUNDARY!r}, which is "
                    "reserved for the start/end token"
                )
        return Vocab.from_words(words)
    if isinstance(vocab, Vocab):
        return vocab
    if isinstance(vocab, Mapping):
        return Vocab(dict(vocab))
    raise TypeError(f"build_ngram_dataset: vocab must be a Vocab or a stoi dict, "
                    f"not {type(vocab).__name__}")


def _encode_all(text: str, vocab: Vocab) -> np.ndarray:
    """The ids of every character of ``text``, looked up with array operations."""
    codepoints = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    chars = sorted(vocab.stoi)
    known = np.array([ord(c) for c in chars], dtype=np.uint32)
    ids = np.array([vocab.stoi[c] for c in chars], dtype=np.int64)
    position = np.minimum(np.searchsorted(known, codepoints), len(known) - 1)
    unknown = known[position] != codepoints
    if unknown.any():
        missing = sorted({chr(c) for c in codepoints[unknown]})
        raise KeyError(f"build_ngram_dataset: characters {missing} are not in the vocabulary")
    return ids[position]


def build_ngram_dataset(
    words: Iterable[str], block_size: int = 3, vocab: Vocab | Mapping[str, int] | None = None
) -> tuple[Tensor, Tensor, Vocab]:
    """``(X, Y, vocab)`` for a character-level model, built exactly as makemore builds them.

    Args:
        words: the words (e.g. ``load_names()`` or ``load_words(path)``).
        block_size: how many characters of context predict the next one.
        vocab: the vocabulary to use (a ``Vocab`` or a ``stoi`` dict); by default it is
            built from ``words``. Pass the training set's vocabulary when building the
            validation and test sets.

    Returns:
        ``X``, an int64 Tensor of shape ``(N, block_size)`` (the contexts), ``Y``, an
        int64 Tensor of shape ``(N,)`` (the next characters), where N is the total
        length of the words plus one per word, and the ``Vocab``.
    """
    words = list(words)
    if isinstance(block_size, bool) or not hasattr(block_size, "__index__") or block_size < 1:
        raise ValueError(f"build_ngram_dataset: block_size must be a positive int, "
                         f"got {block_size!r}")
    block_size = operator.index(block_size)
    for word in words:
        if not isinstance(word, str):
            raise TypeError(f"build_ngram_dataset: words must be strings, got {word!r}")
    vocab = _as_vocab(vocab, words)
    if BOUNDARY not in vocab.stoi:
        raise ValueError(f"build_ngram_dataset: vocab has no boundary token {BOUNDARY!r}")
    lengths = np.fromiter((len(word) + 1 for word in words), dtype=np.int64, count=len(words))
    total = int(lengths.sum())
    if total == 0:
        empty = np.empty((0, block_size), dtype=np.int64)
        return Tensor._make(empty), Tensor._make(np.empty(0, dtype=np.int64)), vocab
    # One stream: each word preceded by block_size dots and followed by one. A target at
    # position t of the stream has the window stream[t - block_size : t] as its context.
    pad = BOUNDARY * block_size
    stream = _encode_all("".join(pad + word + BOUNDARY for word in words), vocab)
    first_target = np.cumsum(block_size + lengths) - lengths  # of each word, in the stream
    position_in_word = np.arange(total) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    targets = np.repeat(first_target, lengths) + position_in_word
    windows = np.lib.stride_tricks.sliding_window_view(stream, block_size)
    X = windows[targets - block_size]  # fancy indexing: a fresh array, not a view
    return Tensor._make(X), Tensor._make(stream[targets]), vocab
