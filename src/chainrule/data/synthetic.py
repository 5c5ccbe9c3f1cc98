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
        X, y = _shuffled(X, y, rng)
    if noise:
        X = X + rng.normal(scale=noise, size=X.shape)
    return X, y


def _shuffled(
    X: np.ndarray, y: np.ndarray, rng: np.random.RandomState | np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Rows of X and y in one random order, drawn as scikit-learn's ``shuffle`` draws it."""
    order = np.arange(len(X))
    rng.shuffle(order)
    return X[order], y[order]


def make_circles(
    n_samples: int | tuple[int, int] = 100,
    shuffle: bool = True,
    noise: float | None = None,
    random_state: RandomState = None,
    factor: float = 0.8,
) -> tuple[np.ndarray, np.ndarray]:
    """A large circle (label 0) around a smaller one (label 1), as scikit-learn's
    ``make_circles`` draws them.

    For the same ``random_state`` the points equal scikit-learn's. ``n_samples`` is
    the total (the outer circle gets ``n_samples // 2``) or an ``(outer, inner)``
    pair; the points are evenly spaced in angle, the inner circle has radius
    ``factor`` (0 <= factor < 1), and ``noise`` is the standard deviation of
    Gaussian noise added to X. Returns X float64 ``(n, 2)`` and y int64.
    """
    if isinstance(n_samples, tuple | list):
        if len(n_samples) != 2 or any(not isinstance(n, int) or n < 0 for n in n_samples):
            raise ValueError("make_circles: n_samples as a tuple needs exactly two counts "
                             f"(outer, inner), got {n_samples!r}")
        n_outer, n_inner = n_samples
    elif isinstance(n_samples, int) and n_samples >= 1:
        n_outer = n_samples // 2
        n_inner = n_samples - n_outer
    else:
        raise ValueError(f"make_circles needs n_samples >= 1 (or a pair), got {n_samples!r}")
    if not 0 <= factor < 1:
        raise ValueError(f"make_circles: factor must be in [0, 1), got {factor!r}")
    if noise is not None and noise < 0:
        raise ValueError(f"noise must be >= 0, got {noise!r}")
    rng = _rng(random_state)
    # endpoint=False: the first point of a circle is not repeated as its last
    outer = np.linspace(0, 2 * np.pi, n_outer, endpoint=False)
    inner = np.linspace(0, 2 * np.pi, n_inner, endpoint=False)
    X = np.vstack(
        [
            np.column_stack([np.cos(outer), np.sin(outer)]),
            factor * np.column_stack([np.cos(inner), np.sin(inner)]),
        ]
    )
    y = np.concatenate([np.zeros(n_outer, dtype=np.int64), np.ones(n_inner, dtype=np.int64)])
    if shuffle:
        X, y = _shuffled(X, y, rng)
    if noise is not None:
        X = X + rng.normal(scale=noise, size=X.shape)
    return X, y


def make_spirals(
    n_samples: int = 100,
    n_classes: int = 2,
    noise: float = 0.0,
    random_state: RandomState = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved spiral arms, one per class: the classic CS231n spiral data set.

    The ``n_samples`` points are shared out between the classes as evenly as
    possible (the first ``n_samples % n_classes`` classes get one more). Class ``j``
    with ``m`` points has radius ``r = linspace(0, 1, m)`` and angle
    ``t = linspace(4 j, 4 (j + 1), m) + noise * N(0, 1)`` (noise in radians), and
    its points are ``(r sin t, r cos t)``. With ``n_samples = m * n_classes``,
    ``noise=0.2`` and ``random_state=s`` this is CS231n's code after
    ``np.random.seed(s)``. The points come ordered by class (labels 0, 1, ...,
    ``n_classes - 1``); shuffle them with ``DataLoader(shuffle=True)`` or ``split``.
    Returns X float64 ``(n_samples, 2)`` and y int64.
    """
    if not isinstance(n_classes, int) or n_classes < 1:
        raise ValueError(f"make_spirals needs n_classes >= 1, got {n_classes!r}")
    if not isinstance(n_samples, int) or n_samples < n_classes:
        raise ValueError(f"make_spirals needs n_samples >= n_classes ({n_classes}), "
                         f"got {n_samples!r}")
    if noise < 0:
        raise ValueError(f"noise must be >= 0, got {noise!r}")
    rng = _rng(random_state)
    X = np.empty((n_samples, 2))
    y = np.empty(n_samples, dtype=np.int64)
    start = 0
    for j in range(n_classes):
        m = n_samples // n_classes + (j < n_samples % n_classes)
        r = np.linspace(0.0, 1, m)
        t = np.linspace(j * 4, (j + 1) * 4, m)
        if noise:
            t = t + rng.standard_normal(m) * noise
        X[start:start + m] = np.column_stack([r * np.sin(t), r * np.cos(t)])
        y[start:start + m] = j
        start += m
    return X, y
