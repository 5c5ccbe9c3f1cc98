"""A left-to-right layered layout, computed in Python so the explorer page does no heavy work.

The classic recipe (Sugiyama's), kept small:

1. layers: a node's column is the longest path to it from the inputs, then each
   input is pulled right, next to the first node that uses it (so a bias used
   at the end is drawn there, not at the far left);
2. order within a column: a few sweeps of the barycenter heuristic (sort each
   column by the mean position of its neighbours in the columns already placed),
   which removes most edge crossings;
3. positions: each node is moved towards the mean height of its neighbours,
   never overlapping the node above it, so chains come out as straight lines.

Everything is linear or n log n in the size of the graph and iterative, so
graphs of many thousands of nodes lay out in well under a second.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Placed:
    """A node's centre (``x``, ``y``) and size (``w``, ``h``), in pixels."""

    x: float
    y: float
    w: float
    h: float


@dataclass(frozen=True)
class Layout:
    """Where everything goes: each node's box, and the bend points of each edge."""

    boxes: dict[str, Placed]
    bends: list[list[tuple[float, float]]]
    """For each edge, in the order given, the points it passes through between its ends
    (one per column it crosses; empty for an edge between neighbouring columns)."""


DUMMY_BUDGET = 20_000
"""Most bend points a layout adds; past that, long edges are drawn without bends."""


def layered_layout(
    sizes: Sequence[tuple[str, float, float]],
    edges: Sequence[tuple[str, str]],
    column_gap: float = 48.0,
    row_gap: float = 16.0,
    sweeps: int = 4,
) -> Layout:
    """Place nodes left to right along their edges.

    ``sizes`` lists ``(id, width, height)`` of every node, inputs before the
    nodes computed from them (a topological order); ``edges`` are
    ``(from_id, to_id)`` pairs, each pointing forward in that order. Columns are
    ``column_gap`` apart, nodes in a column at least ``row_gap`` apart. An edge
    that skips columns gets a bend point in each column it crosses, placed like a
    small node, so it runs between the nodes there rather than through them.
    """
    ids = [node_id for node_id, _, _ in sizes]
    width = {node_id: w for node_id, w, _ in sizes}
    height = {node_id: h for node_id, _, h in sizes}
    preds: dict[str, list[str]] = {node_id: [] for node_id in ids}
    succs: dict[str, list[str]] = {node_id: [] for node_id in ids}
    for tail, head in edges:
        succs[tail].append(head)
        preds[head].append(tail)
    rank = _ranks(ids, preds, succs)

    chains = _bend_chains(edges, rank, preds, succs, width, height, row_gap)
    columns: list[list[str]] = [[] for _ in range(max(rank.values(), default=-1) + 1)]
    for node_id in rank:
        columns[rank[node_id]].append(node_id)

    y: dict[str, float] = {}
    for column in columns:
        _stack(column, height, row_gap, y)
    for sweep in range(sweeps):
        forward = sweep % 2 == 0
        for column in columns[1:] if forward else reversed(columns[:-1]):
            neighbours = preds if forward else succs
            column.sort(key=lambda node_id: _mean_y(neighbours[node_id], y, node_id))
            _stack(column, height, row_gap, y)
    for forward in (True, False, True):
        for column in columns[1:] if forward else reversed(columns[:-1]):
            neighbours = preds if forward else succs
            desired = [_mean_y(neighbours[node_id], y, node_id) for node_id in column]
            _place(column, desired, height, row_gap, y)

    centre: dict[str, float] = {}
    left = 0.0
    for column in columns:
        column_width = max((width[node_id] for node_id in column), default=0.0)
        for node_id in column:
            centre[node_id] = left + column_width / 2
        left += column_width + column_gap
    boxes = {node_id: Placed(centre[node_id], y[node_id], width[node_id], height[node_id])
             for node_id in ids}
    bends = [[(centre[d], y[d]) for d in chain] for chain in chains]
    return Layout(boxes, bends)


def _bend_chains(edges: Sequence[tuple[str, str]], rank: dict[str, int],
                 preds: dict[str, list[str]], succs: dict[str, list[str]],
                 width: dict[str, float], height: dict[str, float],
                 row_gap: float) -> list[list[str]]:
    """Replace each edge that skips columns by a chain through one bend node per column.

    The bend nodes join the graph (``rank``, ``preds``, ``succs``, sizes) so that the
    ordering and placement treat them like nodes. Returns each edge's chain.
    """
    spans = sum(max(rank[h] - rank[t] - 1, 0) for t, h in edges)
    chains: list[list[str]] = [[] for _ in edges]
    if spans == 0 or spans > DUMMY_BUDGET:
        return chains
    for index, (tail, head) in enumerate(edges):
        if rank[head] - rank[tail] <= 1:
            continue
        succs[tail].remove(head)
        preds[head].remove(tail)
        previous = tail
        for r in range(rank[tail] + 1, rank[head]):
            bend = f"\0{index}.{r}"
            rank[bend], width[bend], height[bend] = r, 0.0, max(2.0, 8.0 - row_gap / 2)
            preds[bend], succs[bend] = [previous], []
            succs[previous].append(bend)
            chains[index].append(bend)
            previous = bend
        succs[previous].append(head)
        preds[head].append(previous)
    return chains


def _ranks(ids: list[str], preds: dict[str, list[str]],
           succs: dict[str, list[str]]) -> dict[str, int]:
    rank: dict[str, int] = {}
    for node_id in ids:  # topological order: every input already ranked
        rank[node_id] = max((rank[p] + 1 for p in preds[node_id]), default=0)
    for node_id in ids:
        if not preds[node_id] and succs[node_id]:
            rank[node_id] = min(rank[s] for s in succs[node_id]) - 1
    return rank


def _mean_y(neighbours: list[str], y: dict[str, float], node_id: str) -> float:
    if not neighbours:
        return y[node_id]
    return sum(y[n] for n in neighbours) / len(neighbours)


def _stack(column: list[str], height: dict[str, float], gap: float,
           y: dict[str, float]) -> None:
    """Stack ``column`` top to bottom in its current order, centred on 0."""
    total = sum(height[node_id] for node_id in column) + gap * max(len(column) - 1, 0)
    top = -total / 2
    for node_id in column:
        y[node_id] = top + height[node_id] / 2
        top += height[node_id] + gap


def _place(column: list[str], desired: list[float], height: dict[str, float], gap: float,
           y: dict[str, float]) -> None:
    """Put each node of ``column`` as near its desired height as the order and gaps allow."""
    placed: list[float] = []
    for index, node_id in enumerate(column):
        target = desired[index]
        if placed:
            above = column[index - 1]
            lowest = placed[-1] + (height[above] + height[node_id]) / 2 + gap
            target = max(target, lowest)
        placed.append(target)
    shift = sum(d - p for d, p in zip(desired, placed)) / max(len(placed), 1)
    for node_id, position in zip(column, placed):
        y[node_id] = position + shift
