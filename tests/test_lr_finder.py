"""``cr.optim.lr_find``: the lecture's rate sweep, its suggestion, early stopping on
divergence, every data form, and that the sweep leaves model and optimizer untouched."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import chainrule as cr
import chainrule.optim as optim
from chainrule import nn
from chainrule.data import make_moons
from chainrule.nn import functional as F


def moons(n=200):
    X, y = make_moons(n, noise=0.1, random_state=0)
    return X.astype(np.float32), y


def mlp(seed, batchnorm=False):
    cr.manual_seed(seed)
    layers = [nn.Linear(2, 16)]
    if batchnorm:
        layers.append(nn.BatchNorm1d(16))
    layers += [nn.Tanh(), nn.Linear(16, 2)]
    return nn.Sequential(*layers)


def regression(n=256, d=3, rho=0.5, seed=0):
    """Standardized, correlated inputs (float64) and noisy linear targets of shape (n, 1)."""
    rng = np.random.default_rng(seed)
    cov = rho * np.ones((d, d)) + (1 - rho) * np.eye(d)
    Z = rng.standard_normal((n, d)) @ np.linalg.cholesky(cov).T
    X = (Z - Z.mean(0)) / Z.std(0)
    w = rng.standard_normal(d) * 2
    y = X @ w + 3.0 + 0.1 * rng.standard_normal(n)
    return X, y[:, None]


def snapshot(model, optimizer):
    """Plain copies of everything a sweep could change."""
    params = {k: (v.numpy().copy(), v.dtype) for k, v in model.state_dict().items()}
    grads = {
        k: None if p.grad is None else p.grad.numpy().copy() for k, p in model.named_parameters()
    }
    saved = optimizer.state_dict()
    state = {
        i: {k: v.numpy().copy() if isinstance(v, cr.Tensor) else v for k, v in s.items()}
        for i, s in saved["state"].items()
    }
    groups = [dict(g) for g in saved["param_groups"]]
    modes = [m.training for m in model.modules()]
    return params, grads, state, groups, modes


def assert_same(before, after):
    params, grads, state, groups, modes = before
    params2, grads2, state2, groups2, modes2 = after
    assert params.keys() == params2.keys()
    for key, (array, dtype) in params.items():
        assert params2[key][1] == dtype, key
        np.testing.assert_array_equal(params2[key][0], array, err_msg=key)
    for key, grad in grads.items():
        if grad is None:
            assert grads2[key] is None, key
        else:
            assert grads2[key].dtype == grad.dtype
            np.testing.assert_array_equal(grads2[key], grad, err_msg=key)
    assert state.keys() == state2.keys()
    for index, entry in state.items():
        assert entry.keys() == state2[index].keys()
        for key, value in entry.items():
            if isinstance(value, np.ndarray):
                assert state2[index][key].dtype == value.dtype
                np.testing.assert_array_equal(state2[index][key], value)
            else:
                assert state2[index][key] == value, key
    assert groups == groups2
    assert modes == modes2


def test_exported():
    assert optim.lr_find is cr.optim.lr_find
    assert {"lr_find", "LRFinderResult"} <= set(optim.__all__)


def test_default_rates_are_the_lectures_lre_one_step_each():
    X = np.linspace(-1.7, 1.7, 64, dtype=np.float32)[:, None]
    y = 0.5 * X + 0.1
    cr.manual_seed(0)
    model = nn.Linear(1, 1)
    calls = []

    def loss_fn(out, target):  # a gentle loss: no divergence up to lr = 1
        calls.append(1)
        return 0.01 * F.mse_loss(out, target)

    result = optim.lr_find(model, loss_fn, (X, y), generator=cr.Generator().manual_seed(0))
    lrs, losses = result
    np.testing.assert_array_equal(lrs, 10 ** np.linspace(-3, 0, 1000))
    assert lrs.dtype == np.float64 and losses.dtype == np.float64
    assert len(losses) == len(calls) == 1000
    assert not result.diverged
    assert result.lrs is lrs and result.losses is losses
    assert result[0] is lrs and result[1] is losses and len(result) == 2
    assert result.smoothed.shape == (1000,)
    assert "suggested_lr" in repr(result)


class RecordingSGD(optim.SGD):
    """Remembers each group's lr at every step."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.applied = []

    def step(self, closure=None):
        self.applied.append([group["lr"] for group in self.param_groups])
        return super().step(closure)


