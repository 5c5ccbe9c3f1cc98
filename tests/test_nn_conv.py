"""Convolutions (conv1d, conv2d, Conv1d, Conv2d), pooling (max and average, 1-D and 2-D) and
BatchNorm2d against PyTorch in float64: values, every gradient, gradcheck, reprs,
signatures, initialisation, errors, and a small CNN trained step for step."""

from __future__ import annotations

import inspect
import itertools
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from _torch_compare import assert_close, compare_with_torch

import chainrule as cr
import chainrule.nn.functional as F
from chainrule.autograd import gradcheck

RNG = np.random.default_rng(51)


def _compare(ours_fn, theirs_fn, arrays):
    compare_with_torch(ours_fn, theirs_fn, arrays, RNG)


CONV2D = [
    ((2, 3, 7, 6), (4, 3, 3, 3), {}),
    ((2, 3, 7, 6), (4, 3, 3, 2), {"stride": 2, "padding": 1}),
    ((2, 4, 9, 8), (6, 2, 3, 3), {"groups": 2, "dilation": 2, "padding": (2, 1),
                                  "stride": (1, 2)}),
    ((2, 4, 9, 8), (4, 1, 3, 3), {"groups": 4, "padding": "same"}),
    ((2, 3, 8, 8), (5, 3, 4, 2), {"padding": "same", "dilation": (1, 2)}),
    ((3, 7, 6), (4, 3, 3, 3), {"padding": "valid"}),
    ((1, 1, 5, 5), (2, 1, 5, 5), {}),
    ((2, 2, 6, 7), (3, 2, 1, 1), {"stride": 3}),
]


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel")
@pytest.mark.parametrize("x_shape, w_shape, kw", CONV2D)
@pytest.mark.parametrize("bias", [True, False])
def test_conv2d_matches_torch(x_shape, w_shape, kw, bias):
    arrays = [RNG.standard_normal(x_shape), RNG.standard_normal(w_shape),
              RNG.standard_normal(w_shape[0]) if bias else None]
    _compare(lambda x, w, b: F.conv2d(x, w, b, **kw), lambda x, w, b: TF.conv2d(x, w, b, **kw),
             arrays)


@pytest.mark.parametrize("x_shape, w_shape, kw", [
    ((2, 3, 11), (5, 3, 4), {"stride": 3, "padding": 2}),
    ((3, 11), (5, 3, 4), {"padding": "same"}),
    ((2, 4, 10), (4, 2, 3), {"groups": 2, "dilation": 3}),
])
def test_conv1d_matches_torch(x_shape, w_shape, kw):
    arrays = [RNG.standard_normal(x_shape), RNG.standard_normal(w_shape),
              RNG.standard_normal(w_shape[0])]
    with np.errstate(all="ignore"):
        _compare(lambda x, w, b: F.conv1d(x, w, b, **kw),
                 lambda x, w, b: TF.conv1d(x, w, b, **kw), arrays)


def test_conv2d_gradcheck_and_float32():
    x, w, b = (cr.tensor(RNG.standard_normal(s), requires_grad=True)
               for s in ((2, 2, 5, 4), (3, 2, 2, 3), (3,)))
    assert gradcheck(lambda x, w, b: F.conv2d(x, w, b, stride=(2, 1), padding=1), (x, w, b))
    x32 = cr.tensor(RNG.standard_normal((1, 2, 5, 5)).astype(np.float32))
    w32 = cr.tensor(RNG.standard_normal((3, 2, 3, 3)).astype(np.float32))
    out = F.conv2d(x32, w32)
    assert out.dtype == cr.float32
    assert_close(out, TF.conv2d(torch.tensor(x32.data), torch.tensor(w32.data)), rtol=1e-5,
           atol=1e-5)


