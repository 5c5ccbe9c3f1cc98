"""``MakemoreMLP``: the character-level MLP of makemore part 3, and ``sample`` from it.

The network reads ``block_size`` characters and predicts the next one::

    ids (B, block_size) -> Embedding(vocab_size, n_embd)        C
                        -> flatten to (B, block_size * n_embd)
                        -> Linear(block_size * n_embd, n_hidden) W1 (no bias with BatchNorm)
                        -> BatchNorm1d(n_hidden)                 bngain, bnbias
                        -> Tanh
                        -> Linear(n_hidden, vocab_size)          W2, b2  -> logits

Initialisation, exactly as the lecture's "PyTorch-ified" code initialises it:

- ``C``: N(0, 1).
- ``W1``: N(0, 1) scaled by ``(5/3) / sqrt(block_size * n_embd)``, i.e. Kaiming
  normal with the tanh gain 5/3 and fan-in mode (``kaiming_normal_(w,
  nonlinearity="tanh")``). Its bias, when there is one (no BatchNorm), is 0.
- ``bngain`` 1, ``bnbias`` 0 (BatchNorm1d's own init; running mean 0, variance 1).
- ``W2``: N(0, 1) / sqrt(n_hidden), then ``*= 0.1`` (the "scaled-down last layer":
  the first logits are close to 0, so the initial loss is close to
  ``log(vocab_size)`` instead of a confidently wrong guess); ``b2`` is 0.

Weights are stored as PyTorch stores them, ``(out_features, in_features)``: our
``hidden.weight`` is the lecture's ``W1`` transposed.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..data.ngram import Vocab
from ..grad_mode import no_grad
from ..nn import init
from ..nn.activation import Tanh
from ..nn.flatten import Flatten
from ..nn.linear import Identity, Linear
from ..nn.module import Module
from ..nn.normalization import BatchNorm1d
from ..nn.sparse import Embedding
from ..ops.fused import softmax
from ..random import Generator, multinomial
from ..tensor import Tensor

__all__ = ["LECTURE_NAMES", "MakemoreMLP", "sample"]

LECTURE_NAMES = {
    "embedding.weight": "C",
    "hidden.weight": "W1 (transposed)",
    "hidden.bias": "b1",
    "batchnorm.weight": "bngain",
    "batchnorm.bias": "bnbias",
    "output.weight": "W2 (transposed)",
    "output.bias": "b2",
}
"""The lecture's name for each parameter of ``MakemoreMLP``."""

LAST_LAYER_SCALE = 0.1
"""The factor the last layer's weights are scaled down by at initialisation."""


def _positive_int(name: str, value: Any, owner: str = "MakemoreMLP") -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValueError(f"{owner}: {name} must be a positive int, got {value!r}")
    return int(value)


