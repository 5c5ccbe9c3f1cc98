"""Special values against PyTorch: every elementwise op, reduction and loss fed nan, +-inf,
+-0 and ordinary values (binary ops: every pair, the special value on either side), forward
and backward with a non-uniform upstream gradient, in float64. Which branch of a piecewise
derivative a nan takes, and where a derivative is 0 rather than nan, are PyTorch's
conventions too. The sign of a zero is not compared."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import chainrule as cr
import chainrule.nn.functional as crF

RTOL, ATOL = 1e-10, 1e-13  # atol: rounding where a gradient cancels to ~0
SPECIAL = np.array([np.nan, np.inf, -np.inf, -0.0, 0.0, -2.0, -0.5, 0.5, 1.0, 3.0])
# Every (a, b) pair of special values, as two flat arrays.
LEFT, RIGHT = (side.ravel() for side in np.meshgrid(SPECIAL, SPECIAL, indexing="ij"))
# Columns of a few rows each, every one with its own mix of special values; reductions and
# softmax over dim 0 see each column as one slice.
COLUMNS = np.array([
    [np.nan, 1.0, 2.0], [np.inf, 1.0, 2.0], [-np.inf, 1.0, 2.0], [np.inf, -np.inf, 1.0],
    [np.inf, np.inf, 1.0], [-np.inf, -np.inf, -np.inf], [np.inf, np.inf, np.inf],
    [-0.0, 0.0, 0.0], [2.0, 2.0, 2.0], [-1.0, 0.5, 3.0], [np.nan, np.inf, -np.inf],
]).T
UNIT = np.array([0.0, -0.0, 1.0, 0.5, 1e-300, 1 - 2**-53, 0.25])  # probabilities


def run_both(op, *arrays, grads=None):
    """op(lib, f, *tensors) with (lib, f) = (chainrule, its functional) and (torch, its
    functional); the values and the gradients of the inputs flagged in ``grads`` (default all;
    non-float arrays never) must agree."""
    grads = grads or [True] * len(arrays)
    ours_in = [cr.Tensor(a, requires_grad=g) if a.dtype.kind == "f" else cr.Tensor(a)
               for a, g in zip(arrays, grads)]
    theirs_in = [torch.tensor(a, requires_grad=g) if a.dtype.kind == "f" else torch.tensor(a)
                 for a, g in zip(arrays, grads)]
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        ours, theirs = op(cr, crF, *ours_in), op(torch, F, *theirs_in)
        upstream = np.linspace(1.0, 2.0, theirs.numel()).reshape(theirs.shape)
        ours.backward(upstream)
        theirs.backward(torch.tensor(upstream))
    close(ours.data, theirs, "value")
    for i, (a, t) in enumerate(zip(ours_in, theirs_in)):
        if t.requires_grad:
            expected = torch.zeros_like(t) if t.grad is None else t.grad
            got = np.zeros(a.shape) if a.grad is None else a.grad.data
            close(got, expected, f"gradient of input {i}")


def close(got, expected, what):
    """``got`` (an array) agrees with a torch tensor, nan and inf included."""
    expected = expected.detach().numpy()
    got = np.asarray(got)
    assert got.shape == expected.shape, what
    np.testing.assert_allclose(got, expected, rtol=RTOL, atol=ATOL, equal_nan=True,
                               err_msg=what)


# --- one input ------------------------------------------------------------------------------

UNARY = {
    "exp": lambda lib, f, x: x.exp(),
    "log": lambda lib, f, x: x.log(),
    "sqrt": lambda lib, f, x: x.sqrt(),
    "tanh": lambda lib, f, x: x.tanh(),
    "sigmoid": lambda lib, f, x: x.sigmoid(),
    "abs": lambda lib, f, x: x.abs(),
    "relu": lambda lib, f, x: x.relu(),
    "neg": lambda lib, f, x: -x,
    "reciprocal": lambda lib, f, x: 1.0 / x,
    "scaled": lambda lib, f, x: x * 3.0 - 1.0,
    "clamp": lambda lib, f, x: x.clamp(-1.0, 2.0),
    "clamp-min": lambda lib, f, x: x.clamp(min=0.5),
    "clamp-max": lambda lib, f, x: lib.clamp(x, max=-0.5),
    "clip-inf": lambda lib, f, x: x.clip(-np.inf, np.inf),
    "clamp-crossed": lambda lib, f, x: x.clamp(2.0, -1.0),
    "clamp-nan": lambda lib, f, x: x.clamp(min=np.nan),
    "x**tensor(0)": lambda lib, f, x: x ** lib.tensor(0.0),
    "x**tensor(-0.5)": lambda lib, f, x: x ** lib.tensor(-0.5),
}
for method in ["sin", "cos", "sinh", "cosh", "square", "log1p", "expm1", "reciprocal", "rsqrt",
               "sign"]:
    UNARY[f"x.{method}()"] = lambda lib, f, x, method=method: getattr(x, method)()
for e in [2.0, 3.0, 0.5, -1.0, -2.0, 0.0, 1.0, 2.5, -0.5, np.inf, -np.inf, np.nan]:
    UNARY[f"x**{e}"] = lambda lib, f, x, e=e: x ** e
    UNARY[f"pow(x,{e})"] = lambda lib, f, x, e=e: lib.pow(x, e)
for base in [2.0, 0.5, 1.0, 0.0, -2.0, np.e, np.inf, np.nan]:
    UNARY[f"{base}**x"] = lambda lib, f, x, base=base: base ** x


@pytest.mark.parametrize("name", UNARY)
def test_one_input(name):
    run_both(UNARY[name], SPECIAL)


# --- two inputs: every pair of special values ----------------------------------------------

BINARY = {
    "add": lambda lib, f, a, b: a + b,
    "sub": lambda lib, f, a, b: a - b,
    "mul": lambda lib, f, a, b: a * b,
    "div": lambda lib, f, a, b: a / b,
    "pow": lambda lib, f, a, b: a ** b,
    "maximum": lambda lib, f, a, b: lib.maximum(a, b),
    "minimum": lambda lib, f, a, b: a.minimum(b),
    "clamp-min-tensor": lambda lib, f, a, b: a.clamp(min=b),
    "clamp-max-tensor": lambda lib, f, a, b: lib.clamp(a, max=b),
    "where": lambda lib, f, a, b: lib.where(lib.tensor(LEFT > RIGHT), a, b),
}


@pytest.mark.parametrize("name", BINARY)
def test_two_inputs(name):
    run_both(BINARY[name], LEFT, RIGHT)


def test_clamp_with_both_tensor_bounds():
    x = np.tile(SPECIAL, len(SPECIAL))
    run_both(lambda lib, f, x, lo, hi: lib.clamp(x, lo, hi), x, LEFT, RIGHT)


# --- reductions and softmax -----------------------------------------------------------------

REDUCTIONS = {
    "sum": lambda lib, f, x, dim: x.sum(dim),
    "mean": lambda lib, f, x, dim: x.mean(dim),
    "var": lambda lib, f, x, dim: x.var(dim),
    "var-biased": lambda lib, f, x, dim: x.var(dim, correction=0),
    "std": lambda lib, f, x, dim: x.std(dim),
    "std-biased": lambda lib, f, x, dim: lib.std(x, dim, correction=0),
    "logsumexp": lambda lib, f, x, dim: x.logsumexp(0 if dim is None else dim),
    "softmax": lambda lib, f, x, dim: f.softmax(x, 0 if dim is None else dim),
    "log_softmax": lambda lib, f, x, dim: x.log_softmax(0 if dim is None else dim),
}


@pytest.mark.parametrize("name", REDUCTIONS)
def test_reduction_over_dim_0(name):
    run_both(lambda lib, f, x: REDUCTIONS[name](lib, f, x, 0), COLUMNS)


@pytest.mark.parametrize("name", REDUCTIONS)
@pytest.mark.parametrize("column", range(COLUMNS.shape[1]))
def test_reduction_over_everything(name, column):
    run_both(lambda lib, f, x: REDUCTIONS[name](lib, f, x, None), COLUMNS[:, column])


@pytest.mark.parametrize("name", ["sum", "mean", "var", "std", "logsumexp", "softmax"])
def test_reduction_along_rows(name):
    run_both(lambda lib, f, x: REDUCTIONS[name](lib, f, x, 1), COLUMNS.T.copy())


# --- losses ---------------------------------------------------------------------------------

LOSSES = {
    "mse_loss": {}, "l1_loss": {}, "huber_loss": {"delta": 0.7},
    "smooth_l1_loss": {"beta": 0.6}, "binary_cross_entropy_with_logits": {},
}


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("name", LOSSES)
def test_losses_of_two_inputs(name, reduction):
    def op(lib, f, x, t):
        return getattr(f, name)(x, t, reduction=reduction, **LOSSES[name])

    run_both(op, LEFT, RIGHT)


def test_smooth_l1_with_beta_0_is_l1():
    run_both(lambda lib, f, x, t: f.smooth_l1_loss(x, t, reduction="none", beta=0.0),
             LEFT, RIGHT)


def test_binary_cross_entropy_with_logits_and_pos_weight():
    weight = np.linspace(0.5, 1.5, len(LEFT))
    run_both(lambda lib, f, x, t, p: f.binary_cross_entropy_with_logits(
        x, t, pos_weight=p, reduction="none"), LEFT, RIGHT, weight, grads=[True, True, False])


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_binary_cross_entropy_at_0_and_1(reduction):
    x, t = (side.ravel() for side in np.meshgrid(UNIT, UNIT, indexing="ij"))
    run_both(lambda lib, f, x, t: f.binary_cross_entropy(x, t, reduction=reduction), x, t)


# Rows of logits, one slice each, with their targets.
LOGITS = COLUMNS.T.copy()
TARGETS = np.arange(len(LOGITS)) % LOGITS.shape[1]
WEIGHT = np.array([0.5, 2.0, 1.0])
CLASS_LOSSES = {
    "cross_entropy-mean": lambda lib, f, x, t: f.cross_entropy(x, t),
    "cross_entropy-sum": lambda lib, f, x, t: f.cross_entropy(x, t, reduction="sum"),
    "cross_entropy-none": lambda lib, f, x, t: f.cross_entropy(x, t, reduction="none"),
    "cross_entropy-smoothing": lambda lib, f, x, t: f.cross_entropy(
        x, t, reduction="none", label_smoothing=0.2),
    "cross_entropy-ignore": lambda lib, f, x, t: f.cross_entropy(x, t, ignore_index=1),
    "cross_entropy-weight": lambda lib, f, x, t: f.cross_entropy(x, t, weight=lib.tensor(WEIGHT)),
    "nll_loss-mean": lambda lib, f, x, t: f.nll_loss(x, t),
    "nll_loss-weight": lambda lib, f, x, t: f.nll_loss(x, t, weight=lib.tensor(WEIGHT)),
    "nll_loss-none": lambda lib, f, x, t: f.nll_loss(x, t, reduction="none"),
    "nll_loss-ignore": lambda lib, f, x, t: f.nll_loss(x, t, ignore_index=1, reduction="sum"),
}


@pytest.mark.parametrize("name", CLASS_LOSSES)
def test_class_losses(name):
    run_both(CLASS_LOSSES[name], LOGITS, TARGETS)


@pytest.mark.parametrize("reduction", ["none", "mean"])
def test_cross_entropy_with_probabilities(reduction):
    probabilities = np.abs(np.sin(np.arange(LOGITS.size))).reshape(LOGITS.shape)
    run_both(lambda lib, f, x, q: f.cross_entropy(x, q, reduction=reduction),
             LOGITS, probabilities)
