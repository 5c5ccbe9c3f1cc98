"""``chainrule.nn.functional`` (``F``): the functional forms of layers, activations and losses."""

from ..ops.activations import *  # noqa: F403
from ..ops.activations import __all__ as _activations
from ..ops.activations_gated import glu, prelu, softmin
from ..ops.activations_more import *  # noqa: F403
from ..ops.activations_more import __all__ as _more_activations
from ..ops.activations_piecewise import *  # noqa: F403
from ..ops.activations_piecewise import __all__ as _piecewise_activations
from ..ops.adaptive_pooling import adaptive_avg_pool1d, adaptive_avg_pool2d
from ..ops.convolution import conv1d, conv2d
from ..ops.cross_entropy import cross_entropy, nll_loss
from ..ops.distances import cosine_similarity, normalize, pairwise_distance
from ..ops.elementwise import relu as _relu
from ..ops.elementwise import sigmoid, tanh
from ..ops.fused import log_softmax, one_hot, softmax
from ..ops.group_rms_norm import group_norm, rms_norm
from ..ops.kl_div import kl_div
from ..ops.linalg import linear
from ..ops.losses import *  # noqa: F403
from ..ops.losses import __all__ as _losses
from ..ops.normalization import batch_norm, layer_norm
from ..ops.padding import pad
from ..ops.pooling import avg_pool1d, avg_pool2d, max_pool1d, max_pool2d
from ..tensor import Tensor
from .attention import scaled_dot_product_attention
from .dropout import dropout
from .dropout_channels import dropout1d, dropout2d, dropout3d
from .sparse import embedding

__all__ = [
    *_activations,
    *_more_activations,
    *_piecewise_activations,
    *_losses,
    "adaptive_avg_pool1d",
    "adaptive_avg_pool2d",
    "avg_pool1d",
    "avg_pool2d",
    "batch_norm",
    "conv1d",
    "conv2d",
    "cosine_similarity",
    "cross_entropy",
    "dropout",
    "dropout1d",
    "dropout2d",
    "dropout3d",
    "embedding",
    "glu",
    "group_norm",
    "kl_div",
    "layer_norm",
    "linear",
    "log_softmax",
    "max_pool1d",
    "max_pool2d",
    "nll_loss",
    "normalize",
    "one_hot",
    "pad",
    "pairwise_distance",
    "prelu",
    "relu",
    "rms_norm",
    "scaled_dot_product_attention",
    "sigmoid",
    "softmax",
    "softmin",
    "tanh",
]


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(input, 0) elementwise; its gradient is 0 at 0. (``inplace`` is accepted and
    ignored: the result is always a new tensor.)"""
    return _relu(input)