def test_user_optimizer_gets_each_rate_in_turn_in_every_group():
    X, y = moons()
    model = mlp(1)
    groups = [{"params": model[0].parameters()}, {"params": model[2].parameters(), "lr": 0.5}]
    opt = RecordingSGD(groups, lr=0.1, momentum=0.9)
    opt.applied = []
    result = optim.lr_find(
        model, nn.CrossEntropyLoss(), (X, y), end_lr=0.1, steps=50, optimizer=opt
    )
    applied = np.array(opt.applied)
    assert applied.shape == (50, 2)
    np.testing.assert_array_equal(applied[:, 0], result.lrs)
    np.testing.assert_array_equal(applied[:, 1], result.lrs)
    np.testing.assert_array_equal(result.lrs, 10 ** np.linspace(-3, -1, 50))
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]


def test_matches_the_lectures_loop_step_for_step():
    X, y = moons()
    lrs = 10 ** np.linspace(-3, 0, 120)
    model = mlp(2)
    Xt, yt = cr.tensor(X), cr.tensor(y)
    g = cr.Generator().manual_seed(7)
    expected = []
    for lr in lrs:  # makemore's loop, the loss recorded before the update
        ix = cr.randint(0, Xt.shape[0], (32,), generator=g)
        loss = F.cross_entropy(model(Xt[ix]), yt[ix])
        expected.append(loss.item())
        for p in model.parameters():
            p.grad = None
        loss.backward()
        for p in model.parameters():
            p.data += -float(lr) * p.grad.data

    fresh = mlp(2)
    result = optim.lr_find(
        fresh,
        F.cross_entropy,
        (Xt, yt),
        end_lr=1.0,
        steps=120,
        generator=cr.Generator().manual_seed(7),
        diverge_factor=1e9,
    )
    np.testing.assert_array_equal(result.lrs, lrs)
    np.testing.assert_array_equal(result.losses, expected)


def test_random_batches_follow_the_generator():
    X, y = moons()
    results = [
        optim.lr_find(
            mlp(3), F.cross_entropy, (X, y), steps=30, generator=cr.Generator().manual_seed(seed)
        ).losses
        for seed in (1, 1, 2)
    ]
    np.testing.assert_array_equal(results[0], results[1])
    assert not np.array_equal(results[0], results[2])


def test_restores_model_adam_buffers_and_modes_bit_for_bit():
    X, y = moons()
    Xt, yt = cr.tensor(X), cr.tensor(y)
    model = mlp(4, batchnorm=True)
    adam = optim.Adam(model.parameters(), lr=0.01, amsgrad=True)
    for _ in range(3):  # give Adam state and the model gradients
        adam.zero_grad()
        F.cross_entropy(model(Xt[:64]), yt[:64]).backward()
        adam.step()
    F.cross_entropy(model(Xt[64:128]), yt[64:128]).backward()
    model[1].eval()  # a mixed mode: the sweep trains, then must put this back
    arrays = [p.data for p in model.parameters()]
    before = snapshot(model, adam)
    seen = {}

    def loss_fn(out, target):
        seen["training"] = model[1].training
        seen["running_mean"] = model[1].running_mean.numpy().copy()
        seen["weight"] = model[0].weight.detach().numpy().copy()
        return F.cross_entropy(out, target)

    result = optim.lr_find(model, loss_fn, (X, y), steps=100, optimizer=adam)
    assert len(result.lrs) > 50
    # The sweep did change the model (so restoring is real work) ...
    assert seen["training"] is True
    assert not np.array_equal(seen["running_mean"], before[0]["1.running_mean"][0])
    assert not np.array_equal(seen["weight"], before[0]["0.weight"][0])
    # ... and left no trace.
    assert_same(before, snapshot(model, adam))
    assert all(p.data is a for p, a in zip(model.parameters(), arrays))
    assert model.training and not model[1].training


