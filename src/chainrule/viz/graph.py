"""Draw a computation graph the way micrograd does.

Every value becomes a record ``label | data 2.0000 | grad 1.0000``; every value
that was computed (not a leaf) also gets a small ellipse for the operation that
made it, with an edge from each operand to the operation and one from the
operation to its result. Reading the picture left to right is the forward pass;
right to left, the backward pass.

One function, ``graph_elements``, walks the graph and describes its nodes and
edges; ``to_dot`` (plain DOT text, no dependency) and ``draw_dot`` (a
``graphviz.Digraph``) both format that one description.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._extras import require
from ..engine import topological_order
from ..tensor import Tensor
from ..value import Value
from .steps import Summary, node_op

if TYPE_CHECKING:
    import graphviz

RANKDIRS = ("LR", "TB", "RL", "BT")
"""Layout directions Graphviz accepts: left to right, top to bottom, and their reverses."""

FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf", ".dot": "dot"}
"""File suffixes ``write_graph`` accepts, and the output format each one picks."""

INSTALL_HINT = (
    "install Graphviz: `apt-get install graphviz` (Debian/Ubuntu), "
    "`brew install graphviz` (macOS), or see https://graphviz.org/download/"
)
"""How to get the ``dot`` program, for warnings and error messages."""

_RECORD_SPECIALS = "|{}<>"


@dataclass(frozen=True)
class GraphNode:
    """One node of the drawing: its DOT id, its (already escaped) label and its shape."""

    id: str
    label: str
    shape: str


def escape_record_field(text: str) -> str:
    """Escape ``text`` for one field of a Graphviz record label inside a quoted DOT string.

    Backslashes and double quotes are escaped for the DOT string; ``| { } < >``,
    which structure a record, are escaped so they show as themselves; a newline
    becomes DOT's ``\\n`` line break.
    """
    out = []
    for char in str(text):
        if char == "\\" or char == '"' or char in _RECORD_SPECIALS:
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif char == "\r":
            continue
        else:
            out.append(char)
    return "".join(out)


def _escape_string(text: str) -> str:
    """Escape ``text`` for a plain (non-record) quoted DOT string."""
    return str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _record(*fields: str) -> str:
    return "{ " + " | ".join(escape_record_field(field) for field in fields) + " }"


def _node_label(node: Any) -> str:
    """The record label that shows one node (escaped, ready for a quoted DOT string).

    Dispatches on the node's type: a ``Value`` shows ``label | data | grad``; a
    ``Tensor`` shows ``op | shape | data statistics | grad statistics`` (mean μ,
    std σ, [min, max]; the value itself for one element).
    """
    if isinstance(node, Value):
        return _record(node.label, f"data {node.data:.4f}", f"grad {node.grad:.4f}")
    if isinstance(node, Tensor):
        grad = "None" if node.grad is None else Summary.of(node.grad.data).text()
        return _record(
            node_op(node) or "leaf",
            f"shape {tuple(node.data.shape)}",
            f"data {Summary.of(node.data).text()}",
            f"grad {grad}",
        )
    raise TypeError(
        f"cannot draw a node of type {type(node).__name__}: expected a chainrule Value or Tensor"
    )


def _op_label(node: Any) -> str:
    """The text of the operation node that produced ``node`` (escaped)."""
    return _escape_string(node_op(node) or "op")


def graph_elements(root: Any) -> tuple[list[GraphNode], list[tuple[str, str]]]:
    """Describe the graph below ``root`` as (nodes, edges), ready to be formatted.

    Nodes are numbered in topological order (inputs before the values computed
    from them), so the ids are the same every time the same graph is drawn.
    The walk is iterative: graphs many thousands of nodes deep are fine.
    An operand used twice (``a + a``) gets two edges, one per use.
    """
    _node_label(root)  # a clear TypeError for a root we cannot draw
    order = topological_order(root)
    ids = {node: f"n{index}" for index, node in enumerate(order)}
    nodes: list[GraphNode] = []
    edges: list[tuple[str, str]] = []
    for node in order:
        node_id = ids[node]
        nodes.append(GraphNode(node_id, _node_label(node), "record"))
        if node._prev:
            op_id = node_id + "op"
            nodes.append(GraphNode(op_id, _op_label(node), "ellipse"))
            edges.extend((ids[operand], op_id) for operand in node._prev)
            edges.append((op_id, node_id))
    return nodes, edges


def _check_rankdir(rankdir: str) -> str:
    if rankdir not in RANKDIRS:
        raise ValueError(f"rankdir must be one of {', '.join(RANKDIRS)}, got {rankdir!r}")
    return rankdir


def to_dot(root: Any, rankdir: str = "LR") -> str:
    """Return the computation graph below ``root`` as DOT text (needs nothing installed).

    ``rankdir`` is the layout direction: ``"LR"`` (left to right, micrograd's
    picture) or ``"TB"`` (top to bottom; ``"RL"`` and ``"BT"`` work too).
    Paste the text into any Graphviz viewer, or render it with
    ``dot -Tsvg graph.dot -o graph.svg``.
    """
    _check_rankdir(rankdir)
    nodes, edges = graph_elements(root)
    lines = ["digraph {", f"\tgraph [rankdir={rankdir}]"]
    lines.extend(f'\t{node.id} [label="{node.label}" shape={node.shape}]' for node in nodes)
    lines.extend(f"\t{tail} -> {head}" for tail, head in edges)
    lines.append("}")
    return "\n".join(lines) + "\n"


def draw_dot(root: Any, format: str = "svg", rankdir: str = "LR") -> graphviz.Digraph:
    """Return the computation graph below ``root`` as a ``graphviz.Digraph``.

    Needs the ``graphviz`` Python package (``pip install 'chainrule[viz]'``).
    In a notebook the returned object displays itself; ``.source`` is its DOT
    text. Rendering it (``.render()``, ``.pipe()``, notebook display) also needs
    Graphviz's ``dot`` program: ``apt-get install graphviz`` (Debian/Ubuntu),
    ``brew install graphviz`` (macOS), or https://graphviz.org/download/ —
    without it graphviz raises ``ExecutableNotFound``. ``write_graph`` works
    without either.
    """
    graphviz = require("graphviz", "viz", "draw_dot")  # noqa: F811 - the optional import
    _check_rankdir(rankdir)
    nodes, edges = graph_elements(root)
    dot = graphviz.Digraph(format=format, graph_attr={"rankdir": rankdir})
    for node in nodes:
        # labels are already escaped DOT strings; nohtml keeps graphviz from reading <...> as HTML
        dot.node(node.id, label=graphviz.nohtml(node.label), shape=node.shape)
    for tail, head in edges:
        dot.edge(tail, head)
    return dot


def write_graph(root: Any, path: str | os.PathLike[str], rankdir: str = "LR") -> Path:
    """Draw the graph below ``root`` into the file ``path``; return the path written.

    The suffix picks the format: ``.svg``, ``.png`` or ``.pdf`` are rendered by
    Graphviz's ``dot`` program; ``.dot`` writes the DOT text. If ``dot`` is not
    installed, the DOT text is written next to ``path`` with the suffix ``.dot``
    instead, a warning says how to install Graphviz, and that path is returned.
    Missing parent folders are created; the file is replaced in one step, never
    left half written.
    """
    path = Path(path)
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ValueError(
            f"cannot tell the picture format from {str(path)!r}: "
            f"the file name must end in one of {', '.join(FORMATS)}"
        )
    text = to_dot(root, rankdir=rankdir)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "dot":
        _write_atomically(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
        return path
    dot = shutil.which("dot")
    if dot is None:
        fallback = path.with_suffix(".dot")
        _write_atomically(fallback, lambda tmp: tmp.write_text(text, encoding="utf-8"))
        warnings.warn(
            f"Graphviz's `dot` program was not found, so {path} was not drawn; "
            f"its DOT text is in {fallback} instead; to draw pictures, {INSTALL_HINT}",
            RuntimeWarning,
            stacklevel=2,
        )
        return fallback

    def render(tmp: Path) -> None:
        result = subprocess.run(
            [dot, f"-T{fmt}", "-o", str(tmp)],
            input=text.encode("utf-8"),
            capture_output=True,
            check=False,
        )
        if result.returncode != 0:
            message = result.stderr.decode("utf-8", "replace").strip()
            raise RuntimeError(f"`dot -T{fmt}` failed (exit {result.returncode}): {message}")

    _write_atomically(path, render)
    return path


def _write_atomically(path: Path, write: Callable[[Path], object]) -> None:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then rename it onto ``path``."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
