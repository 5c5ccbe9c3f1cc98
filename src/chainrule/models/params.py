"""``parameter_table``: a model's parameters counted per layer, as the lectures count them.

makemore counts by hand: ``parameters = [C, W1, W2, b2, bngain, bnbias]``,
``sum(p.nelement() for p in parameters)``. The table lists the same tensors, one
row each, with the layer that owns it, its shape and its number of elements;
the total is the lecture's sum. BatchNorm's running mean and variance are
buffers, not parameters, so (as in the lecture) they are not counted.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from ..nn.module import Module

__all__ = ["parameter_table"]


def parameter_table(model: Module, names: Mapping[str, str] | None = None) -> dict[str, Any]:
    """``{"rows": [...], "total": N}`` for every parameter of ``model``, in order.

    Each row is ``{"layer", "type", "parameter", "name", "shape", "count"}``: the
    owning module's dotted name and class, the parameter's own name (``weight``,
    ``bias``), its full dotted name, its shape (a list) and its element count.
    ``names`` (e.g. ``{"embedding.weight": "C"}``) adds a ``"lecture"`` entry to
    the rows it names. The result is plain JSON data.
    """
    modules = dict(model.named_modules())
    rows = []
    for full_name, param in model.named_parameters():
        layer, _, own = full_name.rpartition(".")
        module = modules.get(layer, model)
        shape = [int(size) for size in param.shape]
        row: dict[str, Any] = {
            "layer": layer or "(model)",
            "type": type(module).__name__,
            "parameter": own,
            "name": full_name,
            "shape": shape,
            "count": math.prod(shape),
        }
        if names and full_name in names:
            row["lecture"] = names[full_name]
        rows.append(row)
    return {"rows": rows, "total": sum(row["count"] for row in rows)}