@pytest.mark.parametrize("make, error, message", [
    (lambda: F.conv2d(cr.ones(1, 3, 5, 5), cr.ones(2, 2, 3, 3)), RuntimeError,
     "expected input\\[1, 3, 5, 5\\] to have 2 channels, but got 3 channels instead"),
    (lambda: F.conv2d(cr.ones(3, 5), cr.ones(2, 3, 3, 3)), RuntimeError,
     "Expected 3D \\(unbatched\\) or 4D \\(batched\\) input to conv2d"),
    (lambda: F.conv2d(cr.ones(1, 3, 2, 2), cr.ones(2, 3, 3, 3)), RuntimeError,
     "smaller than the dilated kernel"),
    (lambda: F.conv2d(cr.ones(1, 3, 5, 5), cr.ones(2, 3, 3, 3), stride=2, padding="same"),
     ValueError, "padding='same' is not supported for strided convolutions"),
    (lambda: cr.nn.Conv2d(3, 4, 3, groups=2), ValueError, "in_channels must be divisible"),
    (lambda: cr.nn.Conv2d(4, 3, 3, groups=2), ValueError, "out_channels must be divisible"),
    (lambda: cr.nn.Conv2d(3, 4, 3, padding="full"), ValueError, "Invalid padding string"),
    (lambda: cr.nn.Conv2d(3, 4, 3, padding_mode="mirror"), ValueError,
     "padding_mode must be one of"),
])
def test_convolution_errors(make, error, message):
    with pytest.raises(error, match=message):
        make()


@pytest.mark.parametrize("kind, args, kwargs", [
    ("Conv2d", (3, 16, 3), {}), ("Conv2d", (3, 16, (3, 2)), {"stride": 2, "padding": 1,
                                                             "bias": False}),
    ("Conv2d", (4, 8, 3), {"groups": 2, "dilation": 2, "padding": "same"}),
    ("Conv2d", (3, 6, 5), {"padding": "valid"}), ("Conv1d", (3, 4, 5), {"stride": 2}),
])
def test_conv_modules_match_torch(kind, args, kwargs):
    ours, theirs = getattr(cr.nn, kind)(*args, **kwargs), getattr(torch.nn, kind)(*args, **kwargs)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for name, value in theirs.state_dict().items():
        assert ours.state_dict()[name].shape == tuple(value.shape)
    theirs.double()
    ours.double().load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    shape = (2, args[0]) + (9,) * (2 if kind == "Conv2d" else 1)
    x = RNG.standard_normal(shape)
    assert_close(ours(cr.tensor(x)), theirs(torch.tensor(x)))


def test_conv_signatures_and_initialisation_are_pytorchs():
    for name in ("Conv1d", "Conv2d", "MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d",
                 "BatchNorm2d"):
        ours = inspect.signature(getattr(cr.nn, name)).parameters
        theirs = inspect.signature(getattr(torch.nn, name)).parameters
        assert [(p.name, p.default) for p in ours.values()] == [
            (p.name, p.default) for p in theirs.values()], name
    documented = {  # PyTorch's documented signatures (its functions are builtins)
        "conv1d": ["input", "weight", "bias", "stride", "padding", "dilation", "groups"],
        "conv2d": ["input", "weight", "bias", "stride", "padding", "dilation", "groups"],
        "avg_pool2d": ["input", "kernel_size", "stride", "padding", "ceil_mode",
                       "count_include_pad", "divisor_override"],
        "avg_pool1d": ["input", "kernel_size", "stride", "padding", "ceil_mode",
                       "count_include_pad"],
        "max_pool2d": ["input", "kernel_size", "stride", "padding", "dilation", "ceil_mode",
                       "return_indices"],
    }
    for name, parameters in documented.items():
        assert list(inspect.signature(getattr(F, name)).parameters) == parameters, name
    layer = cr.nn.Conv2d(64, 128, 3)
    bound = 1 / math.sqrt(64 * 9)
    weight = layer.weight.data
    assert weight.min() >= -bound and weight.max() <= bound
    assert abs(weight.std() - bound / math.sqrt(3)) < 0.02 * bound
    assert abs(layer.bias.data).max() <= bound


POOL_SHAPES = [(2, 3, 7, 6), (3, 5, 8)]


