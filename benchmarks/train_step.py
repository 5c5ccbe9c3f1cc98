"""One training step of two small models: chainrule vs PyTorch vs hand-written NumPy.

A step is forward, backward, optimizer step and zero_grad.

Models (each at several batch sizes, float32, CPU):

- makemore: ``Embedding(27, 10) -> Flatten -> Linear(30, 200, bias=False) ->
  BatchNorm1d(200) -> Tanh -> Linear(200, 27)``, cross-entropy, SGD(lr=0.1); inputs are
  random int64 ids in [0, 27) of shape (B, 3), targets random in [0, 27); B = 32, 256, 4096.
- digits: MLP 64-256-256-10 with ReLU, cross-entropy, Adam(lr=1e-3) on scikit-learn's
  ``load_digits()`` (standardized per pixel); each batch draws its rows with replacement
  from the 1797 rows (makemore's ``randint`` sampling); B = 64, 1024.

Each step is done four ways in one process, from the same initial weights on the same
batches (a fixed pool of batches, cycled; building a batch is not timed):

- chainrule: ``loss = F.cross_entropy(model(X), Y); loss.backward(); opt.step();
  opt.zero_grad()``;
- chainrule compiled: the same, with ``model = cr.compile(model)`` (its forward recorded
  once and replayed);
- PyTorch (CPU, thread count printed; ``--torch-threads``): the same code with torch;
- NumPy: the floor, no autograd at all — the forward pass, every layer's backward derived
  by hand (BatchNorm's closed form, cross-entropy's ``(softmax - onehot) / B``, the
  embedding's scatter-add: one 1-D ``np.add.at`` on flat indices ``id * 10 + j``) and
  the SGD / Adam update in place, written plainly (fresh arrays each step, no buffer
  reuse).

Before timing, the four are checked to agree in float64 over three steps of each model
(loss, every gradient, the updated parameters and BatchNorm's running statistics), and
the float32 engines' first timed losses must agree. Each figure is the median over
several runs of the mean ms per step of one run (``time.perf_counter``; each run lasts
about ``--target`` seconds), the four engines interleaved run by run after a warm-up.
Python's cyclic GC stays on, as in a user's training loop. On a machine shared with other
busy processes, multi-threaded BLAS (NumPy's OpenBLAS: chainrule and the floor) and torch's
intra-op threads can stall for milliseconds per call; ``--blas-threads 1`` and
``--torch-threads 1`` show each engine without that effect, and ``--stat min`` the
least-disturbed run of each. Targets (the issue's): chainrule / PyTorch <= 0.6 at batch 32
and 64, <= 1.0 at 256, <= 1.5 at 1024 and 4096; chainrule / NumPy <= 1.0 everywhere (each
ratio is printed for the eager and the compiled model).
``--profile`` adds a cProfile of chainrule's step (top lines by tottime) at the smallest
and largest batch of each model. ``--breakdown`` splits chainrule's step at every batch into
the ops' own ``forward``/``backward`` (the NumPy work an engine cannot avoid), the
optimizer's ``step`` and the rest (the engine and the modules), next to the floor's step.

    python benchmarks/train_step.py [--quick] [--only makemore|digits] [--torch-threads N]
                                    [--blas-threads N] [--runs 11] [--target 0.15]
                                    [--stat median|min] [--profile] [--breakdown]
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import itertools
import math
import os
import platform
import pstats
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

import chainrule as cr
import chainrule.nn.functional as F

VOCAB, EMB, BLOCK, HIDDEN = 27, 10, 3, 200
DIGITS_SIZES = (64, 256, 256, 10)
SGD_LR, ADAM_LR, BETAS, ADAM_EPS, BN_EPS, BN_MOMENTUM = 0.1, 1e-3, (0.9, 0.999), 1e-8, 1e-5, 0.1
POOL = 8  # distinct batches per (model, batch size), cycled through
TORCH_TARGET = {32: 0.6, 64: 0.6, 256: 1.0, 1024: 1.5, 4096: 1.5}
NUMPY_TARGET = 1.0
STATS = {"median": statistics.median, "min": min}

Step = Callable[[Any, Any], Any]  # (X, Y) -> loss


# --- hand-written NumPy steps (the floor) ------------------------------------------------


def _softmax_xent(logits: np.ndarray, Y: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean cross-entropy of ``logits`` (B, C) against class ids ``Y``, and d loss/d logits."""
    B = logits.shape[0]
    rows = np.arange(B)
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    sums = exp.sum(axis=1, keepdims=True)
    loss = float(np.log(sums).mean() - shifted[rows, Y].mean())
    dlogits = exp / sums  # softmax - onehot, over B
    dlogits[rows, Y] -= 1
    dlogits /= B
    return loss, dlogits


