"""The plots of the lectures, each a function returning a matplotlib ``Figure``.

Figures are built with ``matplotlib.figure.Figure`` directly: no pyplot, no GUI
backend, no global state, so they work in scripts, tests and notebooks alike
(a notebook shows a returned figure). ``save_figure(fig, "loss.png")`` writes
PNG or SVG by the file's suffix. matplotlib comes with the ``viz`` extra and is
imported only when a plot is made.

- ``plot_loss``: training and validation loss per epoch (or step).
- ``plot_lr_finder``: ``lr_find``'s loss against log10(lr), the suggestion marked.
- ``plot_activation_histograms`` / ``plot_gradient_histograms``: one density
  curve per layer from ``chainrule.diagnostics.Diagnostics``, as makemore part 3.
- ``plot_update_ratios``: log10 update:data ratio per weight over the steps,
  with the 1e-3 guide line.
- ``plot_activation_functions``: tanh, sigmoid, relu, ... and their derivatives
  (computed by chainrule's backward).
- ``plot_optimizer_paths``: SGD, momentum, Nesterov, RMSprop and Adam on a
  2-D surface with a saddle point.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..dtypes import float64
from ..grad_mode import enable_grad
from ..nn import functional as F
from ..tensor import Tensor
from .figures import FIGURE_FORMATS, new_figure, save_figure
from .paths import OptimizerFactory, SurfaceFn, optimizer_paths, resolve_surface

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "ACTIVATIONS",
    "FIGURE_FORMATS",
    "plot_activation_functions",
    "plot_activation_histograms",
    "plot_gradient_histograms",
    "plot_loss",
    "plot_lr_finder",
    "plot_optimizer_paths",
    "plot_update_ratios",
    "save_figure",
]

ACTIVATIONS: dict[str, Callable[[Tensor], Tensor]] = {
    "tanh": F.tanh,
    "sigmoid": F.sigmoid,
    "relu": F.relu,
    "leaky_relu(0.1)": lambda x: F.leaky_relu(x, 0.1),
    "elu": F.elu,
    "gelu": F.gelu,
}
"""The activation functions ``plot_activation_functions`` draws by default."""


# --- loss curves -----------------------------------------------------------------------------

_LOSS_LABELS = {"loss": "train", "train_loss": "train", "val_loss": "val"}


def _loss_series(history: Any) -> dict[str, np.ndarray]:
    """name -> values of every loss series of a History, a dict or one sequence."""
    records = getattr(history, "history", history)
    if not isinstance(records, Mapping):
        return {"loss": np.asarray(records, dtype=np.float64).ravel()}
    series = {
        name: np.asarray(values, dtype=np.float64).ravel()
        for name, values in records.items()
        if name == "loss" or name.endswith("_loss")
    }
    if not series:
        raise ValueError(
            f"plot_loss: no loss series ('loss', 'val_loss', ...) among {sorted(records)}"
        )
    return series


def _chunk_means(values: np.ndarray, size: int) -> np.ndarray:
    usable = len(values) - len(values) % size
    return values[:usable].reshape(-1, size).mean(axis=1)


def plot_loss(
    history: Any,
    log_scale: bool = False,
    average: int = 1,
    xlabel: str = "epoch",
    title: str = "loss",
) -> Figure:
    """Loss curves: one line per loss series (``loss`` as train, ``val_loss`` as val).

    Args:
        history: a ``History`` (``history.history["loss"]``), a dict of series
            (every key that is ``loss`` or ends in ``_loss`` is drawn) or one
            sequence of losses.
        log_scale: a logarithmic y axis.
        average: draw the mean of each run of ``average`` values (makemore's
            ``lossi.view(-1, 1000).mean(1)``); an incomplete last run is dropped.
        xlabel, title: the axis label and the title.
    """
    if isinstance(average, bool) or not isinstance(average, int) or average < 1:
        raise ValueError(f"plot_loss: average must be an int >= 1, got {average!r}")
    fig = new_figure((6.4, 4.0))
    ax = fig.add_subplot()
    for name, values in _loss_series(history).items():
        values = _chunk_means(values, average)
        steps = np.arange(1, len(values) + 1) * average
        ax.plot(steps, values, label=_LOSS_LABELS.get(name, name))
    if log_scale:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("loss (log scale)" if log_scale else "loss")
    ax.set_title(title)
    ax.legend()
    ax.grid(alpha=0.3)
    return fig


def plot_lr_finder(result: Any) -> Figure:
    """The learning-rate range test: loss against the exponent ``log10(lr)``.

    ``result`` is an ``LRFinderResult`` (its raw and smoothed losses are drawn and
    ``suggested_lr`` is marked on the smoothed curve) or an ``(lrs, losses)`` pair.
    """
    lrs, losses = (np.asarray(part, dtype=np.float64) for part in result)
    exponents = np.log10(lrs)
    smoothed = getattr(result, "smoothed", None)
    suggested = getattr(result, "suggested_lr", None)
    fig = new_figure((6.4, 4.0))
    ax = fig.add_subplot()
    raw_style = {"alpha": 0.35, "linewidth": 0.8} if smoothed is not None else {}
    ax.plot(exponents, losses, label="loss", **raw_style)
    if smoothed is not None:
        smoothed = np.asarray(smoothed, dtype=np.float64)
        ax.plot(exponents, smoothed, label="smoothed")
    if suggested is not None:
        x = math.log10(suggested)
        curve = smoothed if smoothed is not None else losses
        y = float(np.interp(x, exponents, curve))
        ax.plot([x], [y], "o", color="red", markersize=8, label=f"suggested lr {suggested:.3g}")
    ax.set_xlabel("log10(learning rate)")
    ax.set_ylabel("loss")
    ax.set_title("learning-rate finder")
    ax.legend()
    ax.grid(alpha=0.3)
    return fig


# --- diagnostics -----------------------------------------------------------------------------


def _pick(records: Sequence[dict[str, Any]], step: int) -> dict[str, Any] | None:
    """The record of recorded step ``step``, or the ``step``-th from the end if negative."""
    if step < 0:
        return records[step] if len(records) >= -step else None
    for record in records:
        if record["step"] == step:
            return record
    return None


def _density_line(ax: Axes, histogram: tuple[np.ndarray, np.ndarray], label: str) -> None:
    counts, edges = (np.asarray(part, dtype=np.float64) for part in histogram)
    total = counts.sum()
    density = counts / (total * np.diff(edges)) if total else counts
    ax.plot((edges[:-1] + edges[1:]) / 2, density, label=label)


def _histogram_figure(
    records: Mapping[str, Sequence[dict[str, Any]]],
    step: int,
    label: Callable[[str, dict[str, Any]], str],
    title: str,
    what: str,
) -> Figure:
    fig = new_figure((10.0, 4.0))
    ax = fig.add_subplot()
    drawn = []
    for name, layer_records in records.items():
        record = _pick(layer_records, step)
        if record is not None:
            _density_line(ax, record["histogram"], label(name, record))
            drawn.append(record["step"])
    if not drawn:
        raise ValueError(
            f"no {what} recorded for step {step} (attach the Diagnostics, run training "
            "steps and call diag.step(optimizer) after backward)"
        )
    steps = sorted(set(drawn))
    ax.set_title(f"{title} (step {', '.join(map(str, steps))})")
    ax.set_ylabel("density")
    ax.legend(fontsize="small")
    ax.grid(alpha=0.3)
    return fig


def plot_activation_histograms(diagnostics: Any, step: int = -1) -> Figure:
    """One density curve per watched layer's output, as makemore part 3.

    The legend gives each layer's mean, std and (for bounded activations such as
    tanh) the saturated percentage. ``step`` is a recorded step number, or a
    negative index counting back from the latest record (-1, the latest).
    """
    kinds = getattr(diagnostics, "layers", {})

    def label(name: str, r: dict[str, Any]) -> str:
        text = f"layer {name} ({kinds.get(name, '?')}): mean {r['mean']:+.2f}, std {r['std']:.2f}"
        if r.get("saturation") is not None:
            text += f", saturated {100 * r['saturation']:.2f}%"
        return text

    fig = _histogram_figure(
        diagnostics.activations, step, label, "activation distribution", "activations"
    )
    fig.axes[0].set_xlabel("activation")
    return fig


def plot_gradient_histograms(
    diagnostics: Any, step: int = -1, which: str = "activations"
) -> Figure:
    """One density curve per layer of the gradients, as makemore part 3.

    ``which="activations"``: d(loss)/d(output) of each watched layer;
    ``which="parameters"``: each weight's gradient, with its grad:data ratio.
    ``step`` as in ``plot_activation_histograms``.
    """
    if which == "activations":
        records = diagnostics.gradients

        def label(name: str, r: dict[str, Any]) -> str:
            return f"layer {name}: mean {r['mean']:+.2e}, std {r['std']:.2e}"

    elif which == "parameters":
        records = diagnostics.parameter_gradients

        def label(name: str, r: dict[str, Any]) -> str:
            return (
                f"{name}: mean {r['mean']:+.2e}, std {r['std']:.2e}, "
                f"grad:data {r['grad_to_data']:.2e}"
            )

    else:
        raise ValueError(
            f"plot_gradient_histograms: which must be 'activations' or 'parameters', "
            f"got {which!r}"
        )
    title = "gradient distribution" if which == "activations" else "weight gradient distribution"
    fig = _histogram_figure(records, step, label, title, f"{which} gradients")
    fig.axes[0].set_xlabel("gradient")
    return fig


def plot_update_ratios(diagnostics: Any, guide: float = -3.0) -> Figure:
    """log10 of each weight's update:data ratio over the recorded steps.

    The horizontal line at ``guide`` (-3: updates a thousandth of the data) is
    makemore's rule of thumb; far below it learning is slow, far above it too fast.
    """
    if not any(diagnostics.update_ratios.values()):
        raise ValueError(
            "plot_update_ratios: no update ratios recorded (call diag.step(optimizer) "
            "after backward and before optimizer.step())"
        )
    fig = new_figure((10.0, 4.0))
    ax = fig.add_subplot()
    for name, records in diagnostics.update_ratios.items():
        steps = [r["step"] for r in records]
        ax.plot(steps, [r["log10_ratio"] for r in records], label=name)
    ax.axhline(guide, color="black", linestyle="--", linewidth=1, label=f"guide 1e{guide:g}")
    ax.set_xlabel("step")
    ax.set_ylabel("log10(update / data)")
    ax.set_title("update:data ratio")
    ax.legend(fontsize="small")
    ax.grid(alpha=0.3)
    return fig


# --- activation functions and optimizer paths ----------------------------------------------------


def activation_curve(
    fn: Callable[[Tensor], Tensor], x: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``fn(x)`` and its derivative at each point of ``x``, the latter from backward
    (float64; ``sum(fn(x))`` backpropagated gives each point's own derivative)."""
    with enable_grad():
        inputs = Tensor(np.asarray(x, dtype=np.float64), dtype=float64, requires_grad=True)
        outputs = fn(inputs)
        outputs.sum().backward()
    return outputs.data.copy(), inputs.grad.data.copy()