class MakemoreMLP(Module):
    """makemore part 3's MLP over ``block_size`` characters (see the module docstring).

    Args:
        vocab_size: the number of tokens, '.' included (27 for a-z).
        block_size: characters of context.
        n_embd: size of each character's embedding.
        n_hidden: units of the hidden tanh layer.
        batchnorm: put ``BatchNorm1d`` between the hidden Linear (then without bias)
            and the tanh, as the lecture does; False gives Linear (with bias) -> tanh.
        generator: the ``Generator`` the initial weights are drawn from (default:
            the global one, seeded by ``cr.manual_seed``).
        bn_momentum: BatchNorm1d's ``momentum`` for its running statistics (PyTorch's
            0.1, as the lecture's ``BatchNorm1d`` class; the lecture's hand-written loop
            uses ``bnmean_running = 0.999 * bnmean_running + 0.001 * bnmeani``, i.e. 0.001).

    Calling the model on int64 ids of shape ``(B, block_size)`` gives logits of
    shape ``(B, vocab_size)``.
    """

    def __init__(
        self,
        vocab_size: int,
        block_size: int = 3,
        n_embd: int = 10,
        n_hidden: int = 200,
        batchnorm: bool = True,
        generator: Generator | None = None,
        bn_momentum: float = 0.1,
    ) -> None:
        super().__init__()
        self.vocab_size = _positive_int("vocab_size", vocab_size)
        self.block_size = _positive_int("block_size", block_size)
        self.n_embd = _positive_int("n_embd", n_embd)
        self.n_hidden = _positive_int("n_hidden", n_hidden)
        self.batchnorm_enabled = bool(batchnorm)
        fan_in = self.block_size * self.n_embd
        self.embedding = Embedding(self.vocab_size, self.n_embd)
        self.flatten = Flatten()
        self.hidden = Linear(fan_in, self.n_hidden, bias=not batchnorm)
        self.batchnorm = (BatchNorm1d(self.n_hidden, momentum=bn_momentum) if batchnorm
                          else Identity())
        self.tanh = Tanh()
        self.output = Linear(self.n_hidden, self.vocab_size)
        self.reset_parameters(generator)

    def reset_parameters(self, generator: Generator | None = None) -> None:
        """Draw the lecture's initial weights again (see the module docstring)."""
        with no_grad():
            init.normal_(self.embedding.weight, generator=generator)
            init.kaiming_normal_(self.hidden.weight, nonlinearity="tanh", generator=generator)
            if self.hidden.bias is not None:
                init.zeros_(self.hidden.bias)
            std = LAST_LAYER_SCALE / math.sqrt(self.n_hidden)
            init.normal_(self.output.weight, 0.0, std, generator=generator)
            init.zeros_(self.output.bias)

    def forward(self, ids: Tensor) -> Tensor:
        emb = self.embedding(ids)                  # (B, block_size, n_embd)
        x = self.hidden(self.flatten(emb))         # (B, n_hidden)
        x = self.tanh(self.batchnorm(x))
        return self.output(x)                      # (B, vocab_size)

    def extra_repr(self) -> str:
        return (f"vocab_size={self.vocab_size}, block_size={self.block_size}, "
                f"n_embd={self.n_embd}, n_hidden={self.n_hidden}, "
                f"batchnorm={self.batchnorm_enabled}")


def sample(
    model: Module,
    vocab: Vocab,
    n: int = 20,
    block_size: int | None = None,
    generator: Generator | None = None,
    max_length: int = 50,
) -> list[str]:
    """Generate ``n`` words from a character-level model, as makemore samples them.

    Each word starts from a context of ``block_size`` dots; at each step the model's
    logits for the context go through softmax, the next character is drawn with
    ``multinomial`` (from ``generator``), the context shifts by one, and the word
    ends when '.' is drawn (the '.' is not part of the word). The ``n`` words are
    drawn side by side, one batch per step; a word still going after
    ``max_length`` characters is cut there. The model runs in eval mode (BatchNorm
    uses its running statistics) without a graph; its train/eval flags are
    restored afterwards.

    Args:
        model: a module mapping int64 ids ``(B, block_size)`` to logits ``(B, vocab)``.
        vocab: the ``Vocab`` the model was trained with ('.' must be id 0).
        n: how many words.
        block_size: the context length (default: ``model.block_size``).
        generator: the ``Generator`` for the draws (default: the global one).
        max_length: the longest word generated.
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(f"sample: n must be an int >= 0, got {n!r}")
    if block_size is None:
        block_size = getattr(model, "block_size", None)
        if block_size is None:
            raise ValueError("sample: pass block_size (the model has no block_size attribute)")
    end = vocab.stoi.get(".")
    if end != 0:
        raise ValueError(f"sample: the vocabulary's '.' must be id 0, got {end!r}")
    modes = [(module, module.training) for module in model.modules()]
    model.eval()
    words: list[list[int]] = [[] for _ in range(n)]
    try:
        with no_grad():
            context = np.zeros((n, block_size), dtype=np.int64)
            active = np.arange(n)
            for _ in range(max_length):
                if active.size == 0:
                    break
                logits = model(Tensor._make(context[active]))
                probs = softmax(logits, dim=1)
                drawn = multinomial(probs, num_samples=1, generator=generator).data[:, 0]
                for row, ix in zip(active.tolist(), drawn.tolist()):
                    if ix != 0:
                        words[row].append(ix)
                context[active] = np.concatenate([context[active, 1:], drawn[:, None]], axis=1)
                active = active[drawn != 0]
    finally:
        for module, training in modes:
            module.training = training
    return [vocab.decode(word) for word in words]