class NumpyMakemore:
    """makemore's MLP with BatchNorm, forward and backward by hand, SGD in place."""

    def __init__(self, weights: list[np.ndarray]) -> None:
        self.params = [w.copy() for w in weights]  # C, W1, gamma, beta, W2, b2
        dtype = weights[0].dtype
        self.running_mean = np.zeros(HIDDEN, dtype)
        self.running_var = np.ones(HIDDEN, dtype)

    def grads(self, X: np.ndarray, Y: np.ndarray) -> tuple[float, list[np.ndarray]]:
        C, W1, gamma, beta, W2, b2 = self.params
        B = X.shape[0]
        # forward
        h = C[X].reshape(B, -1)  # (B, 30)
        hpre = h @ W1.T
        mean = hpre.mean(axis=0)
        centered = hpre - mean
        var = (centered * centered).mean(axis=0)  # biased, for normalising
        inv_std = 1.0 / np.sqrt(var + BN_EPS)
        xhat = centered * inv_std
        a = np.tanh(gamma * xhat + beta)
        self.running_mean *= 1 - BN_MOMENTUM
        self.running_mean += BN_MOMENTUM * mean
        self.running_var *= 1 - BN_MOMENTUM
        self.running_var += (BN_MOMENTUM * B / (B - 1)) * var  # unbiased, stored
        logits = a @ W2.T + b2
        loss, dlogits = _softmax_xent(logits, Y)
        # backward
        dW2 = dlogits.T @ a
        db2 = dlogits.sum(axis=0)
        dbn = (dlogits @ W2) * (1 - a * a)
        dgamma = (dbn * xhat).sum(axis=0)
        dbeta = dbn.sum(axis=0)
        dhpre = (gamma * inv_std / B) * (B * dbn - dbeta - xhat * dgamma)
        dW1 = dhpre.T @ h
        dh = dhpre @ W1
        dC = np.zeros_like(C)  # scatter-add: row i of C is the flat range i*EMB ... i*EMB+EMB-1
        flat = (X.reshape(-1, 1) * EMB + np.arange(EMB)).reshape(-1)
        np.add.at(dC.reshape(-1), flat, dh.reshape(-1))
        return loss, [dC, dW1, dgamma, dbeta, dW2, db2]

    def update(self, grads: list[np.ndarray]) -> None:
        for p, g in zip(self.params, grads):
            p -= SGD_LR * g

    def step(self, X: np.ndarray, Y: np.ndarray) -> float:
        loss, grads = self.grads(X, Y)
        self.update(grads)
        return loss


class NumpyDigitsMLP:
    """64-256-256-10 ReLU MLP, forward and backward by hand, Adam in place."""

    def __init__(self, weights: list[np.ndarray]) -> None:
        self.params = [w.copy() for w in weights]  # W1, b1, W2, b2, W3, b3
        self.exp_avg = [np.zeros_like(w) for w in weights]
        self.exp_avg_sq = [np.zeros_like(w) for w in weights]
        self.t = 0

    def grads(self, X: np.ndarray, Y: np.ndarray) -> tuple[float, list[np.ndarray]]:
        W1, b1, W2, b2, W3, b3 = self.params
        a1 = np.maximum(X @ W1.T + b1, 0)
        a2 = np.maximum(a1 @ W2.T + b2, 0)
        loss, dlogits = _softmax_xent(a2 @ W3.T + b3, Y)
        dW3 = dlogits.T @ a2
        db3 = dlogits.sum(axis=0)
        dz2 = (dlogits @ W3) * (a2 > 0)
        dW2 = dz2.T @ a1
        db2 = dz2.sum(axis=0)
        dz1 = (dz2 @ W2) * (a1 > 0)
        dW1 = dz1.T @ X
        db1 = dz1.sum(axis=0)
        return loss, [dW1, db1, dW2, db2, dW3, db3]

    def update(self, grads: list[np.ndarray]) -> None:
        beta1, beta2 = BETAS
        self.t += 1
        step_size = ADAM_LR / (1 - beta1**self.t)
        sqrt_bc2 = math.sqrt(1 - beta2**self.t)
        for p, g, m, v in zip(self.params, grads, self.exp_avg, self.exp_avg_sq):
            m *= beta1
            m += (1 - beta1) * g
            v *= beta2
            v += (1 - beta2) * (g * g)
            p -= step_size * m / (np.sqrt(v) / sqrt_bc2 + ADAM_EPS)

    def step(self, X: np.ndarray, Y: np.ndarray) -> float:
        loss, grads = self.grads(X, Y)
        self.update(grads)
        return loss


