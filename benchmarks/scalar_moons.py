"""micrograd's moons training step in chainrule and in micrograd, in one process.

Both engines train the same MLP(2, [16, 16, 1]) from the same initial weights on
the same 100 points with the same SVM loss + L2 and the same learning rates. The
benchmark checks the losses agree to 1e-9 at every step, then prints the median
step time of each engine and their ratio. It also times the backward pass of a
chain 1,000,000 nodes deep and prints the time per node.

    python benchmarks/scalar_moons.py [--steps 20]
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import time

from micrograd.engine import Value as MicrogradValue
from micrograd.nn import MLP as MicrogradMLP

from chainrule import Value
from chainrule.demo import moons_data, sgd_step, svm_loss
from chainrule.nn.scalar import MLP


def timed_step(model, value_type, X, y, k: int, steps: int) -> tuple[float, float]:
    """One training step; returns (seconds, loss)."""
    start = time.perf_counter()
    loss, _ = svm_loss(model, X, y, value_type=value_type)
    sgd_step(model, loss, k, steps)
    seconds = time.perf_counter() - start
    return seconds, loss.data


def deep_chain_seconds_per_node(n: int) -> float:
    """Backward time per node of ``y = x * 1.0 * 1.0 ...`` (n multiplications)."""
    x = Value(1.0)
    y = x
    for _ in range(n):
        y = y * 1.0
    start = time.perf_counter()
    y.backward()
    elapsed = time.perf_counter() - start
    assert x.grad == 1.0
    # The chain has n op nodes plus n constant leaves and x.
    return elapsed / (2 * n + 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20, help="training steps per engine")
    parser.add_argument("--block", type=int, default=5, help="steps per turn of each engine")
    parser.add_argument("--depth", type=int, default=1_000_000, help="deep-chain length")
    args = parser.parse_args()

    X, y = moons_data()
    random.seed(1337)
    ours = MLP(2, [16, 16, 1])
    theirs = MicrogradMLP(2, [16, 16, 1])
    for p_ours, p_theirs in zip(ours.parameters(), theirs.parameters(), strict=True):
        p_theirs.data = p_ours.data

    # The engines take turns in blocks of steps, so both see the same machine load. Each
    # block runs as training does, garbage collector included (that is micrograd's main
    # cost); only between blocks is the heap cleared, so neither engine's garbage is
    # collected on the other's time.
    our_seconds, our_losses, their_seconds, their_losses = [], [], [], []
    for start in range(0, args.steps, args.block):
        block = range(start, min(start + args.block, args.steps))
        gc.collect()
        for k in block:
            seconds, loss = timed_step(ours, Value, X, y, k, args.steps)
            our_seconds.append(seconds)
            our_losses.append(loss)
        gc.collect()
        for k in block:
            seconds, loss = timed_step(theirs, MicrogradValue, X, y, k, args.steps)
            their_seconds.append(seconds)
            their_losses.append(loss)
    gc.collect()

    worst = max(abs(a - b) for a, b in zip(our_losses, their_losses))
    if worst > 1e-9:
        raise SystemExit(f"losses differ by {worst:.3e} (> 1e-9): the engines disagree")
    ours_median = statistics.median(our_seconds)
    theirs_median = statistics.median(their_seconds)
    print(f"moons step, MLP(2, [16, 16, 1]), 100 points, {args.steps} steps each")
    print(f"  losses agree at every step (max |difference| {worst:.1e})")
    print(f"  micrograd   median step {theirs_median * 1e3:8.1f} ms")
    print(f"  chainrule   median step {ours_median * 1e3:8.1f} ms")
    print(f"  speed-up: chainrule is {theirs_median / ours_median:.1f}x faster than micrograd")

    per_node = deep_chain_seconds_per_node(args.depth)
    print(f"backward of a chain {args.depth:,} ops deep: {per_node * 1e9:.0f} ns per node")


if __name__ == "__main__":
    main()
