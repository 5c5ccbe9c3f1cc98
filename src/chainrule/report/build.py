"""``build_report``: read a run folder, write its ``report.html``."""

from __future__ import annotations

import os
from html import escape
from pathlib import Path
from typing import Any

from ..runs.figures import PLOT_FILES
from ..runs.folder import CONFIG, HISTORY, METRICS, PARAMS, REPORT, SAMPLES, read_json, write_text
from .html import fmt, image, page, section, setting, table

__all__ = ["build_report", "render_report"]

CAPTIONS = {
    "loss.png": "Loss over training: the mean minibatch loss of each logging interval "
                "(train) and the loss of the whole validation split in eval mode (val).",
    "lr_find.png": "Learning-rate finder: one minibatch step at each of exponentially "
                   "spaced rates (the lecture's 10**linspace sweep), loss against "
                   "log10(lr); the dot marks the suggested rate. The model is restored "
                   "after the sweep.",
    "activations.png": "Activation distribution of each tanh layer at the last recorded "
                       "step (makemore part 3); the legend gives mean, std and the "
                       "saturated fraction (|t| > 0.97).",
    "activation_gradients.png": "Distribution of the gradient flowing into each tanh "
                                "layer's output at the last recorded step.",
    "weight_gradients.png": "Distribution of each weight's gradient at the last recorded "
                            "step, with its grad:data ratio.",
    "update_ratios.png": "log10 of the update:data ratio (std(lr * grad) / std(weight)) of "
                         "each weight over training; the dashed line is the 1e-3 rule of "
                         "thumb.",
    "activation_functions.png": "Activation functions and their derivatives (computed by "
                                "chainrule's backward pass); this model uses tanh.",
    "optimizer_paths.png": "SGD, momentum, Nesterov, RMSprop and Adam on a 2-D surface with "
                           "a saddle point (how the optimizers differ).",
}


def _load(run_dir: Path, name: str, default: Any) -> Any:
    path = run_dir / name
    return read_json(path) if path.is_file() else default


def _metrics_section(info: dict[str, Any], metrics: dict[str, Any]) -> str:
    splits = ("train", "val", "test")
    if not metrics:
        return section("Final metrics", "<p>No metrics recorded (metrics.json is missing).</p>")
    body = ""
    if info.get("task") == "classification":
        rows = [(s, fmt(metrics.get(f"{s}_loss")), fmt(metrics.get(f"{s}_accuracy"))) for s in
                splits]
        body += table(("split", "loss", "accuracy"), rows, numeric=(1, 2))
    else:
        rows = []
        for s in splits:
            ours, base = metrics.get(f"{s}_loss"), metrics.get(f"bigram_{s}_loss")
            gap = None if ours is None or base is None else base - ours
            rows.append((s, fmt(ours), fmt(base), fmt(gap)))
        body += table(("split", "model loss (nats)", "bigram baseline", "baseline − model"),
                      rows, numeric=(1, 2, 3))
        ours, base = metrics.get("val_loss"), metrics.get("bigram_val_loss")
        if ours is not None and base is not None:
            good = ours < base
            body += (f'<p class="{"good" if good else "bad"}">Validation loss '
                     f"{fmt(ours)} is {fmt(abs(base - ours))} nats "
                     f"{'below' if good else 'above'} the count-based bigram baseline "
                     f"({fmt(base)}, add-one smoothing, fitted on the same training words)."
                     "</p>")
    body += "<p>Losses are cross-entropies in nats over each whole split, in eval mode " \
            "(BatchNorm on its running statistics).</p>"
    facts = [
        ("optimizer steps", f"{fmt(metrics.get('steps_done'))} of {fmt(metrics.get('steps'))}")
        if "steps" in metrics else None,
        ("epochs", f"{fmt(metrics.get('epochs_done'))} of {fmt(metrics.get('epochs'))}")
        if "epochs" in metrics else None,
        ("training time", f"{fmt(metrics.get('train_seconds'), 1)} s"),
        ("wall time", f"{fmt(metrics.get('wall_seconds'), 1)} s"),
        ("learning-rate finder's suggestion", fmt(metrics.get("lr_find_suggested_lr"))),
        ("interrupted (Ctrl-C)", fmt(bool(metrics.get("interrupted")))),
    ]
    body += table(None, [f for f in facts if f is not None])
    return section("Final metrics", body)


def _samples_section(run_dir: Path) -> str:
    path = run_dir / SAMPLES
    if not path.is_file():
        return ""
    words = [line for line in path.read_text(encoding="utf-8").splitlines()]
    items = "".join(f"<li>{escape(word) if word else '<em>(empty)</em>'}</li>" for word in words)
    return section("Generated samples",
                   f"<p>{len(words)} words sampled from the trained model (eval mode, "
                   f"multinomial draws until '.'):</p><ol class=\"samples\">{items}</ol>")