# --- the two autograd engines ------------------------------------------------------------


def cr_makemore() -> cr.nn.Module:
    nn = cr.nn
    return nn.Sequential(
        nn.Embedding(VOCAB, EMB), nn.Flatten(), nn.Linear(BLOCK * EMB, HIDDEN, bias=False),
        nn.BatchNorm1d(HIDDEN), nn.Tanh(), nn.Linear(HIDDEN, VOCAB),
    )


def torch_makemore() -> torch.nn.Module:
    nn = torch.nn
    return nn.Sequential(
        nn.Embedding(VOCAB, EMB), nn.Flatten(), nn.Linear(BLOCK * EMB, HIDDEN, bias=False),
        nn.BatchNorm1d(HIDDEN), nn.Tanh(), nn.Linear(HIDDEN, VOCAB),
    )


def _mlp(nn: Any) -> Any:
    d0, d1, d2, d3 = DIGITS_SIZES
    return nn.Sequential(nn.Linear(d0, d1), nn.ReLU(), nn.Linear(d1, d2), nn.ReLU(),
                         nn.Linear(d2, d3))


def autograd_step(model: Any, opt: Any, cross_entropy: Callable) -> Step:
    """The training step of a user's loop, for chainrule and torch alike."""

    def step(X: Any, Y: Any) -> Any:
        loss = cross_entropy(model(X), Y)
        loss.backward()
        opt.step()
        opt.zero_grad()
        return loss

    return step


@dataclass
class ModelSpec:
    """One model: how to build it in each engine, its optimizer and its data."""

    name: str
    batch_sizes: tuple[int, ...]
    build_cr: Callable[[], cr.nn.Module]
    build_torch: Callable[[], torch.nn.Module]
    cr_optim: Callable[[Any], Any]
    torch_optim: Callable[[Any], Any]
    numpy_cls: type
    sample: Callable[[np.random.Generator, int], tuple[np.ndarray, np.ndarray]]


def makemore_spec() -> ModelSpec:
    def sample(rng: np.random.Generator, B: int) -> tuple[np.ndarray, np.ndarray]:
        return (rng.integers(0, VOCAB, size=(B, BLOCK), dtype=np.int64),
                rng.integers(0, VOCAB, size=B, dtype=np.int64))

    return ModelSpec(
        "makemore", (32, 256, 4096), cr_makemore, torch_makemore,
        lambda ps: cr.optim.SGD(ps, lr=SGD_LR), lambda ps: torch.optim.SGD(ps, lr=SGD_LR),
        NumpyMakemore, sample,
    )


def digits_spec() -> ModelSpec:
    from sklearn.datasets import load_digits

    data = load_digits()
    X = data.data
    std = X.std(axis=0)
    std[std == 0] = 1
    X = ((X - X.mean(axis=0)) / std).astype(np.float32)
    y = data.target.astype(np.int64)

    def sample(rng: np.random.Generator, B: int) -> tuple[np.ndarray, np.ndarray]:
        rows = rng.integers(0, len(X), size=B)
        return X[rows], y[rows]

    return ModelSpec(
        "digits", (64, 1024), lambda: _mlp(cr.nn), lambda: _mlp(torch.nn),
        lambda ps: cr.optim.Adam(ps, lr=ADAM_LR), lambda ps: torch.optim.Adam(ps, lr=ADAM_LR),
        NumpyDigitsMLP, sample,
    )


