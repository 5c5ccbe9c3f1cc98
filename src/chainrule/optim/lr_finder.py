"""``lr_find``: the learning-rate range test of the makemore lecture.

The lecture sweeps ``lre = torch.linspace(-3, 0, 1000)``, ``lrs = 10**lre``: one
minibatch SGD step at each rate in turn, recording the loss of each step, then
looks for the rate where the loss falls fastest, before it blows up. ``lr_find``
runs that sweep on a model and hands the model (and optimizer) back untouched.
"""

from __future__ import annotations

import copy
import math
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..grad_mode import enable_grad
from ..random import Generator, randint
from ..tensor import Tensor, to_array
from .optimizer import Optimizer
from .sgd import SGD

__all__ = ["lr_find", "LRFinderResult"]

Batch = tuple[Any, Any]


@dataclass(frozen=True, eq=False)
class LRFinderResult:
    """What ``lr_find`` found. Unpacks as ``lrs, losses = result``.

    Attributes:
        lrs: the rates tried, in order (float64; truncated if the sweep diverged).
        losses: the loss of the step taken at each rate, measured before its update.
        smoothed: the bias-corrected exponential moving average of ``losses`` that
            the divergence test and the suggestion use.
        suggested_lr: the rate where the smoothed loss falls fastest with respect to
            ``log10(lr)``, looking only at rates below the smoothed curve's minimum.
        diverged: True if the sweep stopped early because the loss blew up.
    """

    lrs: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    suggested_lr: float
    diverged: bool

    def __iter__(self) -> Iterator[np.ndarray]:
        return iter((self.lrs, self.losses))

    def __len__(self) -> int:
        return 2

    def __getitem__(self, index: int) -> np.ndarray:
        return (self.lrs, self.losses)[index]

    def __repr__(self) -> str:
        return (
            f"LRFinderResult(steps={len(self.lrs)}, lrs=[{self.lrs[0]:.3g}, {self.lrs[-1]:.3g}], "
            f"suggested_lr={self.suggested_lr:.3g}, diverged={self.diverged})"
        )


def lr_find(
    model: Any,
    loss_fn: Callable[[Any, Any], Tensor],
    data: Any,
    start_lr: float = 1e-3,
    end_lr: float = 1.0,
    steps: int = 1000,
    optimizer: Optimizer | None = None,
    batch_size: int = 32,
    generator: Generator | None = None,
    smooth: float = 0.05,
    diverge_factor: float = 4.0,
) -> LRFinderResult:
    """Sweep exponentially spaced learning rates, one training step each, and
    suggest a rate.

    The rates are ``10 ** linspace(log10(start_lr), log10(end_lr), steps)``; with the
    defaults exactly the lecture's ``10 ** linspace(-3, 0, 1000)``. At each rate in
    turn one minibatch step is taken: ``loss = loss_fn(model(xb), yb)`` is recorded
    (before the update, as the lecture records it), then backward and
    ``optimizer.step()`` at that rate. The model is in training mode during the sweep.

    Args:
        model: a callable ``Module`` (anything with ``parameters()``, ``buffers()``,
            ``modules()``; its ``training`` flags are restored afterwards).
        loss_fn: ``loss_fn(output, target)`` returning a scalar Tensor.
        data: an ``(X, y)`` pair of Tensors or arrays, from which each step draws
            ``batch_size`` random rows (``randint(0, len(X), (batch_size,),
            generator=generator)``, as the lecture does), or any re-iterable of
            ``(xb, yb)`` batches such as a DataLoader or a list, cycled when
            exhausted (a one-shot iterator is replayed from the batches it gave).
        start_lr, end_lr: the first and last rate (``0 < start_lr < end_lr``).
        steps: the number of rates, hence of training steps (at least 2).
        optimizer: the optimizer to sweep; its ``param_groups``' ``lr`` is set at each
            step. Default ``SGD(model.parameters(), lr=start_lr)``.
        batch_size: rows per minibatch drawn from an ``(X, y)`` pair.
        generator: the ``Generator`` for those draws (the default one if None).
        smooth: the weight of each new loss in the moving average ``smoothed``
            (bias-corrected, so ``smoothed[0] == losses[0]``); 1 means no smoothing.
        diverge_factor: stop once the smoothed loss exceeds this many times its best
            value so far (while that best is positive), or once a loss is not finite;
            the remaining rates are not tried and the returned arrays end with the
            step that diverged.

    Returns:
        An ``LRFinderResult``: ``lrs, losses = result`` unpacks the curve, and
        ``result.suggested_lr`` is the rate where the smoothed loss falls fastest
        with respect to ``log10(lr)`` (its slope taken across ``1/smooth`` steps, the
        average's own time scale, so minibatch noise does not decide it), among the
        rates below the smoothed curve's minimum (so never a rate at which the loss
        was already rising). If the loss
        never fell, the suggestion is ``start_lr`` and a ``RuntimeWarning`` says so.

    Afterwards every parameter, gradient and buffer of the model (BatchNorm's
    running statistics included), its modules' train/eval flags, and the
    optimizer's state and hyperparameters are restored bit for bit, also when the
    sweep raises. Random draws (minibatches, Dropout) do advance their generators.
    """
    _check_arguments(start_lr, end_lr, steps, batch_size, smooth, diverge_factor)
    batches = _batches(data, batch_size, generator)
    lrs = 10 ** np.linspace(math.log10(start_lr), math.log10(end_lr), steps)
    if optimizer is None:
        optimizer = SGD(model.parameters(), lr=start_lr)
    snapshot = _Snapshot(model, optimizer)
    losses: list[float] = []
    smoothed: list[float] = []
    diverged = False
    try:
        model.train()
        with enable_grad():
            average, best = 0.0, math.inf
            for step, lr in enumerate(lrs):
                for group in optimizer.param_groups:
                    group["lr"] = float(lr)
                batch = next(batches, None)
                if batch is None:
                    raise ValueError("lr_find: data gave no batches on a later pass")
                xb, yb = batch
                snapshot.zero_grad()
                loss = loss_fn(model(xb), yb)
                value = float(loss.item() if hasattr(loss, "item") else loss)
                average = smooth * value + (1 - smooth) * average
                current = average / (1 - (1 - smooth) ** (step + 1))
                losses.append(value)
                smoothed.append(current)
                if not (math.isfinite(value) and math.isfinite(current)) or (
                    best > 0 and current > diverge_factor * best
                ):
                    diverged = True
                    break
                best = min(best, current)
                loss.backward()
                optimizer.step()
    finally:
        snapshot.restore()
    taken = len(losses)
    lrs = lrs[:taken]
    smoothed_array = np.array(smoothed, dtype=np.float64)
    return LRFinderResult(
        lrs=lrs,
        losses=np.array(losses, dtype=np.float64),
        smoothed=smoothed_array,
        suggested_lr=_suggest(lrs, smoothed_array, smooth),
        diverged=diverged,
    )


