"""``load_digits``: scikit-learn's bundled 8x8 handwritten digits (offline; ``data`` extra)."""

from __future__ import annotations

import numpy as np

from .._extras import require

__all__ = ["load_digits"]


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """The 1,797 8x8 images of handwritten digits that ship with scikit-learn.

    Returns ``X``, float32 of shape ``(1797, 64)`` (each row an image, read row by
    row; pixel values 0..16), and ``y``, int64 labels 0..9. Works offline; needs
    scikit-learn (``pip install 'chainrule[data]'``).
    """
    datasets = require("sklearn.datasets", "data", "load_digits()")
    X, y = datasets.load_digits(return_X_y=True)
    return X.astype(np.float32), y.astype(np.int64)
