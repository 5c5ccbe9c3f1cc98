"""Neural-network building blocks with PyTorch's names: ``Module``, layers, activations,
losses, ``init`` and ``functional``; ``chainrule.nn.scalar`` holds micrograd's MLP on ``Value``."""

from . import functional, init, scalar, utils
from .activation import *  # noqa: F403
from .activation import __all__ as _activations
from .activation_more import *  # noqa: F403
from .activation_more import __all__ as _more_activations
from .container import ModuleDict, ModuleList, Sequential
from .conv import Conv1d, Conv2d
from .distance import CosineSimilarity, PairwiseDistance
from .dropout import Dropout
from .dropout_channels import Dropout1d, Dropout2d, Dropout3d
from .flatten import Flatten, Unflatten
from .linear import Identity, Linear
from .loss import *  # noqa: F403
from .loss import __all__ as _losses
from .module import Module
from .normalization import BatchNorm1d, BatchNorm2d, GroupNorm, LayerNorm, RMSNorm
from .parameter import Parameter
from .parameter_containers import ParameterDict, ParameterList
from .pooling import (
    AdaptiveAvgPool1d,
    AdaptiveAvgPool2d,
    AvgPool1d,
    AvgPool2d,
    MaxPool1d,
    MaxPool2d,
)
from .recurrent import GRU, LSTM, RNN, RNNBase
from .sparse import Embedding

__all__ = [
    *_activations,
    *_more_activations,
    *_losses,
    "AdaptiveAvgPool1d",
    "AdaptiveAvgPool2d",
    "AvgPool1d",
    "AvgPool2d",
    "BatchNorm1d",
    "BatchNorm2d",
    "Conv1d",
    "Conv2d",
    "CosineSimilarity",
    "PairwiseDistance",
    "Dropout",
    "Dropout1d",
    "Dropout2d",
    "Dropout3d",
    "Embedding",
    "Flatten",
    "GRU",
    "GroupNorm",
    "LSTM",
    "RNN",
    "RNNBase",
    "RMSNorm",
    "Unflatten",
    "Identity",
    "LayerNorm",
    "MaxPool1d",
    "MaxPool2d",
    "Linear",
    "Module",
    "ModuleDict",
    "ModuleList",
    "Parameter",
    "ParameterDict",
    "ParameterList",
    "Sequential",
    "functional",
    "init",
    "scalar",
    "utils",
]