def _initial_weights(spec: ModelSpec) -> list[np.ndarray]:
    cr.manual_seed(0)
    return [p.data.copy() for p in spec.build_cr().parameters()]


@dataclass
class Engines:
    """One model in every engine, from the same weights, each with its optimizer's step."""

    ours: cr.nn.Module
    ours_step: Step
    compiled: cr.nn.Module  # a second chainrule model, under cr.compile
    compiled_step: Step
    theirs: torch.nn.Module
    theirs_step: Step
    floor: Any


def _engines(spec: ModelSpec, weights: list[np.ndarray], dtype: Any) -> Engines:
    """Every engine's model and step, from ``weights``."""
    ours, plain = spec.build_cr().to(dtype), spec.build_cr().to(dtype)
    theirs = spec.build_torch().to(torch.float64 if dtype == np.float64 else torch.float32)
    for p_ours, p_plain, p_theirs, w in zip(ours.parameters(), plain.parameters(),
                                            theirs.parameters(), weights, strict=True):
        p_ours.data[...] = w
        p_plain.data[...] = w
        with torch.no_grad():
            p_theirs.copy_(torch.from_numpy(w))
    compiled = cr.compile(plain)
    return Engines(
        ours, autograd_step(ours, spec.cr_optim(list(ours.parameters())), F.cross_entropy),
        compiled, autograd_step(compiled, spec.cr_optim(list(compiled.parameters())),
                                F.cross_entropy),
        theirs, autograd_step(theirs, spec.torch_optim(theirs.parameters()),
                              torch.nn.functional.cross_entropy),
        spec.numpy_cls([w.astype(dtype) for w in weights]),
    )


# --- checks ------------------------------------------------------------------------------


def _assert_close(what: str, ours: Any, ref: Any) -> None:
    ours, ref = np.asarray(ours, dtype=np.float64), np.asarray(ref, dtype=np.float64)
    scale = max(1e-3, float(np.abs(ref).max()))
    np.testing.assert_allclose(ours, ref, rtol=1e-9, atol=1e-11 * scale, err_msg=what)


def check_float64(spec: ModelSpec, weights: list[np.ndarray], B: int) -> None:
    """Three steps in float64: chainrule, chainrule compiled, torch and the NumPy floor agree
    on the loss, every gradient, the updated parameters and (makemore) BatchNorm's running
    statistics. (The compiled model replays from its second step on.)"""
    weights = [w.astype(np.float64) for w in weights]
    engines = _engines(spec, weights, np.float64)
    ours, compiled, theirs, floor = engines.ours, engines.compiled, engines.theirs, engines.floor
    opt_ours = spec.cr_optim(list(ours.parameters()))
    opt_compiled = spec.cr_optim(list(compiled.parameters()))
    opt_theirs = spec.torch_optim(theirs.parameters())
    rng = np.random.default_rng(123)
    for k in range(3):
        X, Y = spec.sample(rng, B)
        X = X.astype(np.float64) if X.dtype.kind == "f" else X
        loss = F.cross_entropy(ours(cr.tensor(X)), cr.tensor(Y))
        loss.backward()
        closs = F.cross_entropy(compiled(cr.tensor(X)), cr.tensor(Y))
        closs.backward()
        tloss = torch.nn.functional.cross_entropy(theirs(torch.from_numpy(X)),
                                                  torch.from_numpy(Y))
        tloss.backward()
        nloss, ngrads = floor.grads(X, Y)
        where = f"{spec.name} float64 step {k + 1}"
        _assert_close(f"{where}: loss (numpy)", nloss, loss.item())
        _assert_close(f"{where}: loss (torch)", tloss.item(), loss.item())
        _assert_close(f"{where}: loss (compiled)", closs.item(), loss.item())
        names = [name for name, _ in ours.named_parameters()]
        for name, p, cp, tp, g in zip(names, ours.parameters(), compiled.parameters(),
                                      theirs.parameters(), ngrads):
            _assert_close(f"{where}: grad of {name} (numpy vs chainrule)", g, p.grad.data)
            _assert_close(f"{where}: grad of {name} (torch vs chainrule)", tp.grad.numpy(),
                          p.grad.data)
            _assert_close(f"{where}: grad of {name} (compiled vs chainrule)", cp.grad.data,
                          p.grad.data)
        opt_ours.step()
        opt_ours.zero_grad()
        opt_compiled.step()
        opt_compiled.zero_grad()
        opt_theirs.step()
        opt_theirs.zero_grad()
        floor.update(ngrads)
        for name, p, tp, w in zip(names, ours.parameters(), theirs.parameters(), floor.params):
            _assert_close(f"{where}: {name} after the update (numpy)", w, p.data)
            _assert_close(f"{where}: {name} after the update (torch)", tp.detach().numpy(),
                          p.data)
        for name, p, cp in zip(names, ours.parameters(), compiled.parameters()):
            _assert_close(f"{where}: {name} after the update (compiled)", cp.data, p.data)
        if isinstance(floor, NumpyMakemore):
            bn, tbn, cbn = ours[3], theirs[3], compiled._orig_mod[3]
            for stat in ("running_mean", "running_var"):
                _assert_close(f"{where}: {stat} (numpy)", getattr(floor, stat),
                              getattr(bn, stat).data)
                _assert_close(f"{where}: {stat} (torch)", getattr(tbn, stat).numpy(),
                              getattr(bn, stat).data)
                _assert_close(f"{where}: {stat} (compiled)", getattr(cbn, stat).data,
                              getattr(bn, stat).data)