def _plots_section(run_dir: Path) -> str:
    names = [name for name in PLOT_FILES if (run_dir / name).is_file()]
    names += sorted(p.name for p in run_dir.glob("*.png") if p.name not in PLOT_FILES)
    figures, broken = [], []
    for name in names:
        try:
            figures.append(image((run_dir / name).read_bytes(), name,
                                 f"{name}: {CAPTIONS.get(name, '')}".rstrip(": ")))
        except ValueError:
            broken.append(name)  # not a PNG: left out rather than shown as a broken image
    body = "".join(figures)
    if not figures:
        body = ("<p>No plots in the run folder (the run was made with <code>--no-plots</code>, "
                "or without matplotlib: <code>pip install 'chainrule[viz]'</code>).</p>")
    if broken:
        body += f"<p>Not PNG images, left out: {escape(', '.join(broken))}.</p>"
    return section("Plots", body)


def _params_section(params: dict[str, Any]) -> str:
    rows = params.get("rows") or []
    if not rows:
        return ""
    lecture = any("lecture" in row for row in rows)
    header = ["layer", "type", "parameter", *(["lecture's name"] if lecture else []),
              "shape", "count"]
    body_rows = []
    for row in rows:
        shape = "(" + ", ".join(str(s) for s in row["shape"]) + ("," if len(row["shape"]) == 1
                                                                else "") + ")"
        body_rows.append([row["layer"], row["type"], row["parameter"],
                          *([row.get("lecture", "")] if lecture else []), shape,
                          fmt(row["count"])])
    total = ["total", "", "", *([""] if lecture else []), "", fmt(params.get("total"))]
    count_column = len(header) - 1
    return section("Parameters", "<p>Every trainable tensor, counted as the lectures count "
                   "them (<code>sum(p.nelement() for p in parameters)</code>; BatchNorm's "
                   "running statistics are buffers, not parameters).</p>"
                   + table(header, body_rows, numeric=(count_column,), total=total))


def _history_section(history: dict[str, Any], limit: int = 25) -> str:
    keys = [key for key in history if key not in ("step", "epoch") and history[key]]
    axis = "step" if history.get("step") else "epoch" if history.get("epoch") else None
    if axis is None or not keys:
        return ""
    n = len(history[axis])
    stride = max(1, -(-n // limit))
    picked = sorted(set(range(0, n, stride)) | {n - 1})
    rows = [[fmt(history[axis][i])] + [fmt(history[key][i]) if i < len(history[key]) else ""
                                       for key in keys] for i in picked]
    note = f"<p>{len(picked)} of {n} records (every {stride}).</p>" if stride > 1 else ""
    return section("Training log", note + table([axis, *keys], rows,
                                                 numeric=range(len(keys) + 1)))


def _settings_section(info: dict[str, Any]) -> str:
    config = info.get("config", {})
    rows = [(key, setting(value)) for key, value in config.items()]
    body = table(("setting", "value"), rows)
    data = info.get("data", {})
    extra = [("data", data.get("description"))]
    for key in ("words", "examples", "rows"):
        if key in data:
            extra.append((f"{key} (train / val / test)",
                          " / ".join(fmt(data[key].get(s)) for s in ("train", "val", "test"))))
    if "vocab" in data:
        extra.append(("vocabulary", data["vocab"]))
    model = info.get("model", {})
    extra.append(("model", model.get("description")))
    body += table(None, [(k, fmt(v)) for k, v in extra if v is not None])
    return section("Settings", body)


def render_report(run_dir: str | os.PathLike) -> str:
    """The report page of ``run_dir`` as an HTML string (``build_report`` writes it)."""
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise FileNotFoundError(f"no run folder at {str(run_dir)!r}")
    if not (run_dir / CONFIG).is_file():
        raise ValueError(f"{str(run_dir)!r} is not a run folder: it has no {CONFIG} "
                         "(written by `chainrule train`)")
    info = read_json(run_dir / CONFIG)
    metrics = _load(run_dir, METRICS, {})
    history = _load(run_dir, HISTORY, {})
    params = _load(run_dir, PARAMS, {})
    model = info.get("model", {})
    data = info.get("data", {})
    lead = f"{model.get('description', 'model')} on {data.get('description', 'data')}"
    sections = []
    if metrics.get("interrupted"):
        unit = "steps" if "steps_done" in metrics else "epochs"
        sections.append('<p class="notice">Training was interrupted (Ctrl-C) after '
                        f"{fmt(metrics.get(f'{unit}_done'))} {unit}; everything below "
                        "describes the model at that point.</p>\n")
    sections += [_metrics_section(info, metrics), _samples_section(run_dir),
                 _plots_section(run_dir), _params_section(params), _history_section(history),
                 _settings_section(info)]
    return page(f"chainrule run {run_dir.resolve().name}", lead, sections)


def build_report(run_dir: str | os.PathLike) -> Path:
    """Write ``report.html`` into ``run_dir`` from the run's files; returns its path.

    Raises FileNotFoundError if ``run_dir`` does not exist and ValueError if it is
    not a run folder (no ``config.json``) or a JSON file in it is broken. Missing
    optional files (metrics, history, params, samples, plots) leave their section
    out or say they are missing.
    """
    html = render_report(run_dir)
    return write_text(Path(run_dir) / REPORT, html)
