"""Random tensors and generators.

Our streams are NumPy's PCG64, not PyTorch's, so numbers are never compared
with torch's: these tests check reproducibility, independence, state
round-trips, dtypes and shapes, and the distributions' statistics on large
samples (tolerances of about 5 standard errors, with fixed seeds). Argument
errors are checked against torch's exception types.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import chainrule as cr
from chainrule import random as crandom

N = 200_000


def draw_all(generator=None):
    """One draw from every random function, as plain lists."""
    return [
        cr.rand(3, generator=generator).tolist(),
        cr.randn(2, 2, generator=generator).tolist(),
        cr.randint(0, 100, (4,), generator=generator).tolist(),
        cr.randperm(6, generator=generator).tolist(),
        cr.multinomial(cr.tensor([0.2, 0.3, 0.5]), 4, replacement=True,
                       generator=generator).tolist(),
        cr.multinomial(cr.tensor([0.2, 0.3, 0.5]), 3, generator=generator).tolist(),
    ]


# --- generators and seeding ---------------------------------------------------------------


def test_manual_seed_reproduces_the_default_stream():
    cr.manual_seed(1234)
    first = draw_all()
    cr.manual_seed(1234)
    assert draw_all() == first
    cr.manual_seed(1235)
    assert draw_all() != first


def test_generators_are_reproducible_and_independent():
    g1, g2 = cr.Generator().manual_seed(7), cr.Generator().manual_seed(7)
    assert draw_all(g1) == draw_all(g2)
    a = cr.Generator().manual_seed(7)
    b = cr.Generator().manual_seed(7)
    cr.rand(100, generator=a)  # advancing one generator...
    cr.manual_seed(7)
    cr.rand(100)  # ...or the default one...
    b_draw = cr.rand(5, generator=b).tolist()  # ...leaves the other where it was
    assert b_draw == cr.rand(5, generator=cr.Generator().manual_seed(7)).tolist()
    assert cr.rand(5, generator=a).tolist() != b_draw


def test_explicit_generator_leaves_the_default_alone():
    cr.manual_seed(99)
    expected = cr.rand(4).tolist()
    cr.manual_seed(99)
    draw_all(cr.Generator().manual_seed(1))
    assert cr.rand(4).tolist() == expected


def test_makemore_sampling_idiom():
    p = cr.tensor([0.1, 0.0, 0.6, 0.3])
    g = cr.Generator().manual_seed(2147483647)
    first = [cr.multinomial(p, num_samples=1, replacement=True, generator=g).item()
             for _ in range(20)]
    g = cr.Generator().manual_seed(2147483647)
    again = [cr.multinomial(p, num_samples=1, replacement=True, generator=g).item()
             for _ in range(20)]
    assert first == again and 1 not in first and all(isinstance(i, int) for i in first)


def test_seed_values_follow_torch():
    fresh, theirs = cr.Generator(), torch.Generator()
    assert fresh.initial_seed() == theirs.initial_seed()
    for seed in [0, 42, -1, -(2**63), 2**64 - 1, 2**63]:
        assert cr.Generator().manual_seed(seed).initial_seed() == \
            torch.Generator().manual_seed(seed).initial_seed()
    assert cr.manual_seed(1.5).initial_seed() == torch.manual_seed(1.5).initial_seed() == 1
    with pytest.raises(RuntimeError, match="integer"):
        cr.Generator().manual_seed(1.5)
    with pytest.raises(RuntimeError):
        torch.Generator().manual_seed(1.5)
    assert cr.manual_seed(5) is crandom.default_generator is cr.default_generator
    assert cr.initial_seed() == 5
    g = cr.Generator()
    assert g.manual_seed(3) is g and g.device == "cpu"
    for bad in [2**64, -(2**63) - 1]:
        with pytest.raises(ValueError, match="out of range"):
            cr.manual_seed(bad)
        with pytest.raises((ValueError, RuntimeError)):
            torch.Generator().manual_seed(bad)


def test_nondeterministic_seed():
    g = cr.Generator()
    s = g.seed()
    assert isinstance(s, int) and 0 <= s < 2**64 and g.initial_seed() == s
    assert cr.rand(3, generator=g).tolist() == \
        cr.rand(3, generator=cr.Generator().manual_seed(s)).tolist()
    assert cr.seed() == cr.initial_seed()


@pytest.mark.parametrize("warmup", [0, 1, 2, 3])
def test_state_round_trips(warmup):
    g = cr.Generator().manual_seed(11)
    cr.rand(warmup, generator=g)  # float32 draws use 32-bit halves: odd counts buffer one
    state = g.get_state()
    assert isinstance(state, cr.Tensor) and state.dtype == np.uint8 and state.ndim == 1
    first = draw_all(g)
    g.manual_seed(12345)
    assert g.set_state(state) is g and g.initial_seed() == 11
    assert draw_all(g) == first
    other = cr.Generator().set_state(bytes(state.numpy()))
    assert draw_all(other) == first
    clone = cr.Generator().set_state(cr.tensor(state.numpy()))  # an int64 copy works too
    assert draw_all(clone) == first


def test_default_state_round_trips():
    cr.manual_seed(3)
    cr.randn(5)
    state = cr.get_rng_state()
    first = draw_all()
    cr.set_rng_state(state)
    assert draw_all() == first


def test_bad_state_and_generator_arguments():
    with pytest.raises(RuntimeError, match="bytes"):
        cr.Generator().set_state(b"short")
    with pytest.raises(TypeError):
        cr.Generator().set_state("not a state")
    with pytest.raises(TypeError, match="Generator"):
        cr.rand(2, generator=42)
    with pytest.raises(ValueError, match="device"):
        cr.Generator(device="tpu")


# --- distributions -------------------------------------------------------------------------


def assert_close_mean(samples: np.ndarray, mean: float, std: float) -> None:
    error = std / math.sqrt(samples.size)
    assert abs(samples.mean() - mean) < 5 * error, (samples.mean(), mean)


@pytest.mark.parametrize("dtype", [None, cr.float64, cr.float16])
def test_rand_is_uniform(dtype):
    t = cr.rand(400, 500, generator=cr.Generator().manual_seed(0), dtype=dtype)
    assert t.shape == (400, 500) and t.dtype == (dtype or cr.float32)
    x = t.data.astype(np.float64).ravel()
    assert x.min() >= 0 and x.max() <= 1
    assert (x < 1).all() if dtype != cr.float16 else True  # float16 rounds 1 - 2**-24 up
    assert_close_mean(x, 0.5, math.sqrt(1 / 12))
    assert abs(x.var() - 1 / 12) < 5 * math.sqrt(1 / 180 / x.size)
    counts = np.histogram(x, bins=10, range=(0, 1))[0]
    expected = x.size / 10
    assert np.abs(counts - expected).max() < 5 * math.sqrt(expected)


@pytest.mark.parametrize("dtype", [None, cr.float64])
def test_randn_is_standard_normal(dtype):
    t = cr.randn(N, generator=cr.Generator().manual_seed(1), dtype=dtype)
    assert t.shape == (N,) and t.dtype == (dtype or cr.float32)
    x = t.data.astype(np.float64)
    assert_close_mean(x, 0.0, 1.0)
    assert abs(x.std() - 1.0) < 5 / math.sqrt(2 * N)
    for z, cdf in [(-1.0, 0.158655), (0.0, 0.5), (1.0, 0.841345), (2.0, 0.977250)]:
        fraction = (x < z).mean()
        assert abs(fraction - cdf) < 5 * math.sqrt(cdf * (1 - cdf) / N), (z, fraction)


def test_rand_like_and_randn_like():
    base = cr.zeros(3, 4, dtype=cr.float64)
    for fn in (cr.rand_like, cr.randn_like):
        t = fn(base)
        assert t.shape == (3, 4) and t.dtype == cr.float64 and not t.requires_grad
        assert fn(base, dtype=cr.float32).dtype == cr.float32
        assert fn(base, requires_grad=True).requires_grad
        g1, g2 = cr.Generator().manual_seed(4), cr.Generator().manual_seed(4)
        assert fn(base, generator=g1).tolist() == fn(base, generator=g2).tolist()


def test_random_shapes_and_requires_grad():
    assert cr.rand(()).shape == () and cr.randn((2, 0)).shape == (2, 0)
    assert cr.rand([2, 3]).shape == (2, 3) and cr.randn(4, 1).shape == (4, 1)
    w = cr.randn(3, 2, requires_grad=True)
    assert w.requires_grad and w.is_leaf and w.dtype == cr.float32


def test_randint_range_and_frequencies():
    t = cr.randint(-3, 7, (N,), generator=cr.Generator().manual_seed(2))
    assert t.dtype == cr.int64 and t.shape == (N,)
    counts = np.bincount(t.data + 3, minlength=10)
    assert counts.size == 10 and counts.min() > 0  # every value in [-3, 7) and only those
    chi2 = (((counts - N / 10) ** 2) / (N / 10)).sum()
    assert chi2 < 9 + 5 * math.sqrt(2 * 9)


def test_randint_call_forms():
    g = cr.Generator().manual_seed(0)
    assert cr.randint(5, (3,), generator=g).shape == (3,)
    assert cr.randint(2, 5, (2, 2)).shape == (2, 2)
    assert cr.randint(high=4, size=(6,)).data.max() < 4
    assert cr.randint(4, size=[6]).shape == (6,)
    assert cr.randint(3, 4, (5,)).tolist() == [3] * 5
    floats = cr.randint(3, 10, (50,), dtype=cr.float32, requires_grad=True)
    assert floats.dtype == cr.float32 and floats.requires_grad
    assert set(floats.tolist()) <= set(map(float, range(3, 10)))
    assert cr.randint(0, 2, (10,), dtype=cr.bool).dtype == cr.bool


def test_randperm_is_a_permutation():
    g = cr.Generator().manual_seed(5)
    p = cr.randperm(1000, generator=g)
    assert p.dtype == cr.int64 and sorted(p.tolist()) == list(range(1000))
    assert p.tolist() != list(range(1000))
    assert cr.randperm(0).shape == (0,)
    assert cr.randperm(4, dtype=cr.float32).dtype == cr.float32
    # Each position is uniform over the values: position 0 over 4 values, many draws.
    firsts = np.array([cr.randperm(4, generator=g).tolist()[0] for _ in range(4000)])
    assert np.abs(np.bincount(firsts, minlength=4) - 1000).max() < 5 * math.sqrt(750)


# --- multinomial ---------------------------------------------------------------------------


def chi_square_ok(counts: np.ndarray, probs: np.ndarray) -> bool:
    total = counts.sum()
    keep = probs > 0
    assert (counts[~keep] == 0).all(), "a zero-probability category was drawn"
    expected = total * probs[keep]
    chi2 = (((counts[keep] - expected) ** 2) / expected).sum()
    df = keep.sum() - 1
    return chi2 <= df + 5 * math.sqrt(2 * df)


@pytest.mark.parametrize("dtype", [cr.float32, cr.float64])
def test_multinomial_with_replacement_frequencies(dtype):
    weights = np.array([1.0, 0.0, 2.0, 3.0, 0.5, 0.0])  # unnormalised, zeros included
    probs = weights / weights.sum()
    out = cr.multinomial(cr.tensor(weights, dtype=dtype), N, replacement=True,
                         generator=cr.Generator().manual_seed(3))
    assert out.dtype == cr.int64 and out.shape == (N,)
    assert chi_square_ok(np.bincount(out.data, minlength=6), probs)


def test_multinomial_rows_are_separate_distributions():
    weights = np.array([[0.7, 0.2, 0.1], [0.0, 0.0, 5.0], [1.0, 1.0, 1.0]])
    out = cr.multinomial(cr.tensor(weights), 50_000, replacement=True,
                         generator=cr.Generator().manual_seed(4))
    assert out.shape == (3, 50_000) and out.dtype == cr.int64
    for row, w in zip(out.data, weights):
        assert chi_square_ok(np.bincount(row, minlength=3), w / w.sum())


def test_multinomial_without_replacement():
    weights = np.array([0.5, 0.3, 0.15, 0.05])
    g = cr.Generator().manual_seed(6)
    rows = cr.multinomial(cr.tensor(np.tile(weights, (40_000, 1))), 2, generator=g).data
    assert rows.shape == (40_000, 2)
    assert (rows[:, 0] != rows[:, 1]).all()
    assert chi_square_ok(np.bincount(rows[:, 0], minlength=4), weights)
    # The second draw picks among the rest: P(j second) = sum_i p_i p_j / (1 - p_i).
    second = np.array([sum(weights[i] * weights[j] / (1 - weights[i])
                           for i in range(4) if i != j) for j in range(4)])
    assert chi_square_ok(np.bincount(rows[:, 1], minlength=4), second)
    everything = cr.multinomial(cr.tensor([1.0, 2.0, 3.0, 4.0, 5.0]), 5, generator=g)
    assert sorted(everything.tolist()) == [0, 1, 2, 3, 4]
    # Zero-weight categories come only after every positive one (torch allows this).
    padded = cr.multinomial(cr.tensor([0.0, 2.0, 0.0]), 3, generator=g).tolist()
    assert padded[0] == 1 and sorted(padded) == [0, 1, 2]


MULTINOMIAL_ERRORS = [
    (lambda m: m.multinomial(m.tensor([0.2, -0.1]), 1), RuntimeError, "element < 0"),
    (lambda m: m.multinomial(m.tensor([1.0, float("nan")]), 1), RuntimeError, "nan"),
    (lambda m: m.multinomial(m.tensor([1.0, float("inf")]), 1, True), RuntimeError, "inf"),
    (lambda m: m.multinomial(m.tensor([0.0, 0.0]), 1), RuntimeError, "sum of probabilities"),
    (lambda m: m.multinomial(m.tensor([[0.5, 0.5], [0.0, 0.0]]), 1, True), RuntimeError,
     "sum of probabilities"),
    (lambda m: m.multinomial(m.tensor([1, 2]), 1), RuntimeError, "floating-point"),
    (lambda m: m.multinomial(m.tensor([0.5, 0.5]), 3), RuntimeError, "without replacement"),
    (lambda m: m.multinomial(m.tensor([0.5, 0.5]), 0), RuntimeError, "n_sample <= 0"),
    (lambda m: m.multinomial(m.ones(2, 2, 2), 1), RuntimeError, "1 or 2 dim"),
    (lambda m: m.multinomial(m.tensor(1.0), 1), RuntimeError, "1 or 2 dim"),
]


@pytest.mark.parametrize("call, kind, words", MULTINOMIAL_ERRORS)
def test_multinomial_errors_match_torch(call, kind, words):
    with pytest.raises(kind):
        call(torch)
    with pytest.raises(kind, match=words):
        call(cr)


def test_multinomial_empty_batch():
    out = cr.multinomial(cr.zeros(0, 3), 2, replacement=True)
    assert out.shape == tuple(torch.multinomial(torch.zeros(0, 3), 2, True).shape)


# --- argument errors ------------------------------------------------------------------------

RANDOM_ERRORS = [
    (lambda m: m.rand(2, dtype=m.int64), NotImplementedError, "floating dtype"),
    (lambda m: m.randn(2, dtype=m.int64), NotImplementedError, "floating dtype"),
    (lambda m: m.rand(-1), RuntimeError, "negative dimension"),
    (lambda m: m.randn(2.5), TypeError, "tuple of ints"),
    (lambda m: m.randint(5, 5, (2,)), RuntimeError, "low=5 >= high=5"),
    (lambda m: m.randint(3.5, (2,)), TypeError, "must be int"),
    (lambda m: m.randint(0, 2**63, (2,)), ValueError, "int64"),
    (lambda m: m.randint(0, 5, (2,), requires_grad=True), RuntimeError, "floating point"),
    (lambda m: m.randint(0, 3, (2,), dtype=m.bool), RuntimeError, "bool"),
    (lambda m: m.randint(0, 5), TypeError, "size"),
    (lambda m: m.randint(0, 5, 3), TypeError, "size"),
    (lambda m: m.randperm(-1), RuntimeError, "negative dimension"),
]


@pytest.mark.parametrize("call, kind, words", RANDOM_ERRORS)
def test_random_errors_match_torch(call, kind, words):
    with pytest.raises(kind):
        call(torch)
    with pytest.raises(kind, match=words):
        call(cr)