def test_training_after_the_sweep_is_as_if_it_never_ran():
    X, y = moons()
    Xt, yt = cr.tensor(X), cr.tensor(y)
    runs = []
    for sweep in (False, True):
        model = mlp(5, batchnorm=True)
        opt = optim.Adam(model.parameters(), lr=0.01)
        opt.zero_grad()
        F.cross_entropy(model(Xt), yt).backward()
        opt.step()
        if sweep:
            optim.lr_find(model, F.cross_entropy, (X, y), end_lr=10.0, steps=80, optimizer=opt)
        for start in range(0, 160, 32):
            opt.zero_grad()
            F.cross_entropy(model(Xt[start : start + 32]), yt[start : start + 32]).backward()
            opt.step()
        runs.append([t.numpy().copy() for t in model.state_dict().values()])
    for plain, swept in zip(*runs):
        np.testing.assert_array_equal(swept, plain)


def test_default_sgd_sweep_restores_the_model_even_when_the_loss_raises():
    X, y = moons()
    model = mlp(6, batchnorm=True)
    model.eval()
    before = {k: v.numpy().copy() for k, v in model.state_dict().items()}
    calls = []

    def loss_fn(out, target):
        calls.append(1)
        if len(calls) == 20:
            raise KeyError("boom")
        return F.cross_entropy(out, target)

    with pytest.raises(KeyError, match="boom"):
        optim.lr_find(model, loss_fn, (X, y), end_lr=10.0, steps=50)
    after = model.state_dict()
    for key, value in before.items():
        np.testing.assert_array_equal(after[key].numpy(), value)
    assert not any(m.training for m in model.modules())
    assert all(p.grad is None for p in model.parameters())


def ema(losses, smooth):
    out, average = [], 0.0
    for step, value in enumerate(losses):
        average = smooth * value + (1 - smooth) * average
        out.append(average / (1 - (1 - smooth) ** (step + 1)))
    return np.array(out)


@pytest.mark.parametrize("factor", [4.0, 20.0])
def test_divergence_stops_the_sweep(factor):
    X, y = regression()
    calls = []

    def loss_fn(out, target):
        calls.append(1)
        return F.mse_loss(out, target)

    cr.manual_seed(0)
    model = nn.Linear(3, 1).double()
    result = optim.lr_find(
        model,
        loss_fn,
        (X, y),
        end_lr=1e6,
        steps=200,
        diverge_factor=factor,
        generator=cr.Generator().manual_seed(0),
    )
    n = len(result.lrs)
    assert result.diverged and 10 < n < 200
    assert len(result.losses) == len(result.smoothed) == len(calls) == n
    np.testing.assert_array_equal(result.lrs, (10 ** np.linspace(-3, 6, 200))[:n])
    smoothed = result.smoothed
    np.testing.assert_allclose(smoothed, ema(result.losses, 0.05), rtol=1e-12)
    best = np.minimum.accumulate(smoothed)
    # It went on while the smoothed loss stayed under factor x its best, stopped at the first
    # step that broke the bound.
    assert np.all(smoothed[1:-1] <= factor * best[:-2])
    last = smoothed[-1]
    assert not np.isfinite(last) or last > factor * best[-2]
    assert result.lrs[-1] < 1e6 and result.suggested_lr < result.lrs[-1]


