"""GroupNorm and RMSNorm (modules and functions) against PyTorch in float64: values, every
gradient, gradcheck, reprs, signatures and errors."""

from __future__ import annotations

import inspect

import numpy as np
import pytest
import torch
from _torch_compare import compare_with_torch

import chainrule as cr
import chainrule.nn.functional as F
from chainrule.autograd import gradcheck

RNG = np.random.default_rng(91)


def _copied(ours, theirs):
    theirs.double()
    ours.double()
    for p, q in zip(ours.parameters(), theirs.parameters(), strict=True):
        value = RNG.standard_normal(tuple(q.shape))
        p.data[...] = value
        with torch.no_grad():
            q.copy_(torch.tensor(value))
    return ours, theirs


@pytest.mark.parametrize("groups, shape", [(2, (3, 6, 5)), (3, (2, 6)), (1, (2, 4, 3, 3)),
                                           (6, (2, 6, 2))])
@pytest.mark.parametrize("affine", [True, False])
def test_group_norm_matches_torch(groups, shape, affine):
    ours, theirs = _copied(cr.nn.GroupNorm(groups, shape[1], affine=affine),
                           torch.nn.GroupNorm(groups, shape[1], affine=affine))
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    compare_with_torch(ours, theirs, [RNG.standard_normal(shape)], RNG)
    if affine:
        x = RNG.standard_normal(shape)
        ours(cr.tensor(x)).sum().backward()
        theirs(torch.tensor(x)).sum().backward()
        np.testing.assert_allclose(ours.weight.grad.data, theirs.weight.grad.numpy(),
                                   rtol=1e-9)
    assert gradcheck(lambda t: F.group_norm(t, groups, eps=1e-3),
                     (cr.tensor(RNG.standard_normal(shape), requires_grad=True),))


@pytest.mark.parametrize("normalized_shape, shape, eps", [(4, (3, 4), None),
                                                          ((2, 3), (2, 2, 3), 1e-6),
                                                          (5, (5,), 0.1)])
@pytest.mark.parametrize("affine", [True, False])
def test_rms_norm_matches_torch(normalized_shape, shape, eps, affine):
    ours, theirs = cr.nn.RMSNorm(normalized_shape, eps, affine), torch.nn.RMSNorm(
        normalized_shape, eps, affine)
    if affine:
        ours, theirs = _copied(ours, theirs)
    else:
        ours.double()
        theirs.double()
    assert repr(ours) == repr(theirs)
    compare_with_torch(ours, theirs, [RNG.standard_normal(shape)], RNG)
    assert gradcheck(lambda t: F.rms_norm(t, normalized_shape, eps=eps),
                     (cr.tensor(RNG.standard_normal(shape), requires_grad=True),))


def test_rms_norm_default_eps_is_the_dtypes_epsilon_like_torch():
    x = RNG.standard_normal((2, 3)).astype(np.float32) * 1e-4
    np.testing.assert_allclose(F.rms_norm(cr.tensor(x), (3,)).data,
                               torch.nn.functional.rms_norm(torch.tensor(x), (3,)).numpy(),
                               rtol=1e-5)


@pytest.mark.parametrize("make, error, message", [
    (lambda nn, t: nn.GroupNorm(4, 6), ValueError,
     "num_channels \\(6\\) must be divisible by num_groups \\(4\\)"),
    (lambda nn, t: nn.functional.group_norm(t, 4), RuntimeError,
     "Expected number of channels in input to be divisible by num_groups"),
    (lambda nn, t: nn.functional.rms_norm(t, (4,)), RuntimeError,
     "Given normalized_shape=\\[4\\], expected input with shape \\[\\*4\\]"),
])
def test_errors_like_torch(make, error, message):
    for nn, t in ((cr.nn, cr.ones(2, 6, 3)), (torch.nn, torch.ones(2, 6, 3))):
        with pytest.raises(error, match=message):
            make(nn, t)


def test_signatures_are_pytorchs():
    def shape(fn):
        fn = fn.__init__ if inspect.isclass(fn) else fn
        return [(p.name, p.kind, p.default) for p in inspect.signature(fn).parameters.values()
                if p.name != "self"]

    for name in ("GroupNorm", "RMSNorm"):
        assert shape(getattr(cr.nn, name)) == shape(getattr(torch.nn, name))
    for name in ("group_norm", "rms_norm"):
        assert [p[0] for p in shape(getattr(F, name))] == [
            p[0] for p in shape(getattr(torch.nn.functional, name))]