# --- timing ------------------------------------------------------------------------------


@dataclass
class Case:
    """One row of the table: zero-argument callables, each doing one training step."""

    model: str
    batch: int
    ours: Callable[[], Any]
    compiled: Callable[[], Any]
    theirs: Callable[[], Any]
    floor: Callable[[], Any]


def _cycling(step: Step, batches: list[tuple[Any, Any]]) -> Callable[[], Any]:
    pool = itertools.cycle(batches)

    def run() -> Any:
        X, Y = next(pool)
        return step(X, Y)

    return run


def build_case(spec: ModelSpec, weights: list[np.ndarray], B: int) -> Case:
    rng = np.random.default_rng(B)
    batches = [spec.sample(rng, B) for _ in range(POOL)]
    engines = _engines(spec, weights, np.float32)
    ours_batches = [(cr.tensor(X), cr.tensor(Y)) for X, Y in batches]
    case = Case(
        spec.name, B,
        _cycling(engines.ours_step, ours_batches),
        _cycling(engines.compiled_step, ours_batches),
        _cycling(engines.theirs_step,
                 [(torch.from_numpy(X), torch.from_numpy(Y)) for X, Y in batches]),
        _cycling(engines.floor.step, batches),
    )
    losses = [float(case.ours().item()), float(case.compiled().item()),
              float(case.theirs().item()), case.floor()]
    if not np.allclose(losses, losses[0], rtol=1e-4):
        raise AssertionError(f"{spec.name} B={B}: float32 first-step losses differ: {losses}")
    return case


def _reps_for(fn: Callable[[], object], target: float) -> int:
    """How many calls fill about ``target`` seconds (after a few warm-up calls)."""
    for _ in range(3):
        fn()
    n = 1
    while True:
        start = time.perf_counter()
        for _ in range(n):
            fn()
        elapsed = time.perf_counter() - start
        if elapsed >= target / 4:
            return max(1, round(n * target / elapsed))
        n *= 2


def measure(
    case: Case, runs: int, target: float, stat: Callable = statistics.median
) -> tuple[tuple[float, ...], int]:
    """``stat`` over runs of ms per step for (chainrule, compiled, torch, numpy); steps per
    run (min).

    When steps are slower than planned (a stalled BLAS or torch thread pool), the runs stop
    after 5 once the case has taken 1.5x its planned time, so the whole stays bounded.
    """
    fns = (case.ours, case.compiled, case.theirs, case.floor)
    reps = [_reps_for(fn, target) for fn in fns]
    samples: list[list[float]] = [[] for _ in fns]
    deadline = time.perf_counter() + 1.5 * runs * len(fns) * target
    for run in range(runs):
        if run >= 5 and time.perf_counter() > deadline:
            break
        for i, (fn, n) in enumerate(zip(fns, reps)):
            start = time.perf_counter()
            for _ in range(n):
                fn()
            samples[i].append((time.perf_counter() - start) / n * 1e3)
    return tuple(stat(s) for s in samples), min(reps)


