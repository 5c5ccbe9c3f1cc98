"""micrograd's demo on chainrule: the moons MLP trains to 100% accuracy; make_moons.

``train_moons()`` with its defaults (100 steps, seed 1337) must separate the
training set perfectly, as micrograd's demo notebook does, and its loss must go
down. ``make_moons`` is checked against the formulas of scikit-learn's version.
"""

from __future__ import annotations

import numpy as np
import pytest

from chainrule.data import make_moons
from chainrule.demo import train_moons


@pytest.fixture(scope="module")
def result():
    return train_moons()


def test_reaches_full_training_accuracy(result):
    assert result.accuracies[-1] == 1.0


def test_records_one_entry_per_step_plus_the_final_one(result):
    assert len(result.losses) == len(result.accuracies) == 101


def test_loss_decreases(result):
    losses = result.losses
    assert losses[-1] < 0.1 * losses[0]
    assert min(losses[-10:]) < min(losses[:10])
    # mostly downhill: averaged over windows of ten steps, every window is lower
    windows = [np.mean(losses[k : k + 10]) for k in range(0, 100, 10)]
    assert all(b < a for a, b in zip(windows, windows[1:]))


def test_accuracy_improves_from_the_start(result):
    assert result.accuracies[0] < 1.0
    assert all(0.0 <= a <= 1.0 for a in result.accuracies)


# --- make_moons --------------------------------------------------------------------------


@pytest.mark.parametrize("n", [100, 7, 2])
def test_make_moons_shapes_and_labels(n):
    X, y = make_moons(n_samples=n, noise=0.1, random_state=0)
    assert X.shape == (n, 2) and X.dtype == np.float64
    assert y.shape == (n,)
    assert set(np.unique(y).tolist()) <= {0, 1}
    assert (y == 0).sum() == n // 2  # the upper moon gets n // 2 points, the lower the rest
    assert (y == 1).sum() == n - n // 2


def test_make_moons_without_noise_lies_on_the_two_half_circles():
    X, y = make_moons(n_samples=50, noise=None, random_state=3)
    assert X.shape == (50, 2)
    upper, lower = X[y == 0], X[y == 1]
    # upper moon: unit circle around (0, 0), y >= 0; lower moon: unit circle around (1, 0.5)
    assert np.allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0)
    assert np.all(upper[:, 1] >= -1e-12)
    assert np.allclose(np.hypot(lower[:, 0] - 1.0, lower[:, 1] - 0.5), 1.0)
    assert np.all(lower[:, 1] <= 0.5 + 1e-12)


def test_make_moons_unshuffled_matches_the_formula():
    n = 10
    X, y = make_moons(n_samples=n, shuffle=False)
    t = np.linspace(0, np.pi, n // 2)
    expected = np.vstack(
        [np.column_stack([np.cos(t), np.sin(t)]), np.column_stack([1 - np.cos(t), 0.5 - np.sin(t)])]
    )
    assert np.allclose(X, expected)
    assert y.tolist() == [0] * 5 + [1] * 5


def test_make_moons_noise_free_data_is_the_same_points_whatever_the_seed():
    X1, y1 = make_moons(n_samples=40, noise=None, random_state=1)
    X2, y2 = make_moons(n_samples=40, noise=None, random_state=2)
    key1 = sorted(zip(np.round(X1, 12).tolist(), y1.tolist()))
    key2 = sorted(zip(np.round(X2, 12).tolist(), y2.tolist()))
    assert key1 == key2


def test_make_moons_reproducible_with_the_same_random_state():
    X1, y1 = make_moons(n_samples=60, noise=0.2, random_state=123)
    X2, y2 = make_moons(n_samples=60, noise=0.2, random_state=123)
    X3, _ = make_moons(n_samples=60, noise=0.2, random_state=124)
    assert np.array_equal(X1, X2) and np.array_equal(y1, y2)
    assert not np.array_equal(X1, X3)


def test_make_moons_noise_has_the_requested_scale():
    X0, y0 = make_moons(n_samples=2000, noise=None, shuffle=False)
    X, y = make_moons(n_samples=2000, noise=0.1, shuffle=False, random_state=0)
    assert np.array_equal(y, y0)
    assert np.std(X - X0) == pytest.approx(0.1, rel=0.05)


def test_make_moons_draws_the_same_points_as_scikit_learn():
    """For the same integer seed the points and labels equal scikit-learn's, bit for bit."""
    from sklearn.datasets import make_moons as sklearn_make_moons

    for seed in (0, 1337):
        for n_samples, noise in ((100, 0.1), (57, None), (10, 0.3)):
            X, y = make_moons(n_samples=n_samples, noise=noise, random_state=seed)
            X_ref, y_ref = sklearn_make_moons(n_samples=n_samples, noise=noise, random_state=seed)
            np.testing.assert_array_equal(X, X_ref)
            np.testing.assert_array_equal(y, y_ref)
