"""Learning-rate schedulers with PyTorch's ``torch.optim.lr_scheduler`` semantics.

Each scheduler wraps an :class:`~chainrule.optim.Optimizer` and rewrites its
``param_groups[i]["lr"]`` on every ``step()`` (``step(metrics)`` for
``ReduceLROnPlateau``); the rates match PyTorch's float for float.
"""

from .base import LRScheduler, _LRScheduler  # noqa: F401  (old name, as in PyTorch)
from .combined import ChainedScheduler, SequentialLR
from .cyclic import CosineAnnealingWarmRestarts, CyclicLR
from .decay import CosineAnnealingLR, ExponentialLR, LambdaLR, LinearLR, MultiStepLR, StepLR
from .factor import ConstantLR, MultiplicativeLR, PolynomialLR
from .one_cycle import OneCycleLR
from .plateau import ReduceLROnPlateau

__all__ = [
    "LRScheduler",
    "LambdaLR",
    "StepLR",
    "MultiStepLR",
    "ExponentialLR",
    "LinearLR",
    "CosineAnnealingLR",
    "OneCycleLR",
    "ConstantLR",
    "MultiplicativeLR",
    "PolynomialLR",
    "ReduceLROnPlateau",
    "CosineAnnealingWarmRestarts",
    "CyclicLR",
    "SequentialLR",
    "ChainedScheduler",
]