def _pool_cases():
    for k, s, p, d, ceil in itertools.product([2, 3, (3, 2)], [None, 2, (2, 1)], [0, 1], [1, 2],
                                              [False, True]):
        kernel = k if isinstance(k, tuple) else (k, k)
        if any(p > (d * (n - 1) + 1) // 2 for n in kernel):
            continue
        yield k, s, p, d, ceil


def _compare_pool(name: str, shape: tuple[int, ...], *args) -> None:
    _compare(lambda x: getattr(F, name)(x, *args), lambda x: getattr(TF, name)(x, *args),
             [RNG.standard_normal(shape)])


@pytest.mark.parametrize("k, s, p, d, ceil", list(_pool_cases()))
def test_max_pool2d_matches_torch_with_and_without_indices(k, s, p, d, ceil):
    for shape, indices in itertools.product(POOL_SHAPES, [True, False]):
        _compare_pool("max_pool2d", shape, k, s, p, d, ceil, indices)


@pytest.mark.parametrize("k, s, p, d, ceil", [case for case in _pool_cases() if case[3] == 1])
def test_avg_pool2d_matches_torch(k, s, p, d, ceil):
    for shape, include, override in itertools.product(POOL_SHAPES, [True, False], [None, 5]):
        _compare_pool("avg_pool2d", shape, k, s, p, ceil, include, override)


@pytest.mark.parametrize("k, s, p, ceil", list(itertools.product([2, 3], [None, 1, 2], [0, 1],
                                                                 [False, True])))
def test_pool1d_match_torch(k, s, p, ceil):
    _compare_pool("max_pool1d", (2, 3, 9), k, s, p, 1, ceil, True)
    _compare_pool("avg_pool1d", (3, 10), k, s, p, ceil, False)


@pytest.mark.parametrize("padding", [0, 1])
@pytest.mark.parametrize("indices", [True, False])
def test_max_pool_ties_nan_and_infinities_go_where_torchs_go(padding, indices):
    x = np.zeros((1, 2, 4, 4))  # ties everywhere: the first maximum takes the gradient
    x[0, 0, 1, 2] = np.nan
    x[0, 0, 0, 3] = np.nan  # two nans in one window: the last one scanned wins
    x[0, 1, :2, :2] = -np.inf  # a window of -inf only: its first cell inside the input
    x[0, 1, 3, 3] = np.inf
    _compare(lambda t: F.max_pool2d(t, 2, padding=padding, return_indices=indices),
             lambda t: TF.max_pool2d(t, 2, padding=padding, return_indices=indices), [x])
    tiles = RNG.integers(0, 3, (2, 3, 6, 6)).astype(np.float64)  # many ties, one tile each
    _compare(lambda t: F.max_pool2d(t, 3), lambda t: TF.max_pool2d(t, 3), [tiles])


@pytest.mark.parametrize("make, message", [
    (lambda lib, t: lib.max_pool2d(t, 2, padding=2), "pad should be at most half of effective "
                                                     "kernel size"),
    (lambda lib, t: lib.avg_pool2d(t, 3, padding=2), "pad should be at most half"),
])
def test_pooling_errors_like_torch(make, message):
    for lib, t in ((F, cr.ones(1, 1, 4, 4)), (TF, torch.ones(1, 1, 4, 4))):
        with pytest.raises(RuntimeError, match=message):
            make(lib, t)


def test_pooling_modules_match_torch():
    x = RNG.standard_normal((2, 3, 8, 7))
    for name, args, kwargs in [("MaxPool2d", (2,), {}), ("MaxPool2d", (3, 2, 1), {"ceil_mode":
                                                                                   True}),
                               ("AvgPool2d", (3,), {"padding": 1}),
                               ("AvgPool2d", (2, 1), {"count_include_pad": False})]:
        ours, theirs = getattr(cr.nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args,
                                                                                     **kwargs)
        assert repr(ours) == repr(theirs)
        assert_close(ours(cr.tensor(x)), theirs(torch.tensor(x)))
    x1 = RNG.standard_normal((2, 3, 9))
    for name, args in [("MaxPool1d", (3, 2, 1)), ("AvgPool1d", (2,))]:
        ours, theirs = getattr(cr.nn, name)(*args), getattr(torch.nn, name)(*args)
        assert repr(ours) == repr(theirs)
        assert_close(ours(cr.tensor(x1)), theirs(torch.tensor(x1)))


@pytest.mark.parametrize("momentum", [0.1, None])
@pytest.mark.parametrize("affine", [True, False])
def test_batchnorm2d_matches_torch_in_train_and_eval(momentum, affine):
    ours = cr.nn.BatchNorm2d(3, momentum=momentum, affine=affine).double()
    theirs = torch.nn.BatchNorm2d(3, momentum=momentum, affine=affine).double()
    assert repr(ours) == repr(theirs)
    for _ in range(3):
        _compare(ours, theirs, [RNG.standard_normal((4, 3, 5, 6)) * 2 + 1])
    for name, value in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[name].data, value.numpy(), rtol=1e-12)
    ours.eval()
    theirs.eval()
    _compare(ours, theirs, [RNG.standard_normal((2, 3, 4, 4))])
    with pytest.raises(ValueError, match="expected 4D input \\(got 3D input\\)"):
        ours(cr.ones(3, 4, 4, dtype=cr.float64))


