"""Standardizer and QuantileNormalizer: fitted on training data only, checked against
scikit-learn's StandardScaler and QuantileTransformer; the normal quantile function
against SciPy."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import ndtr, ndtri
from sklearn.preprocessing import QuantileTransformer, StandardScaler

import chainrule as cr
from chainrule.data import QuantileNormalizer, Standardizer
from chainrule.data._normal import normal_cdf, normal_ppf


def _data(seed, n):
    rng = np.random.default_rng(seed)
    return np.column_stack([
        rng.normal(3.0, 2.0, n),
        rng.exponential(1.0, n),
        rng.integers(0, 4, n).astype(float),  # many ties
        np.full(n, 7.25),  # constant
    ])


TRAIN, VAL = _data(0, 400), _data(1, 120)


# --- Standardizer ------------------------------------------------------------------------------


def test_standardizer_uses_training_statistics_only():
    train = np.array([[1.0, 10.0], [3.0, 10.0], [5.0, 10.0]])
    val = np.array([[7.0, 4.0], [1.0, 10.0]])
    s = Standardizer().fit(train)
    # mean (3, 10); population std (sqrt(8/3), 0 -> 1 for the constant feature)
    std = np.sqrt(8 / 3)
    np.testing.assert_allclose(s.mean_, [3.0, 10.0])
    np.testing.assert_allclose(s.scale_, [std, 1.0])
    np.testing.assert_allclose(s.transform(val), [[4 / std, -6.0], [-2 / std, 0.0]])
    # the validation data's own statistics would give something else
    assert not np.allclose(s.transform(val), Standardizer().fit_transform(val))


def test_standardizer_matches_sklearn():
    ours, theirs = Standardizer().fit(TRAIN), StandardScaler().fit(TRAIN)
    np.testing.assert_allclose(ours.mean_, theirs.mean_, rtol=1e-13)
    np.testing.assert_allclose(ours.scale_, theirs.scale_, rtol=1e-13)
    np.testing.assert_allclose(ours.transform(VAL), theirs.transform(VAL), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ours.inverse_transform(VAL), theirs.inverse_transform(VAL),
                               rtol=1e-12)
    np.testing.assert_allclose(ours.inverse_transform(ours.transform(VAL)), VAL, rtol=1e-12)


def test_standardizer_constant_feature_is_not_divided_by_zero():
    out = Standardizer().fit_transform(TRAIN)
    assert np.isfinite(out).all()
    np.testing.assert_array_equal(out[:, 3], 0.0)


def test_standardizer_on_tensors_keeps_float32():
    X = cr.tensor(TRAIN.astype(np.float32))
    out = Standardizer().fit(X).transform(X)
    assert isinstance(out, cr.Tensor) and out.dtype == cr.float32
    expected = StandardScaler().fit_transform(TRAIN.astype(np.float32))
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-5, atol=1e-5)
    assert isinstance(Standardizer().fit(TRAIN).transform(TRAIN), np.ndarray)


def test_standardizer_errors():
    with pytest.raises(ValueError, match="not fitted yet"):
        Standardizer().transform(TRAIN)
    with pytest.raises(ValueError, match="not fitted yet"):
        Standardizer().inverse_transform(TRAIN)
    with pytest.raises(ValueError, match=r"\(3,\).*\(4,\)"):
        Standardizer().fit(TRAIN).transform(TRAIN[:, :3])
    with pytest.raises(ValueError, match="no samples"):
        Standardizer().fit(np.zeros((0, 2)))


# --- QuantileNormalizer ---------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore:n_quantiles .* is greater than")
@pytest.mark.parametrize("distribution", ["uniform", "normal"])
@pytest.mark.parametrize("n_quantiles", [1000, 100, 7])
def test_quantile_normalizer_matches_sklearn(distribution, n_quantiles):
    ours = QuantileNormalizer(n_quantiles, distribution).fit(TRAIN)
    theirs = QuantileTransformer(n_quantiles=n_quantiles,
                                 output_distribution=distribution).fit(TRAIN)
    np.testing.assert_allclose(ours.quantiles_, theirs.quantiles_, rtol=1e-12)
    val = VAL.copy()
    val[5, 1] = np.nan
    val[:3, 0] = [-100.0, 100.0, TRAIN[:, 0].min()]  # outside and at the training range
    np.testing.assert_allclose(ours.transform(val), theirs.transform(val), atol=1e-10)
    back_ours = ours.inverse_transform(ours.transform(val))
    np.testing.assert_allclose(back_ours, theirs.inverse_transform(theirs.transform(val)),
                               atol=1e-9)


def test_quantile_normalizer_output_ranges():
    u = QuantileNormalizer(50).fit(TRAIN).transform(VAL)
    assert u.min() >= 0 and u.max() <= 1
    z = QuantileNormalizer(500, "normal").fit_transform(TRAIN)
    assert np.isfinite(z).all() and abs(z[:, 0].mean()) < 0.05 and 0.9 < z[:, 0].std() < 1.1


def test_quantile_normalizer_tensors_and_1d():
    X = cr.tensor(TRAIN[:, :2].astype(np.float32))
    out = QuantileNormalizer(100).fit(X).transform(X)
    assert isinstance(out, cr.Tensor) and out.dtype == cr.float32 and out.shape == X.shape
    one = QuantileNormalizer(100).fit_transform(TRAIN[:, 0])
    assert one.shape == (400,)
    np.testing.assert_allclose(one, QuantileNormalizer(100).fit_transform(TRAIN)[:, 0])


def test_quantile_normalizer_errors():
    with pytest.raises(ValueError, match="not fitted yet"):
        QuantileNormalizer().transform(TRAIN)
    with pytest.raises(ValueError, match="output_distribution"):
        QuantileNormalizer(output_distribution="gaussian")
    with pytest.raises(ValueError, match="n_quantiles"):
        QuantileNormalizer(0)
    with pytest.raises(ValueError, match="fitted on samples of shape"):
        QuantileNormalizer().fit(TRAIN).transform(TRAIN[:, :2])


# --- the normal distribution helpers --------------------------------------------------------------


def test_normal_ppf_and_cdf_match_scipy():
    p = np.concatenate([np.linspace(0, 1, 20001), np.logspace(-300, -1, 500),
                        1 - np.logspace(-16, -1, 500), [np.nan, -0.5, 1.5]])
    ours, theirs = normal_ppf(p), ndtri(p)
    finite = np.isfinite(theirs)
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(theirs))
    np.testing.assert_array_equal(ours[~finite & ~np.isnan(theirs)],
                                  theirs[~finite & ~np.isnan(theirs)])
    np.testing.assert_allclose(ours[finite], theirs[finite], rtol=1e-14, atol=1e-14)
    x = np.linspace(-30, 30, 6001)
    np.testing.assert_allclose(normal_cdf(x), ndtr(x), rtol=1e-13, atol=0)
