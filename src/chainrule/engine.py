"""Backpropagation: the chain rule applied once per node, in reverse topological order.

The scalar ``Value`` and the ``Tensor`` share this module. A node only has to offer

- ``_prev``: the nodes it was computed from (a tuple; empty for a leaf), and
- ``_backward()``: one application of the chain rule, which adds this node's
  gradient times its local derivative into the gradient of each node in ``_prev``.

Both walks are iterative (an explicit stack), so a graph a million nodes deep
needs no recursion, and each node is visited once, so the cost is linear.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import Any


class cyclic_gc_paused:  # noqa: N801 - used like a function: ``with cyclic_gc_paused():``
    """Pause Python's cyclic garbage collector inside a ``with`` block.

    Graphs built by this library hold no reference cycles (a node refers only to
    its inputs), so they are freed by reference counting alone. While a large
    graph is being built or walked, the cyclic collector would only traverse its
    thousands of live nodes again and again to find nothing; pausing it there is
    where most of a pure-Python engine's time otherwise goes. Nesting is safe, and
    the collector's previous state is restored on exit.
    """

    __slots__ = ("_was_enabled",)

    def __enter__(self) -> None:
        self._was_enabled = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc_info: object) -> None:
        if self._was_enabled:
            gc.enable()


_SMALL_GRAPH = 16  # nodes; below this, pausing the cyclic GC costs more than it can save


def topological_order(root: Any, leaves: bool = True) -> list[Any]:
    """Return every node reachable from ``root``, each one after all of its inputs.

    A depth-first search with an explicit stack of (node, iterator over its
    inputs): a node is appended once all of its inputs have been (post-order).
    With ``leaves=False`` the nodes without inputs are left out: their gradients
    are written by the nodes that use them, so the backward pass has nothing to
    do at them.
    """
    order: list[Any] = []
    visited = {root}
    stack = [(root, iter(root._prev))]
    while stack:
        node, inputs = stack[-1]
        for parent in inputs:
            if parent not in visited:
                visited.add(parent)
                grandparents = parent._prev
                if grandparents:
                    stack.append((parent, iter(grandparents)))
                    break
                if leaves:
                    order.append(parent)
        else:
            stack.pop()
            order.append(node)
    return order


def propagate(order: list[Any], on_step: Callable[[Any], None] | None = None) -> None:
    """Apply the chain rule at each node of ``order`` (a topological order), roots first.

    Walking the order in reverse guarantees that a node's gradient is complete
    (every use of the node has contributed) before it is passed on to its inputs.
    ``on_step(node)``, if given, is called after each node's step: it lets the
    explorer record the pass exactly as the engine performs it.
    """
    if on_step is None and len(order) <= _SMALL_GRAPH:
        for node in reversed(order):  # too few allocations to set off a collection
            node._backward()
        return
    with cyclic_gc_paused():
        if on_step is None:
            for node in reversed(order):
                node._backward()
        else:
            for node in reversed(order):
                node._backward()
                on_step(node)


def backward(root: Any, on_step: Callable[[Any], None] | None = None,
             leaves: bool = True) -> list[Any]:
    """Propagate ``root``'s gradient (already seeded by the caller) to every node below it.

    Returns the topological order used (``root`` last; without the leaves when
    ``leaves=False``).
    """
    order = topological_order(root, leaves)
    propagate(order, on_step)
    return order