def _cnn(nn):
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Conv2d(4, 6, 3, groups=2), nn.ReLU(),
                         nn.AvgPool2d(2, ceil_mode=True), nn.Flatten(), nn.Linear(6, 10))


def test_a_small_cnn_trains_like_pytorch_and_compiles():
    theirs = _cnn(torch.nn).double()
    ours = _cnn(cr.nn).double()
    ours.load_state_dict({k: v.numpy().copy() for k, v in theirs.state_dict().items()})
    compiled = cr.compile(_cnn(cr.nn).double())
    compiled._orig_mod.load_state_dict({k: v.numpy().copy()
                                        for k, v in theirs.state_dict().items()})
    opt = cr.optim.SGD(ours.parameters(), lr=0.05, momentum=0.9)
    copt = cr.optim.SGD(compiled.parameters(), lr=0.05, momentum=0.9)
    topt = torch.optim.SGD(theirs.parameters(), lr=0.05, momentum=0.9)
    for _ in range(6):
        x = RNG.standard_normal((8, 1, 8, 8))
        y = RNG.integers(0, 10, 8)
        losses = []
        for model, optimizer in ((ours, opt), (compiled, copt)):
            loss = F.cross_entropy(model(cr.tensor(x)), cr.tensor(y))
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
            losses.append(loss.item())
        tloss = TF.cross_entropy(theirs(torch.tensor(x)), torch.tensor(y))
        tloss.backward()
        topt.step()
        topt.zero_grad()
        assert losses[0] == losses[1] == pytest.approx(tloss.item(), rel=1e-10)
    for name, value in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[name].data, value.numpy(), rtol=1e-9,
                                   atol=1e-12, err_msg=name)
    assert [type(t).__name__ for t in compiled._tapes.values()] == ["Tape"]


@pytest.mark.parametrize("shape, size", [((2, 3, 7, 9), (3, 4)), ((2, 3, 7, 9), 1),
                                         ((3, 5, 5), (None, 2)), ((2, 3, 6, 6), (6, 6)),
                                         ((2, 3, 5, 7), (7, 9))])
def test_adaptive_avg_pool2d_matches_torch(shape, size):
    _compare(lambda x: F.adaptive_avg_pool2d(x, size),
             lambda x: TF.adaptive_avg_pool2d(x, size), [RNG.standard_normal(shape)])
    module, theirs = cr.nn.AdaptiveAvgPool2d(size), torch.nn.AdaptiveAvgPool2d(size)
    assert repr(module) == repr(theirs)


def test_adaptive_avg_pool1d_matches_torch():
    for shape, size in [((2, 3, 10), 4), ((3, 7), 7), ((2, 2, 5), 8)]:
        _compare(lambda x, size=size: F.adaptive_avg_pool1d(x, size),
                 lambda x, size=size: TF.adaptive_avg_pool1d(x, size),
                 [RNG.standard_normal(shape)])
    assert repr(cr.nn.AdaptiveAvgPool1d(4)) == repr(torch.nn.AdaptiveAvgPool1d(4))


