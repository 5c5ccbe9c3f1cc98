"""normalize, cosine_similarity, pairwise_distance and kl_div (functions and modules) against
PyTorch in float64: values, every gradient, gradcheck, reductions, warnings and errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from _torch_compare import assert_close, compare_with_torch

import chainrule as cr
import chainrule.nn.functional as F
from chainrule.autograd import gradcheck

RNG = np.random.default_rng(21)


def _both(arrays):
    return ([cr.tensor(a, requires_grad=True) for a in arrays],
            [torch.tensor(a, requires_grad=True) for a in arrays])


def _check(ours_fn, theirs_fn, arrays):
    compare_with_torch(ours_fn, theirs_fn, arrays, RNG)


@pytest.mark.parametrize("shape, p, dim", [((4, 5), 2.0, 1), ((4, 5), 1.0, 0), ((3, 4, 2), 3.0, -1),
                                           ((6,), 2.0, 0), ((2, 3), float("inf"), 1)])
def test_normalize_matches_torch(shape, p, dim):
    x = RNG.standard_normal(shape)
    _check(lambda t: F.normalize(t, p, dim), lambda t: TF.normalize(t, p, dim), [x])
    assert gradcheck(lambda t: F.normalize(t, p, dim), (cr.tensor(x, requires_grad=True),))


def test_normalize_leaves_a_zero_vector_zero_like_torch():
    x = np.zeros((2, 3))
    x[1] = [3.0, 4.0, 0.0]
    _check(F.normalize, TF.normalize, [x])


@pytest.mark.parametrize("shape1, shape2, dim", [((5, 4), (5, 4), 1), ((5, 4), (1, 4), 1),
                                                 ((3, 4, 2), (3, 4, 2), -1), ((6, 3), (6, 3), 0),
                                                 ((4,), (4,), 0)])
def test_cosine_similarity_matches_torch(shape1, shape2, dim):
    x1, x2 = RNG.standard_normal(shape1), RNG.standard_normal(shape2)
    _check(lambda a, b: F.cosine_similarity(a, b, dim),
           lambda a, b: TF.cosine_similarity(a, b, dim), [x1, x2])
    assert gradcheck(lambda a, b: F.cosine_similarity(a, b, dim),
                     (cr.tensor(x1, requires_grad=True), cr.tensor(x2, requires_grad=True)))
    module, theirs = cr.nn.CosineSimilarity(dim), torch.nn.CosineSimilarity(dim)
    assert repr(module) == repr(theirs)
    assert_close(module(cr.tensor(x1), cr.tensor(x2)), theirs(torch.tensor(x1), torch.tensor(x2)))


def test_cosine_similarity_of_a_tiny_vector_uses_eps_like_torch():
    x1 = np.array([[1e-10, 0.0, 0.0], [1.0, 2.0, 3.0]])
    x2 = np.array([[1.0, 1.0, 0.0], [0.0, 0.0, 0.0]])
    (a, b), (ta, tb) = _both([x1, x2])
    ours, theirs = F.cosine_similarity(a, b), TF.cosine_similarity(ta, tb)
    assert_close(ours, theirs)
    ours.sum().backward()
    theirs.sum().backward()
    assert_close(b.grad, tb.grad)
    # Below eps the norm is held at eps, so x1's gradient is x2_hat / eps exactly; PyTorch's
    # differs there by the relative size of the tiny norm (1e-10 / 1e-8: 1%).
    np.testing.assert_allclose(a.grad.data[0], x2[0] / np.sqrt(2) / 1e-8, rtol=1e-12)
    np.testing.assert_allclose(a.grad.data[0], ta.grad.numpy()[0], rtol=0.011)
    assert_close(a.grad[1], ta.grad[1])


@pytest.mark.parametrize("shape1, shape2, p, keepdim", [
    ((5, 4), (5, 4), 2.0, False), ((5, 4), (4,), 1.0, True), ((3, 2, 4), (3, 2, 4), 3.0, False),
    ((4,), (4,), 2.0, False), ((), (), 2.0, True), ((5, 4), (5, 4), float("inf"), False),
])
def test_pairwise_distance_matches_torch(shape1, shape2, p, keepdim):
    x1, x2 = RNG.standard_normal(shape1), RNG.standard_normal(shape2)
    _check(lambda a, b: F.pairwise_distance(a, b, p, keepdim=keepdim),
           lambda a, b: TF.pairwise_distance(a, b, p, keepdim=keepdim), [x1, x2])
    module = cr.nn.PairwiseDistance(p, keepdim=keepdim)
    theirs = torch.nn.PairwiseDistance(p, keepdim=keepdim)
    assert repr(module) == repr(theirs)
    assert_close(module(cr.tensor(x1), cr.tensor(x2)), theirs(torch.tensor(x1), torch.tensor(x2)))


def test_pairwise_distance_of_equal_vectors_has_a_finite_gradient_like_torch():
    x = RNG.standard_normal((3, 4))
    _check(F.pairwise_distance, TF.pairwise_distance, [x, x.copy()])


@pytest.mark.parametrize("reduction", ["none", "sum", "batchmean", "mean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div_matches_torch(reduction, log_target):
    x = np.log(RNG.dirichlet(np.ones(5), size=4))
    t = RNG.dirichlet(np.ones(5), size=4)
    t[0, 0] = 0.0  # xlogy: no contribution (and a nan target gradient, as in PyTorch)
    if log_target:
        t = np.log(t + 0.01)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the 'mean' warning, checked below
        _check(lambda a, b: F.kl_div(a, b, reduction=reduction, log_target=log_target),
               lambda a, b: TF.kl_div(a, b, reduction=reduction, log_target=log_target), [x, t])
        module = cr.nn.KLDivLoss(reduction=reduction, log_target=log_target)
        theirs = torch.nn.KLDivLoss(reduction=reduction, log_target=log_target)
        assert repr(module) == repr(theirs)
        assert_close(module(cr.tensor(x), cr.tensor(t)), theirs(torch.tensor(x), torch.tensor(t)))


def test_kl_div_gradcheck_and_broadcast_target():
    x = np.log(RNG.dirichlet(np.ones(3), size=4))
    t = RNG.dirichlet(np.ones(3), size=1) + 0.1
    assert gradcheck(lambda a, b: F.kl_div(a, b, reduction="batchmean"),
                     (cr.tensor(x, requires_grad=True), cr.tensor(t, requires_grad=True)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # PyTorch does not warn about the broadcast here
        _check(lambda a, b: F.kl_div(a, b, reduction="sum"),
               lambda a, b: TF.kl_div(a, b, reduction="sum"), [x, t])
    with pytest.raises(RuntimeError, match=r"input of shape \(4, 3\) and target of shape "
                                           r"\(2, 3\) cannot be broadcast"):
        F.kl_div(cr.tensor(x), cr.tensor(np.ones((2, 3))), reduction="sum")


def test_kl_div_warns_and_refuses_like_torch():
    for lib, make in ((F, cr.zeros), (TF, torch.zeros)):
        with pytest.warns(UserWarning, match="reduction: 'mean' divides the total loss"):
            lib.kl_div(make(2, 3), make(2, 3))
        with pytest.raises(ValueError, match="bad is not a valid value for reduction"):
            lib.kl_div(make(2, 3), make(2, 3), reduction="bad")
        with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
            lib.kl_div(make(2, 3), make(2, 3), size_average=False)


def test_signatures_are_pytorchs():
    import inspect

    def shape(fn):
        fn = fn.__init__ if inspect.isclass(fn) else fn
        return [(p.name, p.kind, p.default) for p in inspect.signature(fn).parameters.values()
                if p.name != "self"]

    assert shape(F.normalize) == shape(TF.normalize)
    assert shape(F.kl_div) == shape(TF.kl_div)
    for name in ("CosineSimilarity", "PairwiseDistance", "KLDivLoss"):
        assert shape(getattr(cr.nn, name)) == shape(getattr(torch.nn, name)), name
