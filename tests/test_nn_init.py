"""nn.init: PyTorch's gains and fans, and the statistics each initialiser must produce."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import chainrule as cr
from chainrule.nn import init

NONLINEARITIES = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
                  "conv_transpose2d", "conv_transpose3d", "sigmoid", "tanh", "relu",
                  "leaky_relu", "selu"]


@pytest.mark.parametrize("nonlinearity", NONLINEARITIES)
def test_calculate_gain_equals_pytorch(nonlinearity):
    assert init.calculate_gain(nonlinearity) == pytest.approx(
        torch.nn.init.calculate_gain(nonlinearity), rel=1e-15)


@pytest.mark.parametrize("slope", [0.0, 0.2, 1, 3.5])
def test_leaky_relu_gain_with_param(slope):
    assert init.calculate_gain("leaky_relu", slope) == pytest.approx(
        torch.nn.init.calculate_gain("leaky_relu", slope), rel=1e-15)


def test_calculate_gain_errors():
    with pytest.raises(ValueError, match="Unsupported nonlinearity gelu"):
        init.calculate_gain("gelu")
    with pytest.raises(ValueError, match="not a valid number"):
        init.calculate_gain("leaky_relu", "x")


@pytest.mark.parametrize("shape", [(30, 20), (8, 4, 3), (6, 5, 2, 3)])
def test_fans_equal_pytorch(shape):
    ours = init._calculate_fan_in_and_fan_out(cr.zeros(*shape))
    theirs = torch.nn.init._calculate_fan_in_and_fan_out(torch.zeros(*shape))
    assert ours == theirs


@pytest.mark.parametrize("mode", ["fan_in", "fan_out"])
@pytest.mark.parametrize("nonlinearity", ["relu", "tanh", "leaky_relu"])
def test_kaiming_normal_std_within_3_percent(mode, nonlinearity):
    w = cr.zeros(1000, 1000)
    init.kaiming_normal_(w, mode=mode, nonlinearity=nonlinearity, generator=cr.Generator()
                         .manual_seed(1))
    expected = init.calculate_gain(nonlinearity, 0) / math.sqrt(1000)
    assert abs(w.numpy().std() / expected - 1) < 0.03
    assert w.dtype == cr.float32


def test_kaiming_uniform_bound_and_std():
    w = cr.zeros(300, 500)
    init.kaiming_uniform_(w, a=math.sqrt(5))
    bound = math.sqrt(3) * init.calculate_gain("leaky_relu", math.sqrt(5)) / math.sqrt(500)
    assert np.abs(w.numpy()).max() <= bound
    assert abs(w.numpy().std() / (bound / math.sqrt(3)) - 1) < 0.03


def test_xavier_uniform_and_normal_statistics():
    w = cr.zeros(400, 600)
    init.xavier_uniform_(w, gain=2.0)
    std = 2.0 * math.sqrt(2.0 / 1000)
    assert np.abs(w.numpy()).max() <= math.sqrt(3) * std
    assert abs(w.numpy().std() / std - 1) < 0.03
    init.xavier_normal_(w)
    assert abs(w.numpy().std() / math.sqrt(2.0 / 1000) - 1) < 0.03


@pytest.mark.parametrize("shape", [(50, 50), (30, 80), (80, 30), (10, 4, 5)])
def test_orthogonal_gives_orthonormal_rows_or_columns(shape):
    w = cr.zeros(*shape)
    init.orthogonal_(w, gain=1.5)
    matrix = w.numpy().reshape(shape[0], -1).astype(np.float64) / 1.5
    rows, cols = matrix.shape
    product = matrix @ matrix.T if rows <= cols else matrix.T @ matrix
    np.testing.assert_allclose(product, np.eye(min(rows, cols)), atol=1e-5)


def test_simple_fills_and_generator_reproducibility():
    w = cr.zeros(3, 4)
    assert np.all(init.constant_(w, 0.5).numpy() == 0.5)
    assert np.all(init.ones_(w).numpy() == 1)
    assert np.all(init.zeros_(w).numpy() == 0)
    np.testing.assert_array_equal(init.eye_(w).numpy(), np.eye(3, 4))
    a = init.normal_(cr.zeros(5), generator=cr.Generator().manual_seed(7)).numpy()
    b = init.normal_(cr.zeros(5), generator=cr.Generator().manual_seed(7)).numpy()
    np.testing.assert_array_equal(a, b)
    u = init.uniform_(cr.zeros(10000), -2, 3).numpy()
    assert u.min() >= -2 and u.max() < 3 and abs(u.mean() - 0.5) < 0.05
    t = init.trunc_normal_(cr.zeros(10000), std=2.0, a=-1.0, b=1.0).numpy()
    assert t.min() >= -1 and t.max() <= 1


def test_init_errors():
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init.xavier_uniform_(cr.zeros(5))
    with pytest.raises(ValueError, match="Mode fan_avg not supported"):
        init.kaiming_normal_(cr.zeros(3, 3), mode="fan_avg")
    with pytest.raises(ValueError, match="Only tensors with 2 dimensions"):
        init.eye_(cr.zeros(2, 2, 2))
    with pytest.raises(ValueError, match="2 or more dimensions"):
        init.orthogonal_(cr.zeros(4))
