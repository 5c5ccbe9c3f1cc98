"""Training diagnostics of makemore part 3 as library calls.

``Diagnostics(model, every=N)`` hooks the activation layers of a model and
records, every N steps, each layer's activation mean/std, tanh saturation,
dead-unit fraction and histogram, the gradients flowing into those outputs,
and for each weight its gradient statistics and update-to-data ratio. The
plain statistics are in ``chainrule.diagnostics.stats``; the plots that read
these records are in ``chainrule.viz.plots``.
"""

from . import stats
from .recorder import DEFAULT_LAYERS, Diagnostics

__all__ = ["DEFAULT_LAYERS", "Diagnostics", "stats"]
