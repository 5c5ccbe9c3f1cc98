"""The backprop explorer: one self-contained HTML page that steps through backpropagation.

``explore(root, "graph.html")`` records the backward pass through the engine
(``record_backward``), lays the graph out left to right (``layered_layout``) and
writes one HTML file: the template ``explorer.html`` with ``explorer.css``,
``explorer.js`` and the graph and its steps (a JSON blob) inlined. The page
fetches nothing (no network, no fonts), so it opens offline and as an email
attachment; it only shows what the recording holds.

The steps, in order: the forward pass (one per node, inputs first, revealing
its data), the seed (the root's gradient set to 1), then one step per
computed node in the order the engine processed them, each showing the
chain-rule line of every input with its numbers.
"""

from __future__ import annotations

import html
import json
import os
import re
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from ..tensor import Tensor
from ..value import Value
from .graph import _write_atomically
from .layout import layered_layout
from .record import record_backward
from .steps import Recording, Step, Summary, amount_text, fmt

CHAR_WIDTH = 7.4
"""Pixels per character of the node text (12px monospace), for sizing boxes."""

_LINE = 16.0
_PLACEHOLDER = "—"


def explore(
    root: Value | Tensor,
    path: str | os.PathLike[str] = "graph.html",
    title: str | None = None,
    *,
    names: Mapping[str, Any] | None = None,
) -> Path:
    """Write the backprop explorer for ``root``'s graph into one HTML file; return its path.

    The page shows the computation graph left to right (each value with its
    label, data and grad; each operation as a small node) and steps through the
    forward pass, then the backward pass in the engine's order, with the
    chain-rule line of every input at every step. Controls: step back / step
    forward / play / reset, a slider over all steps, arrow keys and space;
    drag to pan, wheel to zoom. A ``Tensor`` root shows shapes and statistics.

    Runs the backward pass (see ``record_backward``: gradients are reset first,
    so afterwards every ``.grad`` holds this one pass). ``names`` optionally
    names nodes, e.g. ``dict(model.named_parameters())``. The file is written
    atomically; missing parent folders are created.
    """
    recording = record_backward(root, names)
    if title is None:
        title = f"backprop explorer: {recording.names[recording.root]}"
    text = render_page(page_data(recording, title), title)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_atomically(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    return path


def render_page(data: dict[str, Any], title: str) -> str:
    """The page's HTML: the template with its style, script, title and data inlined."""
    parts = {
        "title": html.escape(title),
        "style": _asset("explorer.css"),
        "script": _asset("explorer.js"),
        "data": embed_json(data),
    }
    return re.sub(r"\{\{(\w+)\}\}", lambda m: parts[m.group(1)], _asset("explorer.html"))


def embed_json(data: Any) -> str:
    """JSON that is safe inside a ``<script>`` element: ``<``, ``>`` and ``&`` are escaped,
    so no text in a label can close the element (``</script>``) or open a comment."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


# --- the page's data: nodes with positions, edges, steps ------------------------------------


def page_data(recording: Recording, title: str) -> dict[str, Any]:
    """Everything the page shows, as JSON-ready data (also handy for tests)."""
    ids = recording.ids
    steps = _forward_steps(recording) + [_seed_step(recording)]
    steps += [_backward_step(recording, i, step) for i, step in enumerate(recording.steps)]
    shown: dict[str, list[str]] = {}  # every text a node will show, to size its box
    for step in steps:
        if "d" in step:
            shown.setdefault(step["d"][0], []).append(step["d"][1])
        for node_id, text in step.get("g", ()):
            shown.setdefault(node_id, []).append(text)

    boxes, sizes, edges = [], [], []
    for node in recording.order:
        node_id = ids[node]
        if node._prev:  # the op node comes between the operands and the result
            op = recording.op(node) or "op"
            boxes.append({"id": node_id + "op", "kind": "op", "text": op})
            sizes.append((node_id + "op", max(36.0, len(op) * CHAR_WIDTH + 22), 28.0))
            edges.extend((ids[operand], node_id + "op") for operand in node._prev)
            edges.append((node_id + "op", node_id))
        box = _value_box(recording, node, shown.get(node_id, []))
        boxes.append(box)
        sizes.append((node_id, box.pop("w"), box.pop("h")))
    layout = layered_layout(sizes, edges)
    placed = layout.boxes
    for box in boxes:
        p = placed[box["id"]]
        box.update(x=round(p.x, 1), y=round(p.y, 1), w=round(p.w, 1), h=round(p.h, 1))
    seen: dict[tuple[str, str], int] = {}
    edge_rows = []
    for (tail, head), bends in zip(edges, layout.bends):
        copy = seen[tail, head] = seen.get((tail, head), -1) + 1  # a + a: two edges, bent apart
        a, b = placed[tail], placed[head]
        edge_rows.append([tail, head, round(a.x + a.w / 2, 1), round(a.y, 1),
                          round(b.x - b.w / 2, 1), round(b.y, 1), copy,
                          [round(v, 1) for point in bends for v in point]])
    return {
        "title": title,
        "kind": recording.kind,
        "root": ids[recording.root],
        "nodes": boxes,
        "edges": edge_rows,
        "steps": steps,
        "forward": len(recording.order),
    }


def _value_box(recording: Recording, node: Any, shown: list[str]) -> dict[str, Any]:
    name = recording.names[node]
    node_id = recording.ids[node]
    data_w = max([len(t) for t in shown if t] + [len(_PLACEHOLDER)]) + 5  # "data " / "grad "
    if recording.kind == "value":
        cells = [max(len(name), 1), data_w, data_w]
        widths = [round(c * CHAR_WIDTH + 16, 1) for c in cells]
        return {"id": node_id, "kind": "value", "name": name, "cells": widths,
                "w": sum(widths), "h": 30.0}
    op = recording.op(node) or "leaf"
    shape = tuple(node.data.shape)
    lines = [f"{name} · {op}", f"shape {shape} {node.data.dtype}"]
    chars = max([len(line) for line in lines] + [data_w])
    return {"id": node_id, "kind": "value", "name": name, "lines": lines,
            "w": chars * CHAR_WIDTH + 16, "h": _LINE * 4 + 10}


def _forward_steps(recording: Recording) -> list[dict[str, Any]]:
    steps = []
    total = len(recording.order)
    for index, node in enumerate(recording.order):
        data = recording.data(node)
        lines = [["eq", recording.forward_line(node)]]
        if isinstance(data, Summary):
            lines.append(["stat", f"data: {data.text()}  (μ mean, σ std, [min, max])"])
        if not node._prev:
            lines.append(["note", "a leaf: an input or a parameter, not computed from anything"])
        steps.append({
            "k": "f", "n": recording.ids[node],
            "t": f"forward {index + 1}/{total}: {recording.names[node]}",
            "l": lines, "d": [recording.ids[node], amount_text(data)],
        })
    return steps


def _seed_step(recording: Recording) -> dict[str, Any]:
    root, ids, names = recording.root, recording.ids, recording.names
    name = names[root]
    if recording.kind == "value":
        grads = [[ids[node], fmt(0.0)] for node in recording.order if node is not root]
        lines = [
            ["eq", f"{name}.grad = 1.0"],
            ["note", f"d{name}/d{name} = 1: the backward pass starts at the root. Every other "
                     "grad starts at 0 and only ever grows by +=."],
        ]
    else:
        grads = [[ids[node], _PLACEHOLDER] for node in recording.order if node is not root]
        lines = [
            ["eq", f"d{name} = ones{tuple(root.data.shape)}, the seed"],
            ["note", "every other gradient is empty until a step passes one on"],
        ]
    grads.append([ids[root], amount_text(recording.seed)])
    return {"k": "s", "n": ids[root], "t": f"backward: seed {name}.grad", "l": lines, "g": grads}


def _backward_step(recording: Recording, index: int, step: Step) -> dict[str, Any]:
    ids = recording.ids
    lines: list[list[str]] = [["eq", recording.forward_line(step.node)]]
    if step.rule:
        lines.append(["rule", step.rule])
    if recording.kind == "value":
        lines.append(["up", f"upstream: {step.name}.grad = {amount_text(step.upstream)} "
                            f"(complete: every use of {step.name} was processed before it)"])
    elif step.upstream is not None:
        lines.append(["up", f"dout = d{recording.names[recording.root]}/d{step.name}: "
                            f"shape {step.upstream.shape}, {step.upstream.text()}"])
    for term in step.terms:
        lines.append(["deriv" if recording.kind == "value" else "shape", term.derivative])
        lines.append(["line", term.line])
    for update in step.updates:
        lines.append(["acc", f"{update.name}.grad: {amount_text(update.before)} → "
                             f"{amount_text(update.after)}"])
    lines.extend(["note", note] for note in step.notes)
    return {
        "k": "b", "n": ids[step.node],
        "t": f"backward {index + 1}/{len(recording.steps)}: {step.name} ({step.op})",
        "l": lines, "x": [ids[u.input] for u in step.updates],
        "g": [[ids[u.input], amount_text(u.after)] for u in step.updates],
    }