def _suggest(lrs: np.ndarray, smoothed: np.ndarray, smooth: float) -> float:
    """The rate of steepest descent of ``smoothed`` against ``log10(lr)``, before its minimum.

    The slope at step ``i`` is the central difference over ``i ± h`` steps, with ``h``
    half the moving average's time constant ``1/smooth`` (the curve holds no detail
    finer than that, and a step-to-step difference of it is mostly noise). Only
    steps whose whole window lies before the minimum, and after the average's
    warm-up of ``h`` steps, are candidates.
    """
    finite = np.where(np.isfinite(smoothed), smoothed, np.inf)
    lowest = int(np.argmin(finite))
    if lowest == 0:
        warnings.warn(
            "lr_find: the loss never decreased during the sweep; suggesting start_lr "
            f"({lrs[0]:.3g}). Try a smaller start_lr.",
            RuntimeWarning,
            stacklevel=3,
        )
        return float(lrs[0])
    half = max(1, min(round(0.5 / smooth), lowest // 3))
    centres = np.arange(2 * half, lowest - half + 1)
    if centres.size == 0:
        return float(lrs[lowest - 1])
    x = np.log10(lrs)
    slope = (smoothed[centres + half] - smoothed[centres - half]) / (
        x[centres + half] - x[centres - half]
    )
    return float(lrs[centres[int(np.argmin(slope))]])


def _check_arguments(
    start_lr: float,
    end_lr: float,
    steps: int,
    batch_size: int,
    smooth: float,
    diverge_factor: float,
) -> None:
    if not start_lr > 0 or not math.isfinite(start_lr):
        raise ValueError(f"lr_find: start_lr must be a positive number, got {start_lr!r}")
    if not end_lr > start_lr or not math.isfinite(end_lr):
        raise ValueError(
            f"lr_find: end_lr must be finite and greater than start_lr ({start_lr!r}), "
            f"got {end_lr!r}"
        )
    if isinstance(steps, bool) or not isinstance(steps, int | np.integer) or steps < 2:
        raise ValueError(f"lr_find: steps must be an integer >= 2, got {steps!r}")
    if (
        isinstance(batch_size, bool)
        or not isinstance(batch_size, int | np.integer)
        or (batch_size < 1)
    ):
        raise ValueError(f"lr_find: batch_size must be an integer >= 1, got {batch_size!r}")
    if not 0 < smooth <= 1:
        raise ValueError(f"lr_find: smooth must be in (0, 1], got {smooth!r}")
    if not diverge_factor > 1:
        raise ValueError(f"lr_find: diverge_factor must be greater than 1, got {diverge_factor!r}")


def _as_tensor(value: Any) -> Tensor:
    return value if isinstance(value, Tensor) else Tensor._make(to_array(value, copy=False))


def _batches(data: Any, batch_size: int, generator: Generator | None) -> Iterator[Batch]:
    """An endless stream of ``(xb, yb)`` Tensors from an ``(X, y)`` pair or an iterable."""
    if (
        isinstance(data, tuple | list)
        and len(data) == 2
        and all(isinstance(part, Tensor | np.ndarray) for part in data)
    ):
        return _random_rows(*data, batch_size, generator)
    if not isinstance(data, Iterable):
        raise TypeError(
            "lr_find: data must be an (X, y) pair of Tensors/arrays or an iterable of "
            f"(xb, yb) batches such as a DataLoader, got {type(data).__name__}"
        )
    stream = _cycle(data)
    first = next(stream, None)
    if first is None:
        raise ValueError("lr_find: data yielded no batches (an empty iterable)")
    return _prepend(first, stream)


def _random_rows(X: Any, y: Any, batch_size: int, generator: Generator | None) -> Iterator[Batch]:
    xs, ys = to_array(X, copy=False), to_array(y, copy=False)
    if xs.ndim == 0 or ys.ndim == 0:
        raise ValueError("lr_find: X and y must have a first (row) dimension, got a scalar")
    rows = xs.shape[0]
    if rows != ys.shape[0]:
        raise ValueError(
            f"lr_find: X and y must have the same number of rows, got X of shape "
            f"{tuple(xs.shape)} and y of shape {tuple(ys.shape)}"
        )
    if rows == 0:
        raise ValueError("lr_find: data is empty (X has 0 rows)")
    return _draw(xs, ys, rows, batch_size, generator)


def _draw(
    xs: np.ndarray, ys: np.ndarray, rows: int, batch_size: int, generator: Generator | None
) -> Iterator[Batch]:
    while True:
        ix = randint(0, rows, (batch_size,), generator=generator).data
        yield Tensor._make(xs[ix]), Tensor._make(ys[ix])


def _cycle(data: Iterable[Any]) -> Iterator[Batch]:
    """Each batch of ``data`` as Tensors, starting over when it is exhausted.

    A re-iterable (list, DataLoader) is iterated afresh each pass; a one-shot
    iterator is replayed from the batches it gave on its single pass.
    """
    first_pass = iter(data)
    one_shot = first_pass is data
    seen: list[Batch] = []
    for batch in first_pass:
        pair = _as_pair(batch)
        if one_shot:
            seen.append(pair)
        yield pair
    if one_shot:
        while seen:
            yield from seen
    while True:
        empty = True
        for batch in data:
            empty = False
            yield _as_pair(batch)
        if empty:
            return


def _as_pair(batch: Any) -> Batch:
    try:
        xb, yb = batch
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"lr_find: each batch must be an (xb, yb) pair, got {type(batch).__name__}"
        ) from error
    return _as_tensor(xb), _as_tensor(yb)


def _prepend(first: Batch, rest: Iterator[Batch]) -> Iterator[Batch]:
    yield first
    yield from rest


class _Snapshot:
    """Copies of everything a sweep changes, written back in place by ``restore``."""

    def __init__(self, model: Any, optimizer: Optimizer) -> None:
        self.model, self.optimizer = model, optimizer
        unique: dict[int, Tensor] = {}
        for p in model.parameters():
            unique.setdefault(id(p), p)
        for group in optimizer.param_groups:
            for p in group["params"]:
                unique.setdefault(id(p), p)
        self.params = list(unique.values())
        self.tensors = [
            (t, t.data, t.data.copy(), t.grad, None if t.grad is None else t.grad.data.copy())
            for t in (*self.params, *model.buffers())
        ]
        self.modes = [(module, module.training) for module in model.modules()]
        self.attributes = dict(vars(optimizer))
        self.state = [
            (p, inner, dict(inner), _copy_entry(inner)) for p, inner in optimizer.state.items()
        ]
        self.groups = [
            (group, {k: v if k == "params" else copy.deepcopy(v) for k, v in group.items()})
            for group in optimizer.param_groups
        ]

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = None

    def restore(self) -> None:
        for tensor, array, saved, grad, saved_grad in self.tensors:
            array[...] = saved
            tensor.data = array
            if grad is not None:
                grad.data[...] = saved_grad
            tensor.grad = grad
        for module, training in self.modes:
            module.training = training
        optimizer = self.optimizer
        attributes = vars(optimizer)
        for key in [key for key in attributes if key not in self.attributes]:
            del attributes[key]
        attributes.update(self.attributes)
        optimizer.state.clear()
        for p, inner, originals, saved in self.state:
            inner.clear()
            for key, value in saved.items():
                if isinstance(value, np.ndarray):
                    originals[key][...] = value
                    value = originals[key]
                inner[key] = value
            optimizer.state[p] = inner
        for group, saved in self.groups:
            group.clear()
            group.update(saved)
        optimizer.param_groups[:] = [group for group, _ in self.groups]


def _copy_entry(inner: dict[str, Any]) -> dict[str, Any]:
    """A copy of one parameter's optimizer state: arrays copied, other values deep-copied."""
    return {
        k: v.copy() if isinstance(v, np.ndarray) else copy.deepcopy(v) for k, v in inner.items()
    }
