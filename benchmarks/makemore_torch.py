"""The makemore lecture's BatchNorm MLP trained in PyTorch: the reference run for
`chainrule train --data names.txt` with the same settings.

block_size 3, n_embd 10, n_hidden 200, BatchNorm, tanh, batch 32, 200,000 SGD steps at
lr 0.1 then 0.01 after 100,000, an 80/10/10 split of the words (shuffled with seed 42, as
the lecture does), minibatches drawn with replacement. Prints the final train/val/test
losses on the full splits (eval mode) and the wall time.

    python benchmarks/makemore_torch.py PATH/TO/names.txt [--steps 200000] [--threads N]
"""

from __future__ import annotations

import argparse
import random
import time

import torch
import torch.nn.functional as F


def build_dataset(words: list[str], stoi: dict[str, int], block_size: int):
    X, Y = [], []
    for word in words:
        context = [0] * block_size
        for ch in word + ".":
            ix = stoi[ch]
            X.append(context)
            Y.append(ix)
            context = context[1:] + [ix]
    return torch.tensor(X), torch.tensor(Y)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("words", help="a text file of words, one per line (names.txt)")
    parser.add_argument("--steps", type=int, default=200_000)
    parser.add_argument("--threads", type=int, default=None, help="torch threads")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)

    words = [w.strip() for w in open(args.words, encoding="utf-8") if w.strip()]
    chars = sorted(set("".join(words)))
    stoi = {ch: i + 1 for i, ch in enumerate(chars)}
    stoi["."] = 0
    random.seed(42)
    random.shuffle(words)
    n1, n2 = int(0.8 * len(words)), int(0.9 * len(words))
    block_size = 3
    Xtr, Ytr = build_dataset(words[:n1], stoi, block_size)
    Xdev, Ydev = build_dataset(words[n1:n2], stoi, block_size)
    Xte, Yte = build_dataset(words[n2:], stoi, block_size)

    torch.manual_seed(2147483647)
    vocab = len(stoi)
    model = torch.nn.Sequential(
        torch.nn.Embedding(vocab, 10), torch.nn.Flatten(),
        torch.nn.Linear(30, 200, bias=False), torch.nn.BatchNorm1d(200), torch.nn.Tanh(),
        torch.nn.Linear(200, vocab),
    )
    with torch.no_grad():
        torch.nn.init.normal_(model[0].weight)
        torch.nn.init.normal_(model[2].weight, std=(5 / 3) / 30**0.5)
        model[5].weight.mul_(0.1)
        model[5].bias.zero_()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    generator = torch.Generator().manual_seed(2147483647)

    start = time.perf_counter()
    for step in range(args.steps):
        ix = torch.randint(0, Xtr.shape[0], (32,), generator=generator)
        loss = F.cross_entropy(model(Xtr[ix]), Ytr[ix])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.param_groups[0]["lr"] = 0.1 if step < 100_000 else 0.01
        optimizer.step()
        if step % 10_000 == 0:
            print(f"{step:7d}/{args.steps}: {loss.item():.4f}", flush=True)
    seconds = time.perf_counter() - start

    model.eval()
    with torch.no_grad():
        for name, (X, Y) in {"train": (Xtr, Ytr), "val": (Xdev, Ydev), "test": (Xte, Yte)}.items():
            print(f"{name} loss {F.cross_entropy(model(X), Y).item():.4f}")
    print(f"training time {seconds:.1f} s ({seconds / args.steps * 1e3:.3f} ms/step, "
          f"torch {torch.__version__}, {torch.get_num_threads()} threads)")


if __name__ == "__main__":
    main()
