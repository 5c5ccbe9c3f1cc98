"""chainrule: backpropagation you can see, check and use.

``chainrule.Value`` is a scalar autograd engine with micrograd's semantics;
``chainrule.engine`` holds the one backward pass that every graph uses.
"""

from .value import Value

__version__ = "0.1.0"

__all__ = ["Value", "__version__"]
