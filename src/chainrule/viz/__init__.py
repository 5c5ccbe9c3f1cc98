"""Drawing computation graphs and training plots.

``to_dot`` needs nothing installed; ``draw_dot`` needs the ``viz`` extra (the
``graphviz`` Python package); ``write_graph`` renders with Graphviz's ``dot``
program when it is on PATH and falls back to writing DOT text otherwise.

The matplotlib plots of ``chainrule.viz.plots`` (``plot_loss``, ``plot_lr_finder``,
``plot_activation_histograms``, ...) are exported here too, but loaded on first
use: ``import chainrule.viz`` does not import matplotlib.
"""

from typing import Any

from .explain import explain
from .explore import explore
from .graph import draw_dot, to_dot, write_graph
from .record import record_backward

_PLOTS = (
    "plot_activation_functions",
    "plot_activation_histograms",
    "plot_gradient_histograms",
    "plot_loss",
    "plot_lr_finder",
    "plot_optimizer_paths",
    "plot_update_ratios",
    "save_figure",
)

__all__ = ["draw_dot", "explain", "explore", "record_backward", "to_dot", "write_graph", *_PLOTS]


def __getattr__(name: str) -> Any:
    if name in _PLOTS:
        from . import plots

        return getattr(plots, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_PLOTS})
