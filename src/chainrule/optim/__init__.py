"""Optimizers with PyTorch's update rules, learning-rate schedules and the LR finder."""

from . import lr_scheduler
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .lr_finder import LRFinderResult, lr_find
from .nadam import NAdam
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = [
    "Optimizer",
    "SGD",
    "Adam",
    "AdamW",
    "NAdam",
    "RMSprop",
    "Adagrad",
    "Adadelta",
    "lr_scheduler",
    "lr_find",
    "LRFinderResult",
]
