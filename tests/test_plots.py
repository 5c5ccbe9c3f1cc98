"""chainrule.viz.plots: each plot draws the data it is given, and saves as PNG or SVG."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

import chainrule as cr
from chainrule import nn
from chainrule.diagnostics import Diagnostics
from chainrule.optim import LRFinderResult
from chainrule.viz import paths as viz_paths
from chainrule.viz import plots


def labelled(ax) -> dict[str, object]:
    """label -> Line2D of every labelled line of ``ax``."""
    return {line.get_label(): line for line in ax.get_lines()}


def legend_texts(ax) -> list[str]:
    return [text.get_text() for text in ax.get_legend().get_texts()]


@pytest.fixture(scope="module")
def diagnostics() -> Diagnostics:
    """Three recorded steps (0, 2, 4) of a small tanh MLP trained with SGD."""
    rng = np.random.default_rng(0)
    cr.manual_seed(0)
    model = nn.Sequential(
        nn.Linear(8, 32), nn.Tanh(), nn.Linear(32, 32), nn.Tanh(), nn.Linear(32, 2)
    )
    optimizer = cr.optim.SGD(model.parameters(), lr=0.1)
    with Diagnostics(model, every=2, bins=30) as diag:
        for _ in range(5):
            x = cr.tensor(rng.standard_normal((64, 8)).astype(np.float32))
            y = cr.tensor(rng.integers(0, 2, 64))
            loss = nn.functional.cross_entropy(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            diag.step(optimizer)
            optimizer.step()
    return diag


# --- loss curves and the LR finder ---------------------------------------------------------------


class FakeHistory:
    def __init__(self, history: dict) -> None:
        self.history = history


def test_plot_loss_draws_train_and_val() -> None:
    history = {"loss": [2.0, 1.5, 1.2, 1.1], "val_loss": [2.1, 1.7, 1.4, 1.3], "lr": [0.1] * 4}
    fig = plots.plot_loss(FakeHistory(history))
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    lines = labelled(ax)
    assert sorted(lines) == ["train", "val"]
    np.testing.assert_array_equal(lines["train"].get_ydata(), history["loss"])
    np.testing.assert_array_equal(lines["val"].get_ydata(), history["val_loss"])
    np.testing.assert_array_equal(lines["train"].get_xdata(), [1, 2, 3, 4])
    assert ax.get_yscale() == "linear"
    assert legend_texts(ax) == ["train", "val"]


def test_plot_loss_log_scale_average_and_plain_sequence() -> None:
    fig = plots.plot_loss({"loss": [4.0, 2.0, 1.0, 0.5, 0.25]}, log_scale=True, average=2)
    (ax,) = fig.axes
    assert ax.get_yscale() == "log"
    (line,) = ax.get_lines()
    np.testing.assert_allclose(line.get_ydata(), [3.0, 0.75])  # the incomplete run is dropped
    np.testing.assert_array_equal(line.get_xdata(), [2, 4])
    assert len(plots.plot_loss([3.0, 2.0, 1.0]).axes[0].get_lines()) == 1
    with pytest.raises(ValueError, match="no loss series"):
        plots.plot_loss({"accuracy": [0.5]})
    with pytest.raises(ValueError, match="average"):
        plots.plot_loss([1.0], average=0)


def test_plot_lr_finder_marks_the_suggestion() -> None:
    lrs = 10 ** np.linspace(-3, 0, 50)
    losses = (np.log10(lrs) + 1.5) ** 2 + 1
    smoothed = losses + 0.01
    result = LRFinderResult(lrs=lrs, losses=losses, smoothed=smoothed, suggested_lr=0.02,
                            diverged=False)
    (ax,) = plots.plot_lr_finder(result).axes
    lines = labelled(ax)
    np.testing.assert_allclose(lines["loss"].get_xdata(), np.log10(lrs))
    np.testing.assert_allclose(lines["smoothed"].get_ydata(), smoothed)
    (marker,) = [line for line in ax.get_lines() if line.get_marker() == "o"]
    np.testing.assert_allclose(marker.get_xdata(), [math.log10(0.02)])
    expected_y = np.interp(math.log10(0.02), np.log10(lrs), smoothed)
    np.testing.assert_allclose(marker.get_ydata(), [expected_y])
    assert "0.02" in marker.get_label()
    assert "log10" in ax.get_xlabel()
    (ax,) = plots.plot_lr_finder((lrs, losses)).axes
    assert len(ax.get_lines()) == 1


# --- diagnostics plots ---------------------------------------------------------------------------


def test_plot_activation_histograms(diagnostics: Diagnostics) -> None:
    (ax,) = plots.plot_activation_histograms(diagnostics).axes
    lines = ax.get_lines()
    assert len(lines) == 2
    texts = legend_texts(ax)
    for text, (name, records) in zip(texts, diagnostics.activations.items()):
        record = records[-1]
        assert record["step"] == 4
        assert text.startswith(f"layer {name} (Tanh)")
        assert f"saturated {100 * record['saturation']:.2f}%" in text
    counts, edges = diagnostics.activations["1"][-1]["histogram"]
    x, density = lines[0].get_xdata(), lines[0].get_ydata()
    np.testing.assert_allclose(x, (edges[:-1] + edges[1:]) / 2)
    np.testing.assert_allclose(np.sum(density * np.diff(edges)), 1.0)
    assert "step 4" in ax.get_title()
    (ax,) = plots.plot_activation_histograms(diagnostics, step=2).axes
    assert "step 2" in ax.get_title()
    with pytest.raises(ValueError, match="no activations recorded"):
        plots.plot_activation_histograms(diagnostics, step=3)


def test_plot_gradient_histograms(diagnostics: Diagnostics) -> None:
    (ax,) = plots.plot_gradient_histograms(diagnostics).axes
    assert len(ax.get_lines()) == len(diagnostics.gradients) == 2
    record = diagnostics.gradients["3"][-1]
    assert f"std {record['std']:.2e}" in legend_texts(ax)[1]
    (ax,) = plots.plot_gradient_histograms(diagnostics, which="parameters").axes
    assert len(ax.get_lines()) == 3  # the three weight matrices
    assert all("grad:data" in text for text in legend_texts(ax))
    with pytest.raises(ValueError, match="which"):
        plots.plot_gradient_histograms(diagnostics, which="biases")


def test_plot_update_ratios_has_guide_line(diagnostics: Diagnostics) -> None:
    (ax,) = plots.plot_update_ratios(diagnostics).axes
    lines = labelled(ax)
    for name, records in diagnostics.update_ratios.items():
        np.testing.assert_array_equal(lines[name].get_xdata(), [0, 2, 4])
        np.testing.assert_allclose(lines[name].get_ydata(), [r["log10_ratio"] for r in records])
    guides = [line for line in ax.get_lines() if np.all(np.asarray(line.get_ydata()) == -3)]
    assert len(guides) == 1
    assert len(ax.get_lines()) == len(diagnostics.update_ratios) + 1
    empty = Diagnostics(nn.Tanh())
    with pytest.raises(ValueError, match="no update ratios"):
        plots.plot_update_ratios(empty)


# --- activation functions ------------------------------------------------------------------------

SQRT2 = math.sqrt(2)
REFERENCE = {
    "tanh": np.tanh,
    "sigmoid": lambda x: 1 / (1 + np.exp(-x)),
    "relu": lambda x: np.maximum(x, 0),
    "leaky_relu(0.1)": lambda x: np.where(x > 0, x, 0.1 * x),
    "elu": lambda x: np.where(x > 0, x, np.expm1(np.minimum(x, 0))),
    "gelu": lambda x: 0.5 * x * (1 + np.vectorize(math.erf)(x / SQRT2)),
}


def test_plot_activation_functions_derivatives_match_finite_differences() -> None:
    fig = plots.plot_activation_functions(points=201)
    assert len(fig.axes) == 6
    assert [ax.get_title() for ax in fig.axes] == list(REFERENCE)
    h = 1e-6
    for ax in fig.axes:
        reference = REFERENCE[ax.get_title()]
        lines = labelled(ax)
        x = np.asarray(lines["f(x)"].get_xdata())
        np.testing.assert_allclose(lines["f(x)"].get_ydata(), reference(x), rtol=1e-10, atol=1e-12)
        smooth = np.abs(x) > 1e-3  # away from the kinks of relu and leaky_relu
        finite = (reference(x + h) - reference(x - h)) / (2 * h)
        derivative = np.asarray(lines["f'(x)"].get_ydata())
        np.testing.assert_allclose(derivative[smooth], finite[smooth], atol=1e-6)


def test_plot_activation_functions_subset_and_errors() -> None:
    fig = plots.plot_activation_functions(["tanh", "relu"])
    assert [ax.get_title() for ax in fig.axes] == ["tanh", "relu"]
    fig = plots.plot_activation_functions({"square": lambda x: x * x}, x_range=(-1, 1), points=5)
    np.testing.assert_allclose(labelled(fig.axes[0])["f'(x)"].get_ydata(), [-2, -1, 0, 1, 2])
    with pytest.raises(ValueError, match="unknown"):
        plots.plot_activation_functions(["swish2"])


# --- optimizer paths -----------------------------------------------------------------------------


def test_sgd_path_follows_the_update_rule_on_the_saddle() -> None:
    lr, start = 0.1, (-1.5, 0.02)
    paths = viz_paths.optimizer_paths(
        steps=30, start=start, optimizers={"SGD": lambda p: cr.optim.SGD(p, lr=lr)}
    )
    x, y = start
    expected = [(x, y)]
    for _ in range(30):
        x, y = x - lr * 2 * x, y - lr * (-2 * y + y**3)  # gradient of x² − y² + y⁴/4
        expected.append((x, y))
    np.testing.assert_allclose(paths["SGD"], expected, rtol=1e-12, atol=1e-15)


def torch_path(make, start, steps: int) -> np.ndarray:
    point = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    optimizer = make([point])
    path = [point.detach().numpy().copy()]
    for _ in range(steps):
        optimizer.zero_grad()
        (point[0] ** 2 - point[1] ** 2 + point[1] ** 4 / 4).backward()
        optimizer.step()
        path.append(point.detach().numpy().copy())
    return np.array(path)


def test_plot_optimizer_paths_draws_each_path() -> None:
    start = (-2.0, 0.01)
    ours = {
        "momentum": lambda p: cr.optim.SGD(p, lr=0.01, momentum=0.9),
        "Nesterov": lambda p: cr.optim.SGD(p, lr=0.01, momentum=0.9, nesterov=True),
        "RMSprop": lambda p: cr.optim.RMSprop(p, lr=0.02),
        "Adam": lambda p: cr.optim.Adam(p, lr=0.05),
    }
    theirs = {
        "momentum": lambda p: torch.optim.SGD(p, lr=0.01, momentum=0.9),
        "Nesterov": lambda p: torch.optim.SGD(p, lr=0.01, momentum=0.9, nesterov=True),
        "RMSprop": lambda p: torch.optim.RMSprop(p, lr=0.02),
        "Adam": lambda p: torch.optim.Adam(p, lr=0.05),
    }
    (ax,) = plots.plot_optimizer_paths(steps=40, start=start, optimizers=ours, resolution=40).axes
    lines = labelled(ax)
    for name, make in theirs.items():
        expected = torch_path(make, start, 40)
        np.testing.assert_allclose(lines[name].get_xdata(), expected[:, 0], rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(lines[name].get_ydata(), expected[:, 1], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(lines["start"].get_xydata(), [start])
    assert ax.collections  # the contours


def test_plot_optimizer_paths_defaults_compare_five_optimizers() -> None:
    (ax,) = plots.plot_optimizer_paths(steps=20, resolution=30).axes
    names = set(labelled(ax))
    assert {"SGD", "momentum", "Nesterov", "RMSprop", "Adam", "start"} <= names
    assert "saddle" not in ax.get_title()  # the formula, not the key, is shown
    with pytest.raises(ValueError, match="unknown surface"):
        plots.plot_optimizer_paths(surface="bowl")
    with pytest.raises(ValueError, match="start"):
        plots.plot_optimizer_paths(surface=lambda x, y: x**2 + y**2, steps=2)
    fig = plots.plot_optimizer_paths(lambda x, y: x**2 + 3 * y**2, steps=5, start=(1.0, 1.0),
                                      resolution=20)
    assert len(fig.axes) == 1


# --- saving and importing ------------------------------------------------------------------------


def test_save_figure_png_svg_and_bad_suffix(tmp_path: Path) -> None:
    fig = plots.plot_loss([3.0, 2.0, 1.0])
    png = plots.save_figure(fig, tmp_path / "loss.png")
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    svg = plots.save_figure(fig, tmp_path / "loss.SVG")
    assert "<svg" in svg.read_text()
    with pytest.raises(ValueError, match=r"\.jpg"):
        plots.save_figure(fig, tmp_path / "loss.jpg")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["loss.SVG", "loss.png"]


def test_import_viz_does_not_import_matplotlib() -> None:
    code = (
        "import sys, chainrule.viz as viz\n"
        "assert 'matplotlib' not in sys.modules, 'imported early'\n"
        "assert viz.to_dot(sys.modules['chainrule'].Value(1.0)).startswith('digraph')\n"
        "assert 'matplotlib' not in sys.modules, 'imported by to_dot'\n"
        "f = viz.plot_loss\n"
        "assert 'matplotlib' not in sys.modules, 'imported on attribute access'\n"
        "f([1.0, 0.5])\n"
        "assert 'matplotlib' in sys.modules\n"
        "assert viz.save_figure is viz.plots.save_figure\n"
        "try:\n"
        "    viz.plot_nothing\n"
        "except AttributeError:\n"
        "    pass\n"
        "else:\n"
        "    raise SystemExit('no AttributeError')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
