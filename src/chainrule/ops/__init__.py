"""Every differentiable op, each a ``Function``, grouped by kind.

Importing this package attaches each op to ``Tensor`` as a method.
"""

from .activations import *  # noqa: F403
from .activations_more import *  # noqa: F403
from .arithmetic import *  # noqa: F403
from .cast import *  # noqa: F403
from .compare import *  # noqa: F403
from .composite import *  # noqa: F403
from .cross_entropy import *  # noqa: F403
from .einsum import *  # noqa: F403
from .elementwise import *  # noqa: F403
from .extreme import *  # noqa: F403
from .fused import *  # noqa: F403
from .indexing import *  # noqa: F403
from .inplace import *  # noqa: F403
from .join import *  # noqa: F403
from .linalg import *  # noqa: F403
from .losses import *  # noqa: F403
from .math_functions import *  # noqa: F403
from .normalization import *  # noqa: F403
from .norms import *  # noqa: F403
from .rearrange import *  # noqa: F403
from .reduce import *  # noqa: F403
from .rounding import *  # noqa: F403
from .shape import *  # noqa: F403
from .sorting import *  # noqa: F403
