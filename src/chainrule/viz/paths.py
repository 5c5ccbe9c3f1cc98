"""Optimizer paths on a 2-D loss surface, computed with chainrule's own optimizers.

``optimizer_paths`` starts every optimizer from the same point, takes ``steps``
steps on ``f(x, y)`` (the gradient from chainrule's backward, the update from
``chainrule.optim``) and returns each path as an array of points. The default
surface, ``saddle``, is ``x² − y² + y⁴/4``: a saddle point at the origin between
two minima at ``(0, ±√2)``. Started on the ridge just off ``y = 0``, plain SGD
creeps away from the saddle while momentum and the adaptive methods leave fast.
``chainrule.viz.plots.plot_optimizer_paths`` draws them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..dtypes import float64
from ..grad_mode import enable_grad
from ..optim import SGD, Adam, Optimizer, RMSprop
from ..tensor import Tensor

__all__ = ["Surface", "SURFACES", "DEFAULT_OPTIMIZERS", "optimizer_paths"]

SurfaceFn = Callable[[Any, Any], Any]
OptimizerFactory = Callable[[list[Tensor]], Optimizer]


@dataclass(frozen=True)
class Surface:
    """A 2-D function that works on Tensors and on NumPy arrays alike, with a
    default starting point and the region worth drawing."""

    fn: SurfaceFn
    formula: str
    start: tuple[float, float]
    extent: tuple[float, float, float, float]  # xmin, xmax, ymin, ymax


def _saddle(x: Any, y: Any) -> Any:
    return x**2 - y**2 + y**4 / 4


SURFACES: dict[str, Surface] = {
    "saddle": Surface(_saddle, "x² − y² + y⁴/4", (-2.0, 0.01), (-2.5, 2.5, -2.2, 2.2)),
}
"""The named surfaces ``optimizer_paths`` knows."""

DEFAULT_OPTIMIZERS: dict[str, OptimizerFactory] = {
    "SGD": lambda params: SGD(params, lr=0.05),
    "momentum": lambda params: SGD(params, lr=0.01, momentum=0.9),
    "Nesterov": lambda params: SGD(params, lr=0.01, momentum=0.9, nesterov=True),
    "RMSprop": lambda params: RMSprop(params, lr=0.02),
    "Adam": lambda params: Adam(params, lr=0.05),
}
"""Optimizer name -> ``factory(params)``: the five the plot compares by default."""


def resolve_surface(surface: str | SurfaceFn) -> tuple[SurfaceFn, Surface | None]:
    """The function of a named surface (and its description) or a callable as given."""
    if callable(surface):
        return surface, None
    if surface not in SURFACES:
        raise ValueError(
            f"optimizer_paths: unknown surface {surface!r}; expected one of "
            f"{sorted(SURFACES)} or a callable f(x, y)"
        )
    return SURFACES[surface].fn, SURFACES[surface]


def optimizer_paths(
    surface: str | SurfaceFn = "saddle",
    steps: int = 100,
    start: tuple[float, float] | None = None,
    optimizers: Mapping[str, OptimizerFactory] | None = None,
) -> dict[str, np.ndarray]:
    """Run each optimizer from ``start`` for ``steps`` steps on ``surface``.

    Args:
        surface: a name from ``SURFACES`` or a callable ``f(x, y)`` of two scalar
            Tensors returning a scalar Tensor.
        steps: the number of optimizer steps (each path has ``steps + 1`` points).
        start: the common starting point (default: the surface's own).
        optimizers: name -> ``factory(params)`` building an optimizer of the
            one float64 parameter ``[x, y]`` (default ``DEFAULT_OPTIMIZERS``).

    Returns:
        name -> float64 array of shape ``(steps + 1, 2)``, the points visited.
    """
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
        raise ValueError(f"optimizer_paths: steps must be an int >= 0, got {steps!r}")
    fn, known = resolve_surface(surface)
    if start is None:
        if known is None:
            raise ValueError("optimizer_paths: a callable surface needs a start=(x, y)")
        start = known.start
    factories = DEFAULT_OPTIMIZERS if optimizers is None else optimizers
    paths = {}
    with enable_grad():
        for name, factory in factories.items():
            point = Tensor(np.array(start, dtype=np.float64), dtype=float64, requires_grad=True)
            optimizer = factory([point])
            path = np.empty((steps + 1, 2))
            path[0] = point.data
            for i in range(steps):
                optimizer.zero_grad()
                fn(point[0], point[1]).backward()
                optimizer.step()
                path[i + 1] = point.data
            paths[name] = path
    return paths