@pytest.mark.parametrize("factor", [1.5, 4.0])
def test_divergence_stops_at_the_first_step_past_the_bound(factor):
    def curve(x):  # falls to 0.5 at 10**-2, then climbs steadily
        return 1.0 - 0.5 * (x + 3) if x < -2 else 0.5 + 2.0 * (x + 2)

    model = nn.Linear(1, 1)
    loss_fn, state = scripted(curve)
    state["optimizer"] = opt = optim.SGD(model.parameters(), lr=0.0)
    data = [(np.zeros((2, 1), np.float32), np.zeros((2, 1), np.float32))]
    result = optim.lr_find(
        model, loss_fn, data, end_lr=10.0, steps=300, optimizer=opt, diverge_factor=factor
    )
    raw = np.array([curve(x) for x in np.linspace(-3, 1, 300)])
    smoothed = ema(raw, 0.05)
    past = smoothed[1:] > factor * np.minimum.accumulate(smoothed)[:-1]
    expected = int(np.argmax(past)) + 2  # the steps taken, the one that diverged included
    assert past.any() and expected < 300
    assert result.diverged and len(result.lrs) == expected
    np.testing.assert_allclose(result.losses, raw[:expected], rtol=1e-6)


def test_non_finite_loss_stops_the_sweep():
    X, y = moons()
    calls = []

    def loss_fn(out, target):
        calls.append(1)
        loss = F.cross_entropy(out, target)
        return loss * math.nan if len(calls) == 70 else loss

    result = optim.lr_find(
        mlp(7), loss_fn, (X, y), end_lr=10.0, steps=100, generator=cr.Generator().manual_seed(0)
    )
    assert result.diverged and len(result.lrs) == len(calls) == 70
    assert np.isnan(result.losses[-1]) and np.all(np.isfinite(result.losses[:-1]))
    assert np.isfinite(result.suggested_lr)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_suggestion_is_a_tried_rate_below_the_minimum(seed):
    X, y = moons()
    result = optim.lr_find(
        mlp(seed),
        F.cross_entropy,
        (X, y),
        end_lr=100.0,
        steps=200,
        generator=cr.Generator().manual_seed(seed),
    )
    lrs = result.lrs
    assert result.diverged
    lowest = int(np.argmin(result.smoothed))
    assert lrs[0] <= result.suggested_lr < lrs[lowest]
    assert result.suggested_lr in lrs
    at = int(np.nonzero(lrs == result.suggested_lr)[0][0])
    # The smoothed loss is falling there.
    assert result.smoothed[min(at + 10, lowest)] < result.smoothed[max(at - 10, 0)]


def scripted(curve):
    """A loss_fn whose value is ``curve(log10(lr))`` at the optimizer's current rate."""
    state = {}

    def loss_fn(out, target):
        lr = state["optimizer"].param_groups[0]["lr"]
        return (out * 0).sum() + float(curve(math.log10(lr)))

    return loss_fn, state


def two_drops(x):
    """A gentle drop centred on 10**-2.5 to the global minimum 0.2 at about 10**-1.5,
    a bump, then a steeper drop (centred on 10**-0.5) that stays above that minimum."""
    if x < -1.5:
        return 1.0 - 0.8 / (1 + math.exp(-(x + 2.5) / 0.15))
    if x < -1.0:
        return 0.2 + 0.8 * (x + 1.5)
    return 0.6 - 0.2 / (1 + math.exp(-(x + 0.5) / 0.02))


@pytest.mark.parametrize("smooth, tolerance", [(1.0, 0.01), (0.05, 0.1)])
def test_suggestion_is_the_steepest_descent_before_the_minimum(smooth, tolerance):
    X, y = moons(64)
    model = mlp(8)
    loss_fn, state = scripted(two_drops)
    state["optimizer"] = opt = optim.SGD(model.parameters(), lr=0.0)
    result = optim.lr_find(
        model, loss_fn, (X, y), end_lr=1.0, steps=600, optimizer=opt, smooth=smooth
    )
    expected = np.array([two_drops(x) for x in np.linspace(-3, 0, 600)])
    np.testing.assert_allclose(result.losses, expected, rtol=1e-6)
    assert not result.diverged
    assert abs(math.log10(result.suggested_lr) - (-2.5)) < tolerance