def test_pooling_gradcheck():
    x = cr.tensor(RNG.standard_normal((2, 2, 6, 5)), requires_grad=True)
    assert gradcheck(lambda t: F.max_pool2d(t, 3, 2, 1), (x,))
    assert gradcheck(lambda t: F.max_pool2d(t, 2), (x,))
    assert gradcheck(lambda t: F.avg_pool2d(t, 3, 2, 1, True, False), (x,))
    assert gradcheck(lambda t: F.adaptive_avg_pool2d(t, (4, 3)), (x,))


PADS = [((2, 5), (1, 2)), ((2, 3, 5), (3, 4)), ((2, 4, 5), (1, 2, 3, 1)),
        ((2, 3, 4, 5), (0, 2, 3, 1)), ((1, 2, 3, 4, 5), (1, 1, 2, 0, 2, 2)),
        ((3, 4, 6), (2, 2, 3, 3))]


def _fits(mode: str, shape: tuple[int, ...], amounts: tuple[int, ...]) -> bool:
    """Reflect padding must be smaller than its dim (larger is an error, tested below)."""
    sizes = [shape[-1 - k // 2] for k in range(len(amounts))]
    return mode != "reflect" or all(a < n for a, n in zip(amounts, sizes))


@pytest.mark.parametrize("mode, shape, amounts", [
    (mode, shape, amounts) for mode in ("reflect", "replicate", "circular")
    for shape, amounts in PADS if _fits(mode, shape, amounts)])
def test_pad_matches_torch(mode, shape, amounts):
    _compare(lambda x: F.pad(x, amounts, mode), lambda x: TF.pad(x, amounts, mode),
             [RNG.standard_normal(shape)])


@pytest.mark.parametrize("shape, amounts, value", [
    ((2, 5), (1, 2), None), ((2, 3, 5), (-1, 2, 1, -1), 3.5), ((4,), (0, 3), -1.0),
    ((2, 3), (1, 1, 2, 2), None), ((2, 3, 4), (2, 1, 0, 0, 1, 1), 2.0)])
def test_constant_pad_and_crop_match_torch(shape, amounts, value):
    _compare(lambda x: F.pad(x, amounts, value=value),
             lambda x: TF.pad(x, amounts, value=value), [RNG.standard_normal(shape)])


@pytest.mark.parametrize("make, error, message", [
    (lambda lib, t: lib.pad(t, (1,)), RuntimeError, "Padding length must be divisible by 2"),
    (lambda lib, t: lib.pad(t, (1, 1), mode="wrap"), NotImplementedError,
     "Unrecognised padding mode wrap"),
    (lambda lib, t: lib.pad(t, (4, 0), mode="reflect"), RuntimeError,
     "Padding size should be less than the corresponding input dimension"),
    (lambda lib, t: lib.pad(t, (5, 0), mode="circular"), RuntimeError,
     "wrapping around more than once"),
    (lambda lib, t: lib.pad(t[0, 0], (1, 1), mode="reflect"), NotImplementedError,
     "Padding size 2 is not supported for 1D input tensor"),
])
def test_pad_errors_like_torch(make, error, message):
    for lib, t in ((F, cr.ones(1, 3, 4)), (TF, torch.ones(1, 3, 4))):
        with pytest.raises(error, match=message):
            make(lib, t)


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
@pytest.mark.parametrize("padding", [1, (2, 1), "same"])
def test_conv_padding_modes_match_torch(mode, padding):
    kwargs = {"padding": padding, "padding_mode": mode}
    theirs = torch.nn.Conv2d(3, 4, (3, 2), **kwargs).double()
    ours = cr.nn.Conv2d(3, 4, (3, 2), **kwargs).double()
    assert repr(ours) == repr(theirs)
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    _compare(ours, theirs, [RNG.standard_normal((2, 3, 6, 5))])
    conv1d = cr.nn.Conv1d(2, 3, 3, padding=1, padding_mode=mode).double()
    tconv1d = torch.nn.Conv1d(2, 3, 3, padding=1, padding_mode=mode).double()
    conv1d.load_state_dict({k: v.detach().numpy() for k, v in tconv1d.state_dict().items()})
    _compare(conv1d, tconv1d, [RNG.standard_normal((2, 2, 7))])
