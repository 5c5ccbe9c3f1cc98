"""Dropout1d, Dropout2d and Dropout3d: whole channels are dropped together with probability
p and the rest scaled by 1 / (1 - p); the gradient is the same mask; eval mode is the
identity; shapes, warnings, errors, reprs and signatures are PyTorch's. (The masks
themselves come from chainrule's generator, so they are compared by their properties.)"""

from __future__ import annotations

import inspect
import warnings

import numpy as np
import pytest
import torch

import chainrule as cr
import chainrule.nn.functional as F

CASES = [("dropout1d", (8, 16, 7), 2), ("dropout1d", (16, 7), 1), ("dropout2d", (8, 16, 5, 4), 2),
         ("dropout3d", (4, 8, 3, 2, 2), 2), ("dropout3d", (16, 3, 2, 2), 1)]


@pytest.mark.parametrize("name, shape, channel_dims", CASES)
def test_whole_channels_are_dropped_and_the_rest_scaled(name, shape, channel_dims):
    p = 0.4
    cr.manual_seed(3)
    x = cr.tensor(np.random.default_rng(4).uniform(1, 2, shape), requires_grad=True)
    out = getattr(F, name)(x, p)
    ratio = out.data / x.data
    per_channel = ratio.reshape(shape[:channel_dims] + (-1,))
    np.testing.assert_allclose(per_channel, np.broadcast_to(per_channel[..., :1],
                                                            per_channel.shape), rtol=1e-15)
    kept = per_channel[..., 0] != 0
    np.testing.assert_allclose(per_channel[kept], 1 / (1 - p), rtol=1e-15)
    dropped = float(np.mean(~kept))
    assert abs(dropped - p) < 0.2
    out.backward(cr.ones(*shape, dtype=cr.float64))
    np.testing.assert_allclose(x.grad.data, ratio)
    np.testing.assert_array_equal(getattr(F, name)(x, p, training=False).data, x.data)


def test_p_zero_and_one_and_bad_p():
    x = cr.ones(2, 3, 4, 4)
    np.testing.assert_array_equal(F.dropout2d(x, 0.0).data, x.data)
    np.testing.assert_array_equal(F.dropout2d(x, 1.0).data, np.zeros((2, 3, 4, 4)))
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1"):
        cr.nn.Dropout2d(1.5)


@pytest.mark.parametrize("make, message", [
    (lambda lib, ones: lib.dropout2d(ones(4, 5, 6), 0.5),
     "Received a 3D input to dropout2d and assuming that channel-wise 1D dropout"),
    (lambda lib, ones: lib.dropout3d(ones(4, 5, 6), 0.5),
     "Received a 3-D input to dropout3d, which is deprecated"),
])
def test_warnings_like_torch(make, message):
    for lib, ones in ((F, cr.ones), (torch.nn.functional, torch.ones)):
        with pytest.warns(UserWarning, match=message):
            make(lib, ones)


def test_dropout1d_rejects_other_ranks_like_torch():
    for lib, ones in ((F, cr.ones), (torch.nn.functional, torch.ones)):
        with pytest.raises(RuntimeError, match="dropout1d: Expected 2D or 3D input, but "
                                               "received a 4D input"):
            lib.dropout1d(ones(2, 3, 4, 5))


def test_modules_reprs_signatures_and_eval_mode():
    for name in ("Dropout1d", "Dropout2d", "Dropout3d"):
        ours, theirs = getattr(cr.nn, name)(0.3), getattr(torch.nn, name)(0.3)
        assert repr(ours) == repr(theirs)
        assert (inspect.signature(getattr(cr.nn, name)).parameters.keys()
                == inspect.signature(getattr(torch.nn, name)).parameters.keys())
        ours.eval()
        x = cr.ones(2, 3, 4) if name == "Dropout1d" else cr.ones(2, 3, 4, 4, 4)[..., 0] if (
            name == "Dropout2d") else cr.ones(2, 3, 2, 2, 2)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            np.testing.assert_array_equal(ours(x).data, x.data)
    for name in ("dropout1d", "dropout2d", "dropout3d"):
        assert list(inspect.signature(getattr(F, name)).parameters) == list(
            inspect.signature(getattr(torch.nn.functional, name)).parameters)
