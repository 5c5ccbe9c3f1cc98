"""The plots of a run, saved as PNG files in its folder (``chainrule.viz.plots`` draws them).

Each plot is written on its own: one that has nothing to show (no diagnostics
recorded yet, a run interrupted at step 0) is skipped with a note, and without
matplotlib (the ``viz`` extra) no plot is written and the note says how to get
them. Training never fails because of a plot.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["PLOT_FILES", "save_run_plots"]

PLOT_FILES = (
    "loss.png",
    "lr_find.png",
    "activations.png",
    "activation_gradients.png",
    "weight_gradients.png",
    "update_ratios.png",
    "activation_functions.png",
    "optimizer_paths.png",
)
"""Every plot a run may write, in the order the report shows them."""


def _loss_figure(history: dict[str, list[Any]], xlabel: str) -> Any:
    from ..viz.plots import plot_loss

    series = {key: history[key] for key in ("loss", "val_loss") if history.get(key)}
    if not series:
        raise ValueError("no losses recorded")
    fig = plot_loss(series, xlabel=xlabel, title="loss (train: mean over each interval)")
    steps = history.get("step")
    if steps:  # plot_loss numbers the points 1, 2, ...; put them at their steps
        ax = fig.axes[0]
        for line in ax.lines:
            line.set_xdata(steps[: len(line.get_ydata())])
        ax.relim()
        ax.autoscale_view()
    return fig


def save_run_plots(
    run_dir: str | Path,
    history: dict[str, list[Any]],
    diagnostics: Any = None,
    lr_result: Any = None,
    xlabel: str = "step",
) -> tuple[list[str], list[str]]:
    """Write the run's plots into ``run_dir``; returns ``(files written, notes)``."""
    try:
        from ..viz import plots
    except ImportError as error:  # pragma: no cover - depends on the installed extras
        return [], [f"plots skipped: {error}"]
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return [], ["plots skipped: matplotlib is not installed "
                    "(pip install 'chainrule[viz]')"]
    makers: dict[str, Callable[[], Any]] = {"loss.png": lambda: _loss_figure(history, xlabel)}
    if lr_result is not None:
        makers["lr_find.png"] = lambda: plots.plot_lr_finder(lr_result)
    if diagnostics is not None:
        makers["activations.png"] = lambda: plots.plot_activation_histograms(diagnostics)
        makers["activation_gradients.png"] = lambda: plots.plot_gradient_histograms(diagnostics)
        makers["weight_gradients.png"] = lambda: plots.plot_gradient_histograms(
            diagnostics, which="parameters")
        makers["update_ratios.png"] = lambda: plots.plot_update_ratios(diagnostics)
    makers["activation_functions.png"] = plots.plot_activation_functions
    makers["optimizer_paths.png"] = plots.plot_optimizer_paths
    written, notes = [], []
    for name, make in makers.items():
        try:
            plots.save_figure(make(), Path(run_dir) / name)
        except ValueError as error:
            notes.append(f"{name} skipped: {error}")
            continue
        written.append(name)
    return written, notes
