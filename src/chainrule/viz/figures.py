"""Making and saving matplotlib figures without pyplot.

``new_figure`` builds a ``matplotlib.figure.Figure`` directly: no GUI backend, no
global state, so it works in scripts, tests and notebooks alike. ``save_figure``
writes PNG or SVG, chosen by the file's suffix.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import TYPE_CHECKING

from .._extras import require

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["FIGURE_FORMATS", "new_figure", "save_figure"]

FIGURE_FORMATS = {".png": "png", ".svg": "svg"}
"""File suffixes ``save_figure`` accepts, and the format each one writes."""


def new_figure(figsize: tuple[float, float]) -> Figure:
    """An empty figure with constrained layout (needs the ``viz`` extra's matplotlib)."""
    figure = require("matplotlib.figure", "viz", "chainrule.viz plots")
    return figure.Figure(figsize=figsize, layout="constrained")


def save_figure(fig: Figure, path: str | os.PathLike[str], dpi: int = 100) -> Path:
    """Write ``fig`` to ``path`` as PNG or SVG (chosen by the suffix); returns the path.

    The file is written to a temporary name beside it and renamed, so a failed
    save never leaves half a file. Any other suffix raises ValueError.
    """
    path = Path(path)
    fmt = FIGURE_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ValueError(
            f"save_figure: cannot tell the format of {str(path)!r} from its suffix "
            f"{path.suffix!r}; expected one of {sorted(FIGURE_FORMATS)}"
        )
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        with open(temporary, "xb") as handle:
            fig.savefig(handle, format=fmt, dpi=dpi)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path
