"""Per-op cost of forward + backward on small float32 tensors: chainrule vs PyTorch vs NumPy.

For each op the same work is done three ways in one process:

- chainrule: Tensors with ``requires_grad=True``, then ``backward()``;
- PyTorch (CPU, default thread count, printed): the same, with torch's autograd;
- NumPy: the same forward and backward arithmetic written by hand, no autograd —
  the floor that any NumPy-based engine pays, so that "chainrule - NumPy" is the
  engine's own overhead (graph building, ``Function.apply``, the backward walk).

Two modes per op:

- chain: K = 20 applications per ``backward()`` call, so that the fixed cost of
  one ``backward()`` (topological sort, seeding) is amortised; the time per
  application is reported. Elementwise ops chain naturally (``y = op(y, w)``).
  The matmul chain alternates ``(32, 30) @ (30, 200)`` and ``(32, 200) @ (200, 30)``
  (equal FLOPs) so shapes stay valid. ``sum`` and ``C[X]`` change shapes, so their
  chain applies the op K times to the same leaf and adds the results
  (``acc = acc + x.sum()``, a 0-d add; ``acc = acc + C[X_k]``, a (32, 3, 10) add):
  the cost of that add is included in their per-application figure, and chainrule
  records two graph nodes per application there: the "per node" column divides the
  overhead above NumPy by the nodes recorded per application (1 elsewhere).
- single: one op, forward and ``backward()``, fixed costs included.

Every timed call also resets the leaves' ``.grad`` to None. Each figure is the
median over several runs of many repetitions (``time.perf_counter``), the three
engines interleaved run by run; before timing, the gradients of the three are
checked to agree. Python's cyclic GC stays on, as in a user's training loop.
On a machine shared with other busy processes, torch's intra-op threads can
stall badly (milliseconds per small op); ``--torch-threads 1`` shows torch
without that effect, and ``--stat min`` the least-disturbed run of each.

    python benchmarks/tensor_ops.py [--runs 15] [--target 0.02] [--stat median|min]
                                     [--torch-threads N]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

import chainrule as cr

K = 20
B, H, N = 32, 200, 30  # batch, width, matmul inner size
VOCAB, EMB, BLOCK = 27, 10, 3
STATS = {"median": statistics.median, "min": min}


@dataclass
class Case:
    """One row of the table: three callables doing the same forward + backward."""

    op: str
    mode: str
    per_call: int  # op applications per call
    ours: Callable[[], list]
    theirs: Callable[[], list]
    floor: Callable[[], list]
    nodes: int = 1  # graph nodes chainrule records per application (the +add rows: 2)


def _cr(a: np.ndarray, grad: bool = True) -> cr.Tensor:
    return cr.tensor(a, requires_grad=grad)


def _torch(a: np.ndarray, grad: bool = True) -> torch.Tensor:
    return torch.tensor(a, requires_grad=grad)


def _leaf_grads(*leaves) -> list:
    return [leaf.grad for leaf in leaves]


def _reset(*leaves) -> None:
    for leaf in leaves:
        leaf.grad = None


def elementwise_cases(rng: np.random.Generator) -> list[Case]:
    x0 = rng.normal(size=(B, H)).astype(np.float32)
    w0 = (1 + 0.01 * rng.normal(size=(B, H))).astype(np.float32)
    seed = np.ones((B, H), dtype=np.float32)
    x, w, tx, tw = _cr(x0), _cr(w0), _torch(x0), _torch(w0)
    tseed = torch.from_numpy(seed)
    cases = []

    def add_chain():
        _reset(x, w)
        y = x
        for _ in range(K):
            y = y + w
        y.backward(seed)
        return _leaf_grads(x, w)

    def add_chain_t():
        _reset(tx, tw)
        y = tx
        for _ in range(K):
            y = y + tw
        y.backward(tseed)
        return _leaf_grads(tx, tw)

    def add_chain_np():
        y = x0
        for _ in range(K):
            y = y + w0
        g = seed
        gw = g.copy()
        for _ in range(K - 1):
            gw += g
        return [g.copy(), gw]

    def add_one():
        _reset(x, w)
        (x + w).backward(seed)
        return _leaf_grads(x, w)

    def add_one_t():
        _reset(tx, tw)
        (tx + tw).backward(tseed)
        return _leaf_grads(tx, tw)

    def add_one_np():
        _ = x0 + w0
        return [seed.copy(), seed.copy()]

    cases += [
        Case("add 32x200", "chain", K, add_chain, add_chain_t, add_chain_np),
        Case("add 32x200", "single", 1, add_one, add_one_t, add_one_np),
    ]

    def mul_chain():
        _reset(x, w)
        y = x
        for _ in range(K):
            y = y * w
        y.backward(seed)
        return _leaf_grads(x, w)

    def mul_chain_t():
        _reset(tx, tw)
        y = tx
        for _ in range(K):
            y = y * tw
        y.backward(tseed)
        return _leaf_grads(tx, tw)

    def mul_chain_np():
        ys = [x0]
        for _ in range(K):
            ys.append(ys[-1] * w0)
        g = seed
        gw = None
        for k in range(K - 1, -1, -1):
            contribution = g * ys[k]
            gw = contribution if gw is None else gw + contribution
            g = g * w0
        return [g, gw]

    def mul_one():
        _reset(x, w)
        (x * w).backward(seed)
        return _leaf_grads(x, w)

    def mul_one_t():
        _reset(tx, tw)
        (tx * tw).backward(tseed)
        return _leaf_grads(tx, tw)

    def mul_one_np():
        _ = x0 * w0
        return [seed * w0, seed * x0]

    cases += [
        Case("mul 32x200", "chain", K, mul_chain, mul_chain_t, mul_chain_np),
        Case("mul 32x200", "single", 1, mul_one, mul_one_t, mul_one_np),
    ]

    def tanh_chain():
        _reset(x)
        y = x
        for _ in range(K):
            y = cr.tanh(y)
        y.backward(seed)
        return _leaf_grads(x)

    def tanh_chain_t():
        _reset(tx)
        y = tx
        for _ in range(K):
            y = torch.tanh(y)
        y.backward(tseed)
        return _leaf_grads(tx)

    def tanh_chain_np():
        outs = []
        y = x0
        for _ in range(K):
            y = np.tanh(y)
            outs.append(y)
        g = seed
        for out in reversed(outs):
            g = g * (1 - out * out)
        return [g]

    def tanh_one():
        _reset(x)
        cr.tanh(x).backward(seed)
        return _leaf_grads(x)

    def tanh_one_t():
        _reset(tx)
        torch.tanh(tx).backward(tseed)
        return _leaf_grads(tx)

    def tanh_one_np():
        out = np.tanh(x0)
        return [seed * (1 - out * out)]

    cases += [
        Case("tanh 32x200", "chain", K, tanh_chain, tanh_chain_t, tanh_chain_np),
        Case("tanh 32x200", "single", 1, tanh_one, tanh_one_t, tanh_one_np),
    ]

    def sum_chain():
        _reset(x)
        acc = x.sum()
        for _ in range(K - 1):
            acc = acc + x.sum()
        acc.backward()
        return _leaf_grads(x)

    def sum_chain_t():
        _reset(tx)
        acc = tx.sum()
        for _ in range(K - 1):
            acc = acc + tx.sum()
        acc.backward()
        return _leaf_grads(tx)

    def sum_chain_np():
        acc = x0.sum()
        for _ in range(K - 1):
            acc = acc + x0.sum()
        g = np.ones((), dtype=np.float32)
        gx = np.broadcast_to(g, x0.shape).copy()
        for _ in range(K - 1):
            gx += np.broadcast_to(g, x0.shape)
        return [gx]

    def sum_one():
        _reset(x)
        x.sum().backward()
        return _leaf_grads(x)

    def sum_one_t():
        _reset(tx)
        tx.sum().backward()
        return _leaf_grads(tx)

    def sum_one_np():
        _ = x0.sum()
        return [np.broadcast_to(np.ones((), dtype=np.float32), x0.shape).copy()]

    cases += [
        Case("sum 32x200 (+0-d add)", "chain", K, sum_chain, sum_chain_t, sum_chain_np, 2),
        Case("sum 32x200", "single", 1, sum_one, sum_one_t, sum_one_np),
    ]
    return cases


def matmul_cases(rng: np.random.Generator) -> list[Case]:
    x0 = rng.normal(size=(B, N)).astype(np.float32)
    w0 = (rng.normal(size=(N, H)) / np.sqrt(N)).astype(np.float32)
    v0 = (rng.normal(size=(H, N)) / np.sqrt(H)).astype(np.float32)
    x, w, v = _cr(x0), _cr(w0), _cr(v0)
    tx, tw, tv = _torch(x0), _torch(w0), _torch(v0)
    seed_chain = np.ones((B, N), dtype=np.float32)
    seed_one = np.ones((B, H), dtype=np.float32)
    tseed_chain, tseed_one = torch.from_numpy(seed_chain), torch.from_numpy(seed_one)

    def chain():
        _reset(x, w, v)
        y = x
        for k in range(K):
            y = y @ (w if k % 2 == 0 else v)
        y.backward(seed_chain)
        return _leaf_grads(x, w, v)

    def chain_t():
        _reset(tx, tw, tv)
        y = tx
        for k in range(K):
            y = y @ (tw if k % 2 == 0 else tv)
        y.backward(tseed_chain)
        return _leaf_grads(tx, tw, tv)

    def chain_np():
        hs = [x0]
        for k in range(K):
            hs.append(hs[-1] @ (w0 if k % 2 == 0 else v0))
        g = seed_chain
        gw = np.zeros_like(w0)
        gv = np.zeros_like(v0)
        for k in range(K - 1, -1, -1):
            m, gm = (w0, gw) if k % 2 == 0 else (v0, gv)
            gm += hs[k].T @ g
            g = g @ m.T
        return [g, gw, gv]

    def one():
        _reset(x, w)
        (x @ w).backward(seed_one)
        return _leaf_grads(x, w)

    def one_t():
        _reset(tx, tw)
        (tx @ tw).backward(tseed_one)
        return _leaf_grads(tx, tw)

    def one_np():
        _ = x0 @ w0
        return [seed_one @ w0.T, x0.T @ seed_one]

    return [
        Case("matmul 32x30@30x200", "chain", K, chain, chain_t, chain_np),
        Case("matmul 32x30@30x200", "single", 1, one, one_t, one_np),
    ]


def index_cases(rng: np.random.Generator) -> list[Case]:
    c0 = rng.normal(size=(VOCAB, EMB)).astype(np.float32)
    xs0 = [rng.integers(0, VOCAB, size=(B, BLOCK)).astype(np.int64) for _ in range(K)]
    c, tc = _cr(c0), _torch(c0)
    xs = [cr.tensor(ix) for ix in xs0]
    txs = [torch.from_numpy(ix) for ix in xs0]
    seed = np.ones((B, BLOCK, EMB), dtype=np.float32)
    tseed = torch.from_numpy(seed)

    def chain():
        _reset(c)
        acc = c[xs[0]]
        for ix in xs[1:]:
            acc = acc + c[ix]
        acc.backward(seed)
        return _leaf_grads(c)

    def chain_t():
        _reset(tc)
        acc = tc[txs[0]]
        for ix in txs[1:]:
            acc = acc + tc[ix]
        acc.backward(tseed)
        return _leaf_grads(tc)

    def chain_np():
        acc = c0[xs0[0]]
        for ix in xs0[1:]:
            acc = acc + c0[ix]
        gc_ = np.zeros_like(c0)
        for ix in xs0:
            np.add.at(gc_, ix, seed)
        return [gc_]

    def one():
        _reset(c)
        c[xs[0]].backward(seed)
        return _leaf_grads(c)

    def one_t():
        _reset(tc)
        tc[txs[0]].backward(tseed)
        return _leaf_grads(tc)

    def one_np():
        _ = c0[xs0[0]]
        gc_ = np.zeros_like(c0)
        np.add.at(gc_, xs0[0], seed)
        return [gc_]

    return [
        Case("C[X] 27x10[32x3] (+add)", "chain", K, chain, chain_t, chain_np, 2),
        Case("C[X] 27x10[32x3]", "single", 1, one, one_t, one_np),
    ]


def _as_numpy(g) -> np.ndarray:
    if isinstance(g, torch.Tensor):
        return g.numpy()
    if isinstance(g, cr.Tensor):
        return np.asarray(g.data)
    return np.asarray(g)


def check(case: Case) -> None:
    """The three implementations must produce the same gradients."""
    results = [case.ours(), case.theirs(), case.floor()]
    for name, grads in zip(("chainrule", "numpy"), (results[0], results[2])):
        for ours, ref in zip(grads, results[1]):
            a, b = _as_numpy(ours), _as_numpy(ref)
            scale = max(1.0, float(np.abs(b).max()))
            if a.shape != b.shape or not np.allclose(a, b, rtol=1e-4, atol=1e-4 * scale):
                raise AssertionError(f"{case.op} ({case.mode}): {name} gradients differ from torch")


def _reps_for(fn: Callable[[], object], target: float) -> int:
    """How many calls fill about ``target`` seconds."""
    fn()
    n = 1
    while True:
        start = time.perf_counter()
        for _ in range(n):
            fn()
        elapsed = time.perf_counter() - start
        if elapsed >= target / 4 or n >= 1 << 16:
            return max(1, int(n * target / max(elapsed, 1e-9)))
        n *= 4


def measure(
    case: Case, runs: int, target: float, stat: Callable = statistics.median
) -> tuple[float, float, float]:
    """Microseconds per op application for (chainrule, torch, numpy): ``stat`` over runs."""
    fns = (case.ours, case.theirs, case.floor)
    reps = [_reps_for(fn, target) for fn in fns]
    samples: list[list[float]] = [[], [], []]
    for _ in range(runs):
        for i, (fn, n) in enumerate(zip(fns, reps)):
            start = time.perf_counter()
            for _ in range(n):
                fn()
            samples[i].append((time.perf_counter() - start) / (n * case.per_call) * 1e6)
    return tuple(stat(s) for s in samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs per measurement (median)")
    parser.add_argument("--target", type=float, default=0.02, help="seconds per run")
    parser.add_argument(
        "--stat", choices=sorted(STATS), default="median", help="statistic over the runs"
    )
    parser.add_argument(
        "--torch-threads", type=int, default=0, help="torch.set_num_threads (0: torch's default)"
    )
    args = parser.parse_args()
    if args.torch_threads:
        torch.set_num_threads(args.torch_threads)

    rng = np.random.default_rng(0)
    cases = elementwise_cases(rng) + matmul_cases(rng) + index_cases(rng)
    for case in cases:
        check(case)

    print(
        f"chainrule {cr.__version__} | torch {torch.__version__} "
        f"(threads {torch.get_num_threads()}) | numpy {np.__version__} | "
        f"Python {platform.python_version()} | {os.cpu_count()} CPUs | "
        f"K={K} | {args.stat} of {args.runs} runs"
    )
    header = (
        f"{'op':26s} {'mode':6s} {'chainrule':>10s} {'torch':>9s} {'numpy':>9s} "
        f"{'cr/torch':>9s} {'cr-numpy':>9s} {'per node':>9s}"
    )
    print(header)
    print(f"{'':26s} {'':6s} {'µs/op':>10s} {'µs/op':>9s} {'µs/op':>9s} {'':>9s} {'µs/op':>9s} "
          f"{'µs':>9s}")
    print("-" * len(header))
    start = time.perf_counter()
    for case in cases:
        ours, theirs, floor = measure(case, args.runs, args.target, STATS[args.stat])
        print(
            f"{case.op:26s} {case.mode:6s} {ours:10.1f} {theirs:9.1f} {floor:9.1f} "
            f"{ours / theirs:9.2f} {ours - floor:9.1f} {(ours - floor) / case.nodes:9.1f}",
            flush=True,
        )
    print(
        f"({time.perf_counter() - start:.0f} s; chain = {K} ops per backward(), "
        "single = one op + backward(); per node: cr-numpy over the graph nodes chainrule "
        "records per op application; see the module docstring)"
    )


if __name__ == "__main__":
    main()
