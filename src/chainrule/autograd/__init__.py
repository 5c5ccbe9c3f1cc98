"""Custom ops and gradient checking: ``Function``, ``gradcheck``, ``compare``."""

from ..function import Function
from ..grad_mode import enable_grad, no_grad
from .check import GradcheckError, compare, gradcheck

__all__ = ["Function", "GradcheckError", "compare", "enable_grad", "gradcheck", "no_grad"]
