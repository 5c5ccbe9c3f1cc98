"""chainrule: backpropagation you can see, check and use.

``chainrule.Value`` is a scalar autograd engine with micrograd's semantics;
``chainrule.Tensor`` is a NumPy autograd engine with PyTorch's names and numbers.
Both run the same backward pass (``chainrule.engine``).
"""

from . import autograd, data, diagnostics, host_memory, models, nn, optim, report, runs, train, viz
from .checkpoint import load, save
from .creation import *  # noqa: F403
from .creation_more import *  # noqa: F403
from .dtypes import bool_ as bool  # noqa: A004
from .dtypes import float16, float32, float64, int32, int64
from .dtypes import float16 as half
from .dtypes import float32 as float  # noqa: A004
from .dtypes import float64 as double
from .dtypes import int32 as int  # noqa: A004
from .dtypes import int64 as long
from .function import Function
from .grad_mode import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .ops import *  # noqa: F403 - every op as a function; importing attaches Tensor methods
from .replay import compile
from .tensor import Tensor
from .value import Value

__version__ = "0.1.0"

host_memory._apply_on_import()

__all__ = [
    "autograd",
    "data",
    "diagnostics",
    "host_memory",
    "models",
    "nn",
    "optim",
    "report",
    "runs",
    "Function",
    "Tensor",
    "Value",
    "__version__",
    "bool",
    "compile",
    "double",
    "enable_grad",
    "inference_mode",
    "set_grad_enabled",
    "float",
    "float16",
    "float32",
    "float64",
    "half",
    "int",
    "int32",
    "int64",
    "is_grad_enabled",
    "load",
    "long",
    "no_grad",
    "save",
    "train",
    "viz",
]