@pytest.mark.parametrize("seed", range(4))
def test_suggestion_is_robust_to_minibatch_noise(seed):
    """Loss noise (as minibatches give) must not move the suggestion far from the true
    steepest point: a step-to-step difference of the smoothed curve would be mostly noise."""
    rng = np.random.default_rng(seed)
    model = nn.Linear(1, 1)
    loss_fn, state = scripted(lambda x: two_drops(x) + 0.05 * rng.standard_normal())
    state["optimizer"] = opt = optim.SGD(model.parameters(), lr=0.0)
    data = [(np.zeros((2, 1), np.float32), np.zeros((2, 1), np.float32))]
    result = optim.lr_find(model, loss_fn, data, optimizer=opt)
    assert len(result.lrs) == 1000
    # The moving average lags the raw curve by about 1/smooth steps (0.06 decades here).
    assert abs(math.log10(result.suggested_lr) - (-2.5)) < 0.25


def test_loss_that_never_falls_suggests_start_lr_with_a_warning():
    X, y = moons(64)
    model = mlp(9)
    loss_fn, state = scripted(lambda x: 1.0 + 0.01 * (x + 3))
    state["optimizer"] = opt = optim.SGD(model.parameters(), lr=0.0)
    with pytest.warns(RuntimeWarning, match="never decreased"):
        result = optim.lr_find(model, loss_fn, (X, y), steps=50, optimizer=opt)
    assert result.suggested_lr == result.lrs[0] == pytest.approx(1e-3)


def test_known_stable_region_of_linear_regression():
    """Full-batch gradient descent on MSE is a quadratic: with H the Hessian of the loss
    in (w, b) and L its largest eigenvalue, a step at lr < 2/L never raises the loss, and
    rates above 2/L blow it up. The sweep must descend monotonically below 2/L, diverge
    only above it, and suggest a rate inside it at which plain training converges."""
    X, y = regression()
    n = X.shape[0]
    A = np.hstack([X, np.ones((n, 1))])
    hessian = 2.0 / n * A.T @ A
    critical = 2.0 / np.linalg.eigvalsh(hessian).max()
    best_loss = np.mean((A @ np.linalg.lstsq(A, y, rcond=None)[0] - y) ** 2)
    Xt, yt = cr.tensor(X), cr.tensor(y)

    for seed in range(3):
        cr.manual_seed(seed)
        model = nn.Linear(3, 1).double()
        initial = F.mse_loss(model(Xt), yt).item()
        result = optim.lr_find(model, F.mse_loss, [(Xt, yt)], end_lr=10.0, steps=200)
        lrs, losses = result
        assert result.diverged
        assert critical < lrs[-1] < 10 * critical  # diverged, and only above 2/L
        stable = lrs[:-1] < critical
        rises = np.diff(losses) > 1e-12 * losses[:-1]
        assert not np.any(rises[stable])
        assert lrs[0] < result.suggested_lr < critical
        # Training at the suggestion, from the same start, converges.
        for _ in range(300):
            model.zero_grad()
            loss = F.mse_loss(model(Xt), yt)
            loss.backward()
            for p in model.parameters():
                p.data -= result.suggested_lr * p.grad.data
        assert F.mse_loss(model(Xt), yt).item() - best_loss < 1e-3 * (initial - best_loss)


def test_list_of_batches_is_cycled_in_order():
    X, y = moons(96)
    batches = [(X[i : i + 32], y[i : i + 32]) for i in range(0, 96, 32)]
    seen = []

    def loss_fn(out, target):
        seen.append(int(target.numpy()[:8] @ (2 ** np.arange(8))))
        return F.cross_entropy(out, target)

    result = optim.lr_find(mlp(10), loss_fn, batches, steps=10)
    keys = [int(b[1][:8] @ (2 ** np.arange(8))) for b in batches]
    assert len(set(keys)) == 3
    assert seen == [keys[i % 3] for i in range(10)] and len(result.lrs) == 10


