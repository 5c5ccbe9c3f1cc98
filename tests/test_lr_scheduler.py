"""chainrule.optim.lr_scheduler against torch.optim.lr_scheduler (PyTorch 2.13 is the oracle).

Every case builds the same scheduler in both libraries over two parameter groups with
different rates (the factories take the scheduler module, so the code is shared) and
requires the groups' rates, momenta and ``get_last_lr()`` to be equal float for float.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
import torch.optim.lr_scheduler as T

import chainrule as cr
import chainrule.optim.lr_scheduler as C
from chainrule.optim.optimizer import Optimizer

STEPS = 100
LRS = (0.1, 0.03)


class _NoopOptimizer(Optimizer):
    """The base optimizer with a ``step`` that updates nothing: rates are all we compare."""

    def step(self, closure=None):
        return None


def _groups(make_param):
    return [{"params": [make_param()], "lr": lr} for lr in LRS]


def _pair(kind: str = "momentum"):
    """(ours, torch's) optimizers: SGD-like ("momentum"), Adam-like ("betas") or neither."""
    ours_params = _groups(lambda: cr.zeros(2, requires_grad=True))
    torch_params = _groups(lambda: torch.zeros(2, requires_grad=True))
    if kind == "momentum":
        ours = _NoopOptimizer(ours_params, {"lr": 0.1, "momentum": 0.9})
        theirs = torch.optim.SGD(torch_params, lr=0.1, momentum=0.9)
    elif kind == "betas":
        ours = _NoopOptimizer(ours_params, {"lr": 0.1, "betas": (0.9, 0.999)})
        theirs = torch.optim.Adam(torch_params, lr=0.1, betas=(0.9, 0.999))
    else:
        ours = _NoopOptimizer(ours_params, {"lr": 0.1})
        theirs = torch.optim.Adagrad(torch_params, lr=0.1)
    return ours, theirs


_KEYS = ("lr", "initial_lr", "momentum", "betas", "max_lr", "min_lr")


def _snapshot(optimizer):
    return [{k: g[k] for k in _KEYS if k in g} for g in optimizer.param_groups]


def _assert_same(ours, theirs, sched, tsched, where):
    assert _snapshot(ours) == _snapshot(theirs), where
    assert sched.get_last_lr() == tsched.get_last_lr(), where


def _advance(pairs, steps, where):
    """Step each (optimizer, scheduler) the proper way: optimizer first, then scheduler.

    Returns the set of rates the first optimizer went through."""
    seen = set()
    for i in range(steps):
        for opt, sched in pairs:
            opt.step()
            sched.step()
        (o, s), (to, ts) = pairs
        _assert_same(o, to, s, ts, f"{where}, step {i + 1}")
        seen.update(g["lr"] for g in o.param_groups)
    return seen


class _Shrink:
    """A callable object as CyclicLR's scale function: its attributes are state."""

    def __init__(self, rate: float) -> None:
        self.rate = rate

    def __call__(self, x: float) -> float:
        return self.rate**x


SCHEDULES = {
    "step-7-0.5": lambda M, o: M.StepLR(o, step_size=7, gamma=0.5),
    "step-1-0.9": lambda M, o: M.StepLR(o, step_size=1, gamma=0.9),
    "step-30-default": lambda M, o: M.StepLR(o, 30),
    "multistep": lambda M, o: M.MultiStepLR(o, milestones=[10, 25, 60], gamma=0.3),
    "multistep-repeated": lambda M, o: M.MultiStepLR(o, [5, 5, 40]),
    "multistep-unsorted": lambda M, o: M.MultiStepLR(o, [50, 20], gamma=0.7),
    "exp-0.95": lambda M, o: M.ExponentialLR(o, gamma=0.95),
    "exp-0.5": lambda M, o: M.ExponentialLR(o, 0.5),
    "exp-1.01": lambda M, o: M.ExponentialLR(o, 1.01),
    "cos-100": lambda M, o: M.CosineAnnealingLR(o, T_max=100),
    "cos-30-eta": lambda M, o: M.CosineAnnealingLR(o, T_max=30, eta_min=0.001),
    "cos-7": lambda M, o: M.CosineAnnealingLR(o, 7),
    "cos-1": lambda M, o: M.CosineAnnealingLR(o, T_max=1, eta_min=0.01),
    "lambda-one": lambda M, o: M.LambdaLR(o, lambda e: 0.95**e),
    "lambda-list": lambda M, o: M.LambdaLR(o, [lambda e: 0.5 ** (e // 30), lambda e: 1 / (1 + e)]),
    "linear-default": lambda M, o: M.LinearLR(o),
    "linear-warmup": lambda M, o: M.LinearLR(o, start_factor=0.05, total_iters=40),
    "linear-decay": lambda M, o: M.LinearLR(o, start_factor=1.0, end_factor=0.1, total_iters=20),
    "linear-to-zero": lambda M, o: M.LinearLR(o, 0.5, 0.0, 10),
    "onecycle-cos": lambda M, o: M.OneCycleLR(o, max_lr=1.0, total_steps=STEPS),
    "onecycle-linear": lambda M, o: M.OneCycleLR(
        o, max_lr=[1.0, 0.3], total_steps=STEPS, anneal_strategy="linear", pct_start=0.25
    ),
    "onecycle-3phase-cos": lambda M, o: M.OneCycleLR(
        o, max_lr=0.5, epochs=10, steps_per_epoch=10, three_phase=True
    ),
    "onecycle-3phase-linear": lambda M, o: M.OneCycleLR(
        o,
        max_lr=[0.5, 2.0],
        total_steps=STEPS,
        anneal_strategy="linear",
        three_phase=True,
        base_momentum=[0.8, 0.7],
        max_momentum=(0.99, 0.9),
        div_factor=10.0,
        final_div_factor=100.0,
    ),
    "constant-default": lambda M, o: M.ConstantLR(o),
    "constant-0.5-40": lambda M, o: M.ConstantLR(o, factor=0.5, total_iters=40),
    "multiplicative": lambda M, o: M.MultiplicativeLR(o, lambda e: 0.97),
    "multiplicative-list": lambda M, o: M.MultiplicativeLR(
        o, [lambda e: 0.9 if e % 10 == 0 else 1.0, lambda e: 1.0 - 0.001 * e]),
    "polynomial-default": lambda M, o: M.PolynomialLR(o),
    "polynomial-60-2": lambda M, o: M.PolynomialLR(o, total_iters=60, power=2.0),
    "polynomial-100-0.5": lambda M, o: M.PolynomialLR(o, 100, 0.5),
    "onecycle-no-momentum": lambda M, o: M.OneCycleLR(
        o, max_lr=0.2, total_steps=STEPS, cycle_momentum=False, pct_start=0.5
    ),
    "restarts-10": lambda M, o: M.CosineAnnealingWarmRestarts(o, T_0=10),
    "restarts-7-x2-eta": lambda M, o: M.CosineAnnealingWarmRestarts(o, 7, T_mult=2, eta_min=1e-3),
    "restarts-3-x3": lambda M, o: M.CosineAnnealingWarmRestarts(o, 3, 3),
    "cyclic-triangular": lambda M, o: M.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=7),
    "cyclic-triangular2": lambda M, o: M.CyclicLR(
        o, [0.01, 0.001], [0.1, 0.05], step_size_up=5, step_size_down=15, mode="triangular2",
        base_momentum=[0.8, 0.85], max_momentum=0.95),
    "cyclic-exp-range": lambda M, o: M.CyclicLR(
        o, 0.02, 0.2, step_size_up=4, mode="exp_range", gamma=0.97),
    "cyclic-custom-iterations": lambda M, o: M.CyclicLR(
        o, 0.01, 0.1, step_size_up=6, scale_fn=_Shrink(0.99), scale_mode="iterations"),
    "cyclic-custom-cycle": lambda M, o: M.CyclicLR(
        o, 0.01, 0.1, 3, 9, scale_fn=lambda c: 1.0 / c, cycle_momentum=False),
    "sequential-warmup-exp": lambda M, o: M.SequentialLR(
        o, [M.LinearLR(o, start_factor=0.1, total_iters=10), M.ExponentialLR(o, gamma=0.95)],
        milestones=[10]),
    "sequential-three": lambda M, o: M.SequentialLR(
        o, [M.ConstantLR(o, 0.5, total_iters=8), M.StepLR(o, 5, 0.7),
            M.CosineAnnealingLR(o, T_max=40)], milestones=[20, 45]),
    "chained-linear-exp": lambda M, o: M.ChainedScheduler(
        [M.LinearLR(o, start_factor=0.2, total_iters=15), M.ExponentialLR(o, gamma=0.97)]),
    "chained-step-multiplicative": lambda M, o: M.ChainedScheduler(
        [M.StepLR(o, 10, 0.5), M.MultiplicativeLR(o, lambda e: 0.99)], optimizer=o),
}


@pytest.mark.parametrize("kind", ["momentum", "betas"])
@pytest.mark.parametrize("name", sorted(SCHEDULES))
def test_schedule_matches_torch(name, kind):
    ours, theirs = _pair(kind)
    sched, tsched = SCHEDULES[name](C, ours), SCHEDULES[name](T, theirs)
    _assert_same(ours, theirs, sched, tsched, f"{name} after construction")
    seen = _advance([(ours, sched), (theirs, tsched)], STEPS, name)
    assert len(seen) > 2  # the schedule moved the rates
    assert sched.state_dict() == tsched.state_dict()


@pytest.mark.parametrize("name", sorted(SCHEDULES))
def test_state_dict_round_trip_continues_identically(name):
    ours, theirs = _pair()
    sched, tsched = SCHEDULES[name](C, ours), SCHEDULES[name](T, theirs)
    _advance([(ours, sched), (theirs, tsched)], 37, name)
    saved_opt, saved = ours.state_dict(), sched.state_dict()

    fresh, _ = _pair()
    resumed = SCHEDULES[name](C, fresh)
    fresh.load_state_dict(saved_opt)
    resumed.load_state_dict(saved)
    assert resumed.state_dict() == sched.state_dict()
    _advance([(fresh, resumed), (theirs, tsched)], STEPS - 37, f"{name} resumed")
    assert _snapshot(fresh) == _snapshot(theirs)


class _Decay:
    """A callable object: its attributes are kept by LambdaLR's state_dict."""

    def __init__(self, rate):
        self.rate = rate

    def __call__(self, epoch):
        return self.rate**epoch


def test_lambda_state_dict_keeps_callable_object_attributes():
    for M, opt in zip((C, T), _pair()):
        sched = M.LambdaLR(opt, [_Decay(0.9), lambda e: 1.0])
        sd = sched.state_dict()
        assert sd["lr_lambdas"] == [{"rate": 0.9}, None]
        other = M.LambdaLR(opt, [_Decay(0.5), lambda e: 1.0])
        other.load_state_dict(sd)
        assert other.lr_lambdas[0].rate == 0.9
        assert "lr_lambdas" in sd  # loading leaves the dict as it was


RESUMABLE = ["step-7-0.5", "multistep", "exp-0.95", "cos-30-eta", "lambda-list", "linear-warmup",
             "constant-0.5-40", "multiplicative-list", "polynomial-60-2", "restarts-10",
             "restarts-7-x2-eta", "cyclic-triangular", "cyclic-exp-range"]


@pytest.mark.parametrize("name", RESUMABLE)
def test_resume_with_last_epoch_matches_torch(name):
    ours, theirs = _pair()
    for opt in (ours, theirs):
        for group, initial in zip(opt.param_groups, (0.5, 0.2)):
            group["initial_lr"] = initial
    factory = SCHEDULES[name]
    sched = _with_last_epoch(factory, C, ours, 12)
    tsched = _with_last_epoch(factory, T, theirs, 12)
    assert sched.last_epoch == tsched.last_epoch == 13
    _assert_same(ours, theirs, sched, tsched, f"{name} resumed")
    _advance([(ours, sched), (theirs, tsched)], 40, name)


def _with_last_epoch(factory, module, opt, last_epoch):
    """Build ``factory``'s scheduler with ``last_epoch`` passed through to the class."""

    class Shim:
        def __getattr__(self, cls_name):
            cls = getattr(module, cls_name)
            return lambda *a, **k: cls(*a, last_epoch=last_epoch, **k)

    return factory(Shim(), opt)


@pytest.mark.parametrize(
    "make",
    [
        lambda M, o: M.StepLR(o, 3, gamma=0.5),
        lambda M, o: M.MultiStepLR(o, [4, 9, 9], 0.5),
        lambda M, o: M.ExponentialLR(o, 0.8),
        lambda M, o: M.CosineAnnealingLR(o, 10, 0.001),
        lambda M, o: M.LinearLR(o, 0.2, 0.9, 8),
        lambda M, o: M.LambdaLR(o, lambda e: 1 / (e + 1)),
        lambda M, o: M.ConstantLR(o, 0.25, 6),
        lambda M, o: M.PolynomialLR(o, 20, 1.5),
    ],
)
def test_deprecated_epoch_argument_uses_closed_form_like_torch(make):
    ours, theirs = _pair()
    sched, tsched = make(C, ours), make(T, theirs)
    for epoch in (5, 2, 11, 11, 30, 0):
        ours.step()
        theirs.step()
        with pytest.warns(UserWarning, match="epoch parameter"):
            sched.step(epoch)
        with pytest.warns(UserWarning, match="epoch parameter"):
            tsched.step(epoch)
        _assert_same(ours, theirs, sched, tsched, f"epoch {epoch}")


def test_onecycle_stepping_past_total_steps_raises_like_torch():
    for M, opt in zip((C, T), _pair()):
        sched = M.OneCycleLR(opt, max_lr=1.0, total_steps=5)
        for _ in range(5):
            opt.step()
            sched.step()
        opt.step()
        with pytest.raises(ValueError, match="Tried to step 6 times"):
            sched.step()


# --- ReduceLROnPlateau ------------------------------------------------------------------


def _metric_sequence(seed: int = 0, n: int = STEPS) -> list[float]:
    """A noisy decreasing loss with flat stretches (plateaus) every 25 steps."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    trend = 1.0 / (1.0 + 0.05 * np.minimum(t, 25 * (t // 25) + 12))
    return [float(v) for v in trend + rng.normal(0.0, 0.01, n)]


PLATEAU_GRID = [
    (mode, threshold_mode, cooldown, patience, sign)
    for mode in ("min", "max")
    for threshold_mode in ("rel", "abs")
    for cooldown in (0, 2)
    for patience in (0, 3)
    for sign in (1.0, -1.0)
]


@pytest.mark.parametrize("mode,threshold_mode,cooldown,patience,sign", PLATEAU_GRID)
@pytest.mark.parametrize("threshold", [1e-4, 0.02])
def test_plateau_matches_torch(mode, threshold_mode, cooldown, patience, sign, threshold):
    metrics = [sign * m for m in _metric_sequence()]
    ours, theirs = _pair()
    kwargs = dict(
        mode=mode,
        factor=0.5,
        patience=patience,
        threshold=threshold,
        threshold_mode=threshold_mode,
        cooldown=cooldown,
        min_lr=[1e-4, 0.0],
    )
    sched = C.ReduceLROnPlateau(ours, **kwargs)
    tsched = T.ReduceLROnPlateau(theirs, **kwargs)
    _assert_same(ours, theirs, sched, tsched, "construction")
    cuts = 0
    for i, metric in enumerate(metrics):
        before = theirs.param_groups[1]["lr"]
        ours.step()
        theirs.step()
        sched.step(metric)
        tsched.step(metric)
        cuts += theirs.param_groups[1]["lr"] != before
        _assert_same(ours, theirs, sched, tsched, f"step {i + 1}, metric {metric}")
        assert (sched.best, sched.num_bad_epochs, sched.cooldown_counter) == (
            tsched.best,
            tsched.num_bad_epochs,
            tsched.cooldown_counter,
        )
    assert cuts > 0
    assert sched.state_dict() == tsched.state_dict()


_BOUNDARY = {
    ("min", "rel"): lambda best: best * 0.5,
    ("min", "abs"): lambda best: best - 0.5,
    ("max", "rel"): lambda best: best * 1.5,
    ("max", "abs"): lambda best: best + 0.5,
}


@pytest.mark.parametrize("mode", ["min", "max"])
@pytest.mark.parametrize("threshold_mode", ["rel", "abs"])
def test_plateau_threshold_boundary_matches_torch(mode, threshold_mode):
    """Metrics exactly on the improvement threshold (dyadic numbers, so no rounding) must
    not count as better: the comparison is strict, as in PyTorch."""
    rng = np.random.default_rng(7)
    boundary = _BOUNDARY[mode, threshold_mode]
    better = -0.125 if mode == "min" else 0.125
    ours, theirs = _pair()
    kwargs = dict(mode=mode, threshold=0.5, threshold_mode=threshold_mode, patience=1)
    sched = C.ReduceLROnPlateau(ours, factor=0.9, **kwargs)
    tsched = T.ReduceLROnPlateau(theirs, factor=0.9, **kwargs)
    metric = 64.0 if mode == "min" else 1.0
    for i in range(60):
        sched.step(metric)
        tsched.step(metric)
        _assert_same(ours, theirs, sched, tsched, f"step {i + 1}, metric {metric}")
        assert sched.best == tsched.best
        edge = boundary(tsched.best)
        metric = [edge, edge, edge + better, tsched.best][rng.integers(4)]


def test_plateau_eps_skips_small_cuts_and_min_lr_scalar():
    for eps in (1e-8, 0.02, 0.05):
        ours, theirs = _pair()
        kwargs = dict(factor=0.5, patience=0, min_lr=0.01, eps=eps)
        sched = C.ReduceLROnPlateau(ours, **kwargs)
        tsched = T.ReduceLROnPlateau(theirs, **kwargs)
        for step in range(12):
            sched.step(1.0)
            tsched.step(1.0)
            _assert_same(ours, theirs, sched, tsched, f"eps {eps}, step {step}")
        final = [g["lr"] for g in ours.param_groups]
        assert final == {1e-8: [0.01, 0.01], 0.02: [0.025, 0.03], 0.05: [0.1, 0.03]}[eps]


def test_plateau_accepts_tensor_metrics_and_round_trips():
    metrics = _metric_sequence(seed=3)
    ours, theirs = _pair()
    sched = C.ReduceLROnPlateau(ours, patience=2, cooldown=1, factor=0.3)
    tsched = T.ReduceLROnPlateau(theirs, patience=2, cooldown=1, factor=0.3)
    for metric in metrics[:50]:
        sched.step(cr.tensor(metric, dtype=cr.float64))
        tsched.step(torch.tensor(metric, dtype=torch.float64))
    fresh, _ = _pair()
    resumed = C.ReduceLROnPlateau(fresh, mode="max", threshold_mode="abs")
    fresh.load_state_dict(ours.state_dict())
    resumed.load_state_dict(sched.state_dict())
    for i, metric in enumerate(metrics[50:]):
        resumed.step(metric)
        tsched.step(metric)
        _assert_same(fresh, theirs, resumed, tsched, f"resumed step {i}")
    assert resumed.mode == "min" and resumed.mode_worse == float("inf")


# --- validation and warnings ------------------------------------------------------------

ERRORS = [
    (lambda M, o: M.StepLR(object(), 3), TypeError, "is not an Optimizer"),
    (lambda M, o: M.ReduceLROnPlateau(object()), TypeError, "is not an Optimizer"),
    (lambda M, o: M.LambdaLR(o, [lambda e: 1.0]), ValueError, "Expected 2 lr_lambdas, but got 1"),
    (lambda M, o: M.LinearLR(o, start_factor=0), ValueError, "Starting multiplicative factor"),
    (lambda M, o: M.LinearLR(o, start_factor=1.5), ValueError, "Starting multiplicative factor"),
    (lambda M, o: M.LinearLR(o, end_factor=-0.1), ValueError, "Ending multiplicative factor"),
    (lambda M, o: M.LinearLR(o, end_factor=1.2), ValueError, "Ending multiplicative factor"),
    (lambda M, o: M.OneCycleLR(o, 1.0, total_steps=0), ValueError, "positive integer total_steps"),
    (lambda M, o: M.OneCycleLR(o, 1.0, total_steps=2.5), ValueError, "positive integer total"),
    (lambda M, o: M.OneCycleLR(o, 1.0, epochs=0, steps_per_epoch=3), ValueError, "epochs"),
    (lambda M, o: M.OneCycleLR(o, 1.0, epochs=2, steps_per_epoch=-1), ValueError, "steps_per"),
    (lambda M, o: M.OneCycleLR(o, 1.0, epochs=2), ValueError, "You must define either"),
    (lambda M, o: M.OneCycleLR(o, 1.0, 10, pct_start=1.5), ValueError, "pct_start"),
    (lambda M, o: M.OneCycleLR(o, 1.0, 10, pct_start=-0.1), ValueError, "pct_start"),
    (lambda M, o: M.OneCycleLR(o, 1.0, 10, pct_start=1), ValueError, "pct_start"),
    (lambda M, o: M.OneCycleLR(o, 1.0, 10, anneal_strategy="exp"), ValueError, "'cos' or"),
    (lambda M, o: M.OneCycleLR(o, [1.0], 10), ValueError, "max_lr must have the same length"),
    (lambda M, o: M.OneCycleLR(o, 1.0, 10, max_momentum=[0.9]), ValueError, "max_momentum"),
    (lambda M, o: M.ReduceLROnPlateau(o, factor=1.0), ValueError, "Factor should be < 1.0."),
    (lambda M, o: M.ReduceLROnPlateau(o, factor=2), ValueError, "Factor should be < 1.0."),
    (lambda M, o: M.ReduceLROnPlateau(o, mode="avg"), ValueError, "mode avg is unknown!"),
    (lambda M, o: M.ReduceLROnPlateau(o, threshold_mode="x"), ValueError, "threshold mode x is"),
    (lambda M, o: M.ReduceLROnPlateau(o, min_lr=[0.1]), ValueError, "expected 2 min_lrs, got 1"),
    (lambda M, o: M.ExponentialLR(o, 0.9, last_epoch=3), KeyError, "initial_lr"),
    (lambda M, o: M.CosineAnnealingLR(o, 10, last_epoch=0), KeyError, "initial_lr"),
    (lambda M, o: M.CosineAnnealingWarmRestarts(o, 0), ValueError, "positive integer T_0, but"),
    (lambda M, o: M.CosineAnnealingWarmRestarts(o, 2.5), ValueError, "positive integer T_0"),
    (lambda M, o: M.CosineAnnealingWarmRestarts(o, 5, 0), ValueError, "integer T_mult >= 1"),
    (lambda M, o: M.CosineAnnealingWarmRestarts(o, 5, 1.5), ValueError, "integer T_mult >= 1"),
    (lambda M, o: M.CosineAnnealingWarmRestarts(o, 5, eta_min="0"), ValueError,
     "float or int eta_min"),
    (lambda M, o: M.CosineAnnealingWarmRestarts(o, 5).step(-1), ValueError,
     "Expected non-negative epoch, but got -1"),
    (lambda M, o: M.CyclicLR(o, 0.1, 1.0, mode="sine"), ValueError, "mode is invalid and scale_fn"),
    (lambda M, o: M.CyclicLR(o, [0.1], 1.0), ValueError, "base_lr"),
    (lambda M, o: M.CyclicLR(o, 0.1, [1.0, 2.0, 3.0]), ValueError, "max_lr"),
    (lambda M, o: M.SequentialLR(o, [], []), ValueError, "expects at least one scheduler"),
    (lambda M, o: M.SequentialLR(o, [M.StepLR(o, 2), M.StepLR(o, 3)], [4, 8]), ValueError,
     "one more than the number of milestone points"),
    (lambda M, o: M.SequentialLR(o, [M.StepLR(o, 2), M.ReduceLROnPlateau(o)], [4]), ValueError,
     "does not support `ReduceLROnPlateau` scheduler"),
    (lambda M, o: M.SequentialLR(o, [M.StepLR(o, 2), object()], [4]), TypeError,
     "should have `optimizer` as its attribute"),
    (lambda M, o: M.ChainedScheduler([]), ValueError, "at least one scheduler to be chained"),
    (lambda M, o: M.ChainedScheduler([M.StepLR(o, 2), M.ReduceLROnPlateau(o)]), ValueError,
     "at index 1 in the given schedulers sequence"),
]


@pytest.mark.parametrize("make,error,message", ERRORS)
def test_validation_errors_like_torch(make, error, message):
    for M, opt in zip((C, T), _pair()):
        with pytest.raises(error, match=message.replace("(", r"\(").replace(".", r"\.")):
            make(M, opt)


def test_onecycle_needs_momentum_or_betas_like_torch():
    for M, opt in zip((C, T), _pair("plain")):
        with pytest.raises(ValueError, match="optimizer must support momentum or beta1"):
            M.OneCycleLR(opt, 1.0, 10)
        M.OneCycleLR(opt, 1.0, 10, cycle_momentum=False)


def test_plateau_rejects_grown_optimizer_with_min_lr_list_like_torch():
    for M, opt in zip((C, T), _pair()):
        sched = M.ReduceLROnPlateau(opt, patience=0, min_lr=[0.0, 0.0])
        param = cr.zeros(1, requires_grad=True) if M is C else torch.zeros(1, requires_grad=True)
        opt.add_param_group({"params": [param], "lr": 0.5})
        sched.step(1.0)
        with pytest.raises(RuntimeError, match="number of param groups"):
            sched.step(2.0)


def test_warnings_like_torch():
    for M, opt in zip((C, T), _pair()):
        sched = M.StepLR(opt, 2)
        with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
            sched.step()
        with pytest.warns(UserWarning, match="get_last_lr"):
            sched.get_lr()
    for M, opt in zip((C, T), _pair()):
        sched = M.CosineAnnealingLR(opt, 5)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            for _ in range(3):
                opt.step()
                sched.step()
            sched.get_last_lr()


def test_cyclic_momentum_needs_momentum_or_betas_like_torch():
    for M, opt in zip((C, T), _pair("plain")):
        with pytest.raises(ValueError, match="optimizer must support momentum or beta1"):
            M.CyclicLR(opt, 0.01, 0.1)
        M.CyclicLR(opt, 0.01, 0.1, cycle_momentum=False)


@pytest.mark.parametrize("make", [
    lambda M, o, other: M.SequentialLR(o, [M.StepLR(o, 2), M.StepLR(other, 3)], [4]),
    lambda M, o, other: M.ChainedScheduler([M.StepLR(o, 2), M.StepLR(other, 3)]),
])
def test_combined_schedulers_refuse_a_second_optimizer_like_torch(make):
    for M, (opt, other) in zip((C, T), zip(_pair(), _pair())):
        with pytest.raises(ValueError, match="expects all schedulers to belong to the same "
                                             "optimizer, but got scheduler StepLR at index 1"):
            make(M, opt, other)


@pytest.mark.parametrize("T_mult", [1, 2, 3])
def test_warm_restarts_with_fractional_epochs_match_torch(T_mult):
    ours, theirs = _pair()
    sched = C.CosineAnnealingWarmRestarts(ours, 4, T_mult, eta_min=0.001)
    tsched = T.CosineAnnealingWarmRestarts(theirs, 4, T_mult, eta_min=0.001)
    batches = 7
    epochs = [e + b / batches for e in range(30) for b in range(batches)] + [100, 3.5, 0, 57.25]
    for epoch in epochs:
        for opt, s in ((ours, sched), (theirs, tsched)):
            opt.step()
            s.step(epoch)
        _assert_same(ours, theirs, sched, tsched, f"epoch {epoch}")
        assert sched.state_dict() == tsched.state_dict()


def test_sequential_switches_without_the_epoch_warning_like_torch():
    for M, opt in zip((C, T), _pair()):
        sched = M.SequentialLR(opt, [M.LinearLR(opt, 0.1, total_iters=3),
                                     M.ExponentialLR(opt, 0.9)], milestones=[3])
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            for _ in range(6):
                opt.step()
                sched.step()