def plot_activation_functions(
    functions: Iterable[str] | Mapping[str, Callable[[Tensor], Tensor]] | None = None,
    x_range: tuple[float, float] = (-4.0, 4.0),
    points: int = 401,
) -> Figure:
    """Each activation function and its derivative, one panel each.

    ``functions``: names from ``ACTIVATIONS`` or a dict name -> function of a
    Tensor (default: all of ``ACTIVATIONS``). Derivatives come from chainrule's
    autograd, not from formulas.
    """
    if functions is None:
        chosen: Mapping[str, Callable[[Tensor], Tensor]] = ACTIVATIONS
    elif isinstance(functions, Mapping):
        chosen = functions
    else:
        names = list(functions)
        unknown = [name for name in names if name not in ACTIVATIONS]
        if unknown:
            raise ValueError(
                f"plot_activation_functions: unknown {unknown}; expected names from "
                f"{list(ACTIVATIONS)} or a dict of functions"
            )
        chosen = {name: ACTIVATIONS[name] for name in names}
    if not chosen:
        raise ValueError("plot_activation_functions: no functions to plot")
    x = np.linspace(x_range[0], x_range[1], points)
    columns = min(3, len(chosen))
    rows = math.ceil(len(chosen) / columns)
    fig = new_figure((3.4 * columns, 2.8 * rows))
    axes = fig.subplots(rows, columns, squeeze=False).ravel()
    for ax, (name, fn) in zip(axes, chosen.items()):
        y, dy = activation_curve(fn, x)
        ax.axhline(0, color="grey", linewidth=0.5)
        ax.axvline(0, color="grey", linewidth=0.5)
        ax.plot(x, y, label="f(x)")
        ax.plot(x, dy, "--", label="f'(x)")
        ax.set_title(name)
        ax.legend(fontsize="small")
        ax.grid(alpha=0.3)
    for ax in axes[len(chosen):]:
        fig.delaxes(ax)
    return fig


