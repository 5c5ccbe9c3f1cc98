"""Toy 2-D classification datasets generated on the spot (no download, no SciPy)."""

from __future__ import annotations

import numpy as np

RandomState = int | np.random.RandomState | np.random.Generator | None


def _rng(random_state: RandomState) -> np.random.RandomState | np.random.Generator:
    """scikit-learn's convention: an int seeds a ``RandomState``, None uses NumPy's global one."""
    if random_state is None:
        return np.random.mtrand._rand
    if isinstance(random_state, np.random.RandomState | np.random.Generator):
        return random_state
    return np.random.RandomState(random_state)


def make_moons(
    n_samples: int = 100,
    noise: float | None = None,
    shuffle: bool = True,
    random_state: RandomState = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles, as scikit-learn's ``make_moons`` draws them.

    For the same ``random_state`` (an int, a ``RandomState``, or None for NumPy's
    global state) the points are the same as scikit-learn's. Returns ``X`` of shape
    ``(n_samples, 2)`` (float64) and labels ``y`` in {0, 1} (int64). The upper moon
    (label 0) has ``n_samples // 2`` points, the lower one the rest. ``noise`` is the
    standard deviation of Gaussian noise added to X.
    """
    if not isinstance(n_samples, int) or n_samples < 2:
        raise ValueError(f"make_moons needs n_samples >= 2, got {n_samples!r}")
    if noise is not None and noise < 0:
        raise ValueError(f"noise must be >= 0, got {noise!r}")
    rng = _rng(random_state)
    n_outer = n_samples // 2
    n_inner = n_samples - n_outer
    outer = np.linspace(0, np.pi, n_outer)
    inner = np.linspace(0, np.pi, n_inner)
    X = np.vstack(
        [
            np.column_stack([np.cos(outer), np.sin(outer)]),
            np.column_stack([1 - np.cos(inner), 1 - np.sin(inner) - 0.5]),
        ]
    )
    y = np.concatenate([np.zeros(n_outer, dtype=np.int64), np.ones(n_inner, dtype=np.int64)])
    if shuffle:
        order = np.arange(n_samples)
        rng.shuffle(order)
        X, y = X[order], y[order]
    if noise:
        X = X + rng.normal(scale=noise, size=X.shape)
    return X, y