def _verdict(ratio: float, target: float) -> str:
    return f"{ratio:5.2f} {'met' if ratio <= target else 'MISSED':6s}"


def profile(case: Case, seconds: float, lines: int) -> None:
    """cProfile of chainrule's step for about ``seconds``; top ``lines`` by tottime."""
    n = max(1, _reps_for(case.ours, seconds))
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(n):
        case.ours()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats("tottime")
    stats.print_stats(lines)
    text = out.getvalue().replace(os.getcwd() + os.sep, "")
    body = text[text.index("   ncalls"):] if "   ncalls" in text else text
    print(f"\ncProfile: chainrule {case.model} step, batch {case.batch}, {n} steps "
          f"(times in s, total over the steps; top {lines} by tottime)")
    print(body.rstrip())


def _subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found


@contextlib.contextmanager
def _timed(methods: list[tuple[type, str]], totals: dict[str, float]) -> Iterator[None]:
    """Wrap each ``cls.name`` (defined on ``cls`` itself) with a timer adding into
    ``totals[name]``; the originals are restored on exit."""
    saved = []
    for cls, name in methods:
        original = cls.__dict__[name]
        function = original.__func__ if isinstance(original, staticmethod) else original

        def timed(*args: Any, _function: Callable = function, _name: str = name) -> Any:
            start = time.perf_counter()
            try:
                return _function(*args)
            finally:
                totals[_name] += time.perf_counter() - start

        setattr(cls, name, staticmethod(timed) if isinstance(original, staticmethod) else timed)
        saved.append((cls, name, original))
    try:
        yield
    finally:
        for cls, name, original in saved:
            setattr(cls, name, original)


def breakdown(case: Case, seconds: float) -> None:
    """Split chainrule's step into the ops' own ``forward``/``backward`` (their NumPy work),
    the optimizer's ``step`` and the rest (modules, ``Function.apply``, Tensor objects, the
    backward walk), next to the NumPy floor's whole step."""
    from chainrule.function import Function
    from chainrule.optim import Optimizer

    methods = [(cls, name) for cls in _subclasses(Function) for name in ("forward", "backward")
               if name in cls.__dict__]
    methods += [(cls, "step") for cls in _subclasses(Optimizer) if "step" in cls.__dict__]
    totals = dict.fromkeys(("forward", "backward", "step"), 0.0)
    n = max(1, _reps_for(case.ours, seconds))
    with _timed(methods, totals):
        for _ in range(3):
            case.ours()
        totals.update(dict.fromkeys(totals, 0.0))
        start = time.perf_counter()
        for _ in range(n):
            case.ours()
        whole = time.perf_counter() - start
    start = time.perf_counter()
    for _ in range(n):
        case.floor()
    floor = time.perf_counter() - start
    us = {name: total / n * 1e6 for name, total in totals.items()}
    rest = whole / n * 1e6 - sum(us.values())
    print(f"{case.model:9s} {case.batch:5d} {us['forward']:9.1f} {us['backward']:9.1f} "
          f"{us['step']:9.1f} {rest:9.1f} {whole / n * 1e6:9.1f} {floor / n * 1e6:9.1f}")


