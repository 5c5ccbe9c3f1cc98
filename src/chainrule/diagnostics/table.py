"""``summary_table``: the latest statistics of a ``Diagnostics`` as aligned text."""

from __future__ import annotations

import math
from typing import Any

__all__ = ["summary_table"]


def _number(value: Any, spec: str) -> str:
    if value is None:
        return "-"
    if isinstance(value, float) and math.isnan(value):
        return "nan"
    return format(value, spec)


def _percent(value: float | None) -> str:
    return "-" if value is None else _number(100 * value, ".2f") + "%"


def _align(rows: list[list[str]]) -> list[str]:
    """Left-align the first column, right-align the others, two spaces apart."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [row[0].ljust(widths[0])]
        cells += [cell.rjust(width) for cell, width in zip(row[1:], widths[1:])]
        lines.append("  ".join(cells).rstrip())
    return lines


def _latest(records: dict[str, list[dict[str, Any]]], name: str) -> dict[str, Any]:
    found = records.get(name) or [{}]
    return found[-1]


def _layer_rows(diag: Any) -> list[list[str]]:
    rows = [["layer", "type", "step", "mean", "std", "saturated", "dead", "grad mean",
             "grad std"]]
    for name, kind in diag.layers.items():
        a = _latest(diag.activations, name)
        g = _latest(diag.gradients, name)
        rows.append([
            name, kind, _number(a.get("step"), "d"),
            _number(a.get("mean"), "+.4f"), _number(a.get("std"), ".4f"),
            _percent(a.get("saturation")), _percent(a.get("dead_fraction")),
            _number(g.get("mean"), "+.3e"), _number(g.get("std"), ".3e"),
        ])
    return rows


def _parameter_rows(diag: Any) -> list[list[str]]:
    rows = [["parameter", "shape", "step", "grad mean", "grad std", "grad:data",
             "log10 update:data"]]
    shapes = {name: tuple(p.shape) for name, p in diag.model.named_parameters()}
    for name, records in diag.update_ratios.items():
        g = _latest(diag.parameter_gradients, name)
        u = records[-1]
        rows.append([
            name, str(shapes.get(name, "?")), _number(u["step"], "d"),
            _number(g.get("mean"), "+.3e"), _number(g.get("std"), ".3e"),
            _number(g.get("grad_to_data"), ".3e"), _number(u["log10_ratio"], "+.2f"),
        ])
    return rows


def summary_table(diag: Any) -> str:
    """The latest record of every watched layer and every recorded parameter.

    Layers show the output's mean, std, saturation and dead units and the mean
    and std of its gradient; parameters their gradient, grad:data ratio and the
    log10 update:data ratio (makemore's target: about -3). "-" marks a statistic
    that does not apply or was not recorded.
    """
    header = (
        f"Diagnostics of {type(diag.model).__name__}: {diag.steps} steps, "
        f"recorded every {diag.every}"
    )
    lines = [header, ""]
    if diag.layers:
        lines += _align(_layer_rows(diag))
    else:
        lines.append("(no layers watched)")
    if diag.update_ratios:
        lines += ["", *_align(_parameter_rows(diag))]
    return "\n".join(lines)
