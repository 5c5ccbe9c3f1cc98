"""One training step of a small CNN on 28x28 single-channel images: chainrule vs PyTorch.

The model is ``Conv2d(1, 16, 3, padding=1) -> ReLU -> MaxPool2d(2) -> Conv2d(16, 32, 3,
padding=1) -> ReLU -> MaxPool2d(2) -> Flatten -> Linear(1568, 10)``, cross-entropy and
Adam, on random images (float32) at batch 32, 64 and 256; both libraries start from the
same weights. Before timing, one step in float64 must give both the same loss, gradients
and updated weights. Each figure is the median over runs of the mean ms per step; the
two engines alternate run by run.

    python benchmarks/cnn_step.py [--torch-threads N] [--runs 7] [--steps 5]
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

import numpy as np
import torch

import chainrule as cr
import chainrule.nn.functional as F


def cnn(nn: Any) -> Any:
    return nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(32 * 7 * 7, 10))


def pair(dtype: Any) -> tuple[Any, Any]:
    """The same model in both libraries (PyTorch's initialisation, copied)."""
    torch.manual_seed(0)
    theirs = cnn(torch.nn).to(torch.float64 if dtype == np.float64 else torch.float32)
    ours = cnn(cr.nn).to(dtype)
    ours.load_state_dict({k: v.detach().numpy().copy() for k, v in theirs.state_dict().items()})
    return ours, theirs


def steps(ours: Any, theirs: Any) -> tuple[Any, Any]:
    opt, topt = cr.optim.Adam(ours.parameters()), torch.optim.Adam(theirs.parameters())

    def ours_step(X: Any, Y: Any) -> Any:
        loss = F.cross_entropy(ours(X), Y)
        loss.backward()
        opt.step()
        opt.zero_grad()
        return loss

    def theirs_step(X: Any, Y: Any) -> Any:
        loss = torch.nn.functional.cross_entropy(theirs(X), Y)
        loss.backward()
        topt.step()
        topt.zero_grad()
        return loss

    return ours_step, theirs_step


def batch(rng: np.random.Generator, size: int, dtype: Any) -> tuple[np.ndarray, np.ndarray]:
    return (rng.standard_normal((size, 1, 28, 28)).astype(dtype),
            rng.integers(0, 10, size).astype(np.int64))


def check_float64() -> None:
    ours, theirs = pair(np.float64)
    ours_step, theirs_step = steps(ours, theirs)
    X, Y = batch(np.random.default_rng(1), 16, np.float64)
    loss = ours_step(cr.tensor(X), cr.tensor(Y))
    tloss = theirs_step(torch.from_numpy(X), torch.from_numpy(Y))
    np.testing.assert_allclose(loss.item(), tloss.item(), rtol=1e-10)
    for (name, value), tvalue in zip(ours.state_dict().items(), theirs.state_dict().values()):
        np.testing.assert_allclose(value.data, tvalue.numpy(), rtol=1e-8, atol=1e-12,
                                   err_msg=name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--torch-threads", type=int, default=0)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--steps", type=int, default=5, help="steps per run")
    args = parser.parse_args()
    if args.torch_threads:
        torch.set_num_threads(args.torch_threads)
    check_float64()
    print(f"chainrule {cr.__version__} | torch {torch.__version__} (threads "
          f"{torch.get_num_threads()}) | median of {args.runs} runs of {args.steps} steps")
    print("float64 check passed: one step gives the same loss and updated weights")
    print(f"{'batch':>5s} {'chainrule ms':>13s} {'torch ms':>9s} {'cr/torch':>8s}")
    rng = np.random.default_rng(0)
    for size in (32, 64, 256):
        ours, theirs = pair(np.float32)
        ours_step, theirs_step = steps(ours, theirs)
        X, Y = batch(rng, size, np.float32)
        inputs = ((ours_step, (cr.tensor(X), cr.tensor(Y))),
                  (theirs_step, (torch.from_numpy(X), torch.from_numpy(Y))))
        samples: list[list[float]] = [[], []]
        for step, data in inputs:
            step(*data)  # warm up
        for _ in range(args.runs):
            for i, (step, data) in enumerate(inputs):
                start = time.perf_counter()
                for _ in range(args.steps):
                    step(*data)
                samples[i].append((time.perf_counter() - start) / args.steps * 1e3)
        a, b = statistics.median(samples[0]), statistics.median(samples[1])
        print(f"{size:5d} {a:13.2f} {b:9.2f} {a / b:8.2f}")


if __name__ == "__main__":
    main()