def _blas() -> str:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "?"
    info = [i for i in threadpool_info() if i.get("user_api") == "blas"]
    return ", ".join(f"{i['internal_api']} x{i['num_threads']}" for i in info) or "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=None, help="runs per engine (median; 11)")
    parser.add_argument("--target", type=float, default=None, help="seconds per run (0.15)")
    parser.add_argument(
        "--stat", choices=sorted(STATS), default="median", help="statistic over the runs"
    )
    parser.add_argument("--quick", action="store_true", help="fewer, shorter runs (5 x 0.05 s)")
    parser.add_argument("--only", choices=("makemore", "digits"), help="one model only")
    parser.add_argument(
        "--torch-threads", type=int, default=0, help="torch.set_num_threads (0: torch's default)"
    )
    parser.add_argument(
        "--blas-threads", type=int, default=0,
        help="limit NumPy's BLAS threads (threadpoolctl; 0: leave as is); used by chainrule "
             "and the NumPy floor alike",
    )
    parser.add_argument("--profile", action="store_true",
                        help="also cProfile chainrule's step at each model's smallest and "
                             "largest batch")
    parser.add_argument("--breakdown", action="store_true",
                        help="also split chainrule's step into the ops' own work, the "
                             "optimizer and the rest (engine and modules)")
    args = parser.parse_args()
    runs = args.runs or (5 if args.quick else 11)
    target = args.target or (0.05 if args.quick else 0.15)
    if args.torch_threads:
        torch.set_num_threads(args.torch_threads)

    start = time.perf_counter()
    specs = [spec() for name, spec in (("makemore", makemore_spec), ("digits", digits_spec))
             if args.only in (None, name)]
    if args.blas_threads:  # after sklearn's import, which loads SciPy's BLAS too
        from threadpoolctl import threadpool_limits

        _limits = threadpool_limits(limits=args.blas_threads, user_api="blas")  # noqa: F841
    weights = {spec.name: _initial_weights(spec) for spec in specs}
    for spec in specs:
        check_float64(spec, weights[spec.name], spec.batch_sizes[0])

    print(
        f"chainrule {cr.__version__} | torch {torch.__version__} "
        f"(threads {torch.get_num_threads()}) | numpy {np.__version__} (BLAS {_blas()}) | "
        f"Python {platform.python_version()} | {os.cpu_count()} CPUs | "
        f"{args.stat} of {runs} runs of ~{target:g} s"
    )
    print("float64 check passed: chainrule, chainrule compiled, torch and numpy agree on "
          "loss, gradients, updated parameters (3 steps per model)")
    header = (f"{'model':9s} {'batch':>5s} {'chainrule':>9s} {'compiled':>9s} {'torch':>8s} "
              f"{'numpy':>8s} | {'cr/torch':>12s} {'comp/torch':>12s} {'target':>6s} | "
              f"{'cr/numpy':>12s} {'comp/numpy':>12s} {'target':>6s} | {'np/torch':>8s}")
    print(header)
    print(f"{'':9s} {'':5s} {'ms/step':>9s} {'ms/step':>9s} {'ms/step':>8s} {'ms/step':>8s} |")
    print("-" * len(header))
    cases = []
    for spec in specs:
        for B in spec.batch_sizes:
            case = build_case(spec, weights[spec.name], B)
            cases.append(case)
            (ours, compiled, theirs, floor), reps = measure(case, runs, target,
                                                            STATS[args.stat])
            to_torch, to_numpy = TORCH_TARGET[B], NUMPY_TARGET
            print(
                f"{spec.name:9s} {B:5d} {ours:9.3f} {compiled:9.3f} {theirs:8.3f} {floor:8.3f} | "
                f"{_verdict(ours / theirs, to_torch)} {_verdict(compiled / theirs, to_torch)} "
                f"{'<=' + format(to_torch, 'g'):>6s} | "
                f"{_verdict(ours / floor, to_numpy)} {_verdict(compiled / floor, to_numpy)} "
                f"{'<=' + format(to_numpy, 'g'):>6s} | {floor / theirs:8.2f}",
                flush=True,
            )
    print(f"({time.perf_counter() - start:.0f} s; one step = forward, backward, optimizer "
          "step, zero_grad; compiled: the same chainrule model under cr.compile; np/torch: the "
          "hand-written NumPy step's own ratio to PyTorch; see the module docstring)")
    if args.breakdown:
        print("\nWhere chainrule's step goes (us per step; timers included): the ops' own "
              "forward and backward, the optimizer's step, the rest (modules, apply, Tensor "
              "objects, the backward walk); and the NumPy floor's whole step")
        print(f"{'model':9s} {'batch':>5s} {'forward':>9s} {'backward':>9s} {'optimizer':>9s} "
              f"{'rest':>9s} {'step':>9s} {'numpy':>9s}")
        for case in cases:
            breakdown(case, 0.5 if not args.quick else 0.2)
    if args.profile:
        for spec in specs:
            for case in cases:
                if case.model == spec.name and case.batch in (min(spec.batch_sizes),
                                                              max(spec.batch_sizes)):
                    profile(case, 1.0 if not args.quick else 0.3, 15)


if __name__ == "__main__":
    main()