def plot_optimizer_paths(
    surface: str | SurfaceFn = "saddle",
    steps: int = 100,
    start: tuple[float, float] | None = None,
    optimizers: Mapping[str, OptimizerFactory] | None = None,
    resolution: int = 200,
) -> Figure:
    """The paths of SGD, momentum, Nesterov, RMSprop and Adam over the contours of
    ``surface`` (``chainrule.viz.paths.optimizer_paths`` runs them; same arguments)."""
    fn, known = resolve_surface(surface)
    paths = optimizer_paths(surface, steps, start, optimizers)
    if not paths:
        raise ValueError("plot_optimizer_paths: no optimizers to run")
    points = np.concatenate([p[np.isfinite(p).all(axis=1)] for p in paths.values()])
    xmin, xmax, ymin, ymax = known.extent if known is not None else (np.inf, -np.inf) * 2
    margin = 0.1 * max(np.ptp(points[:, 0]), np.ptp(points[:, 1]), 1e-3)
    xmin, ymin = (min(v, points[:, i].min() - margin) for i, v in enumerate((xmin, ymin)))
    xmax, ymax = (max(v, points[:, i].max() + margin) for i, v in enumerate((xmax, ymax)))
    gx, gy = np.meshgrid(np.linspace(xmin, xmax, resolution), np.linspace(ymin, ymax, resolution))
    fig = new_figure((6.4, 5.4))
    ax = fig.add_subplot()
    ax.contourf(gx, gy, fn(gx, gy), levels=30, cmap="viridis", alpha=0.6)
    ax.contour(gx, gy, fn(gx, gy), levels=30, colors="black", linewidths=0.3, alpha=0.5)
    for name, path in paths.items():
        ax.plot(path[:, 0], path[:, 1], ".-", markersize=2.5, linewidth=1.2, label=name)
    first = next(iter(paths.values()))[0]
    ax.plot([first[0]], [first[1]], "k*", markersize=12, label="start")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    formula = known.formula if known is not None else getattr(fn, "__name__", "f")
    ax.set_title(f"optimizer paths on {formula} ({steps} steps)")
    ax.legend(fontsize="small", loc="upper right")
    return fig
