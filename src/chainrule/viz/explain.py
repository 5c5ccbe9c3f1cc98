"""The explorer's terminal twin: the backward pass as a table that fits 80 columns.

``explain(root)`` records the pass through the engine (``record_backward``, the
same recording the HTML explorer shows) and prints one row per input of each
step: the node processed, its op, the input, the local derivative, the
upstream gradient, what this use contributes, and the input's gradient
accumulated so far. A tensor graph prints one block per step with the shapes.
"""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Mapping
from typing import IO, Any

from ..tensor import Tensor
from ..value import Value
from .record import record_backward
from .steps import Recording, Step, amount_text, fmt

WIDTH = 80
"""The widest line ``explain`` prints."""

_COLUMNS = (("step", 5, ">"), ("node", 8, "<"), ("op", 7, "<"), ("input", 8, "<"),
            ("local derivative", 0, "<"), ("upstream", 10, ">"), ("contrib", 10, ">"),
            ("grad", 10, ">"))
"""Each column's title, widest width (0: whatever is left of 80) and alignment."""


def explain(
    root: Value | Tensor,
    file: IO[str] | None = None,
    *,
    names: Mapping[str, Any] | None = None,
) -> Recording:
    """Run ``root``'s backward pass and print each chain-rule step as a table; return the
    recording.

    Columns: step, node, op, input, local derivative (d node / d input, named
    and with its value), upstream gradient (d root / d node), contribution
    (local derivative × upstream) and the input's gradient accumulated so far.
    Unlabelled nodes are called ``n0``, ``n1``, ... (their place in the forward
    order). Like ``explore``, this resets the graph's gradients first, so
    afterwards each ``.grad`` holds this one pass. ``file`` defaults to stdout.
    """
    recording = record_backward(root, names)
    out = sys.stdout if file is None else file
    for line in explain_lines(recording):
        print(line, file=out)
    return recording


def explain_lines(recording: Recording) -> list[str]:
    """The lines ``explain`` prints for a recording (each at most ``WIDTH`` columns)."""
    root = recording.root
    lines = [f"backward pass of {recording.forward_line(root)}"]
    if recording.kind == "value":
        lines.append(f"seed: {recording.names[root]}.grad = 1.0; every other grad starts at 0")
        items: list[tuple[str, ...] | str] = [tuple(title for title, _, _ in _COLUMNS)]
        for index, step in enumerate(recording.steps, 1):
            items.extend(_value_rows(index, step))
        widths = _widths([item for item in items if isinstance(item, tuple)])
        lines.extend(item if isinstance(item, str) else _row(item, widths) for item in items)
    else:
        lines.append("tensor statistics: μ mean, σ std, [min, max]")
        lines.append(f"seed: d{recording.names[root]} = {amount_text(recording.seed)}")
        for index, step in enumerate(recording.steps, 1):
            lines.extend(_tensor_block(recording, index, step))
    lines.append("gradients:")
    leaves = [node for node in recording.order if not node._prev]
    grads = [f"{recording.names[n]} = {amount_text(recording.grads.get(n))}" for n in leaves]
    if recording.kind == "value":
        lines.extend(_wrap("  ".join(grads), "  "))
    else:
        lines.extend("  " + text for text in grads)
    return [_fit(line) for line in lines]


def _value_rows(index: int, step: Step) -> list[tuple[str, ...] | str]:
    """The table rows (tuples of cells) of one step, then its notes (lines)."""
    rows: list[tuple[str, ...] | str] = []
    running = {update.input: update.before for update in step.updates}
    last = {term.input: term for term in step.terms}
    after = {update.input: update.after for update in step.updates}
    for position, term in enumerate(step.terms):
        if last[term.input] is term:
            running[term.input] = after[term.input]
        else:
            running[term.input] += term.contribution or 0.0
        derivative = term.derivative.split(" = ", 1)[1] if " = " in term.derivative else "?"
        first = position == 0
        rows.append((
            str(index) if first else "", step.name if first else "", step.op if first else "",
            term.name, derivative, fmt(step.upstream),
            "—" if term.contribution is None else fmt(term.contribution),
            fmt(running[term.input]),
        ))
    if not step.terms:
        rows.append((str(index), step.name, step.op, "", "", fmt(step.upstream), "", ""))
    for note in step.notes:
        rows.extend(_wrap("note: " + note, "      "))
    return rows


def _tensor_block(recording: Recording, index: int, step: Step) -> list[str]:
    head = f"step {index}  {step.name} = {step.op}"
    if step.upstream is not None:
        head += f"  dout {step.upstream.shape}: {step.upstream.text()}"
    rows = [head]
    if step.rule:
        rows.extend(_wrap(step.rule, "      "))
    for term in step.terms:
        rows.append("      " + term.derivative)
    for update in step.updates:
        rows.append(f"      {update.name}.grad: {amount_text(update.after)}")
    for note in step.notes:
        rows.extend(_wrap("note: " + note, "      "))
    return rows


def _cell(text: str, width: int, align: str) -> str:
    text = _fit(text, width)
    return f"{text:{align}{width}}"


def _widths(rows: list[tuple[str, ...]]) -> tuple[list[int], str]:
    """Each column as wide as its widest cell (numbers at least 8), up to its limit; the
    local derivative gets what is left of the 80 columns. Also the gap between columns:
    two spaces where they fit, else one."""
    widths = []
    for i, (_, limit, align) in enumerate(_COLUMNS):
        width = max(len(row[i]) for row in rows)
        if align == ">" and i > 0:
            width = max(width, 8)
        widths.append(width if limit == 0 else min(width, limit))
    flexible = next(i for i, (_, limit, _) in enumerate(_COLUMNS) if limit == 0)
    fixed = sum(w for i, w in enumerate(widths) if i != flexible)
    gap = "  " if fixed + widths[flexible] + 2 * (len(widths) - 1) <= WIDTH else " "
    rest = WIDTH - len(gap) * (len(widths) - 1) - fixed
    widths[flexible] = max(min(widths[flexible], rest), len(_COLUMNS[flexible][0]))
    return widths, gap


def _row(cells: tuple[str, ...], layout: tuple[list[int], str]) -> str:
    widths, gap = layout
    return gap.join(_cell(text, width, align)
                    for text, width, (_, _, align) in zip(cells, widths, _COLUMNS)).rstrip()


def _fit(text: str, width: int = WIDTH) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _wrap(text: str, indent: str) -> list[str]:
    return textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=indent + "  ",
                         break_on_hyphens=False) or [indent.rstrip()]
