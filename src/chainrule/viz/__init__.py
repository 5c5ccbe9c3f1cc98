"""Drawing computation graphs: DOT text, graphviz objects and rendered files.

``to_dot`` needs nothing installed; ``draw_dot`` needs the ``viz`` extra (the
``graphviz`` Python package); ``write_graph`` renders with Graphviz's ``dot``
program when it is on PATH and falls back to writing DOT text otherwise.
"""

from .graph import draw_dot, to_dot, write_graph

__all__ = ["draw_dot", "to_dot", "write_graph"]