class Loader:
    """A DataLoader-like re-iterable that counts its passes."""

    def __init__(self, X, y, batch):
        self.X, self.y, self.batch, self.passes = cr.tensor(X), cr.tensor(y), batch, 0

    def __iter__(self):
        self.passes += 1  # counted when the pass starts, as a DataLoader would shuffle then
        n, b = self.X.shape[0], self.batch
        return iter([(self.X[i : i + b], self.y[i : i + b]) for i in range(0, n, b)])


def test_dataloader_like_iterables_and_one_shot_iterators_are_cycled():
    X, y = moons(100)
    loader = Loader(X, y, 25)
    result = optim.lr_find(mlp(11), F.cross_entropy, loader, steps=18)
    assert len(result.lrs) == 18 and loader.passes == 5  # 4 batches a pass

    class OnePass(Loader):
        def __iter__(self):
            return super().__iter__() if self.passes == 0 else iter(())  # one pass only

    with pytest.raises(ValueError, match="no batches on a later pass"):
        optim.lr_find(mlp(11), F.cross_entropy, OnePass(X, y, 50), steps=5)

    sizes = []

    def loss_fn(out, target):
        sizes.append(target.shape[0])
        return F.cross_entropy(out, target)

    one_shot = ((X[i : i + 40], y[i : i + 40]) for i in range(0, 100, 40))
    optim.lr_find(mlp(11), loss_fn, one_shot, steps=7)
    assert sizes == [40, 40, 20, 40, 40, 20, 40]


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"start_lr": 0.0}, "start_lr must be a positive"),
        ({"start_lr": -1e-3}, "start_lr must be a positive"),
        ({"end_lr": 1e-3}, "end_lr must be finite and greater than start_lr"),
        ({"start_lr": 0.1, "end_lr": 0.01}, "end_lr must be finite and greater"),
        ({"steps": 1}, "steps must be an integer >= 2"),
        ({"steps": 0}, "steps must be an integer >= 2"),
        ({"batch_size": 0}, "batch_size must be an integer >= 1"),
        ({"smooth": 0.0}, r"smooth must be in \(0, 1\]"),
        ({"diverge_factor": 1.0}, "diverge_factor must be greater than 1"),
    ],
)
def test_bad_arguments_raise(kwargs, match):
    X, y = moons(64)
    model = mlp(12)
    before = model[0].weight.detach().numpy().copy()
    with pytest.raises(ValueError, match=match):
        optim.lr_find(model, F.cross_entropy, (X, y), **kwargs)
    np.testing.assert_array_equal(model[0].weight.detach().numpy(), before)


def test_bad_data_raises():
    X, y = moons(64)
    model = mlp(13)
    with pytest.raises(ValueError, match=r"same number of rows.*\(64, 2\).*\(63,\)"):
        optim.lr_find(model, F.cross_entropy, (X, y[:63]))
    with pytest.raises(ValueError, match="X has 0 rows"):
        optim.lr_find(model, F.cross_entropy, (X[:0], y[:0]))
    with pytest.raises(ValueError, match="no batches"):
        optim.lr_find(model, F.cross_entropy, [])
    with pytest.raises(ValueError, match="no batches"):
        optim.lr_find(model, F.cross_entropy, Loader(X[:0], y[:0], 8))
    with pytest.raises(TypeError, match=r"\(xb, yb\) pair"):
        optim.lr_find(model, F.cross_entropy, [X, X, X])
    with pytest.raises(TypeError, match="data must be"):
        optim.lr_find(model, F.cross_entropy, 3.0)


def test_no_warning_on_a_normal_sweep():
    X, y = moons()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        optim.lr_find(mlp(14), F.cross_entropy, (X, y), end_lr=10.0, steps=100)
