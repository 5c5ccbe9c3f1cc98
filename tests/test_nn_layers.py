"""Linear, Embedding, Dropout, Flatten, BatchNorm1d, LayerNorm against PyTorch in float64."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import chainrule as cr
from chainrule import nn
from chainrule.autograd import gradcheck

RNG = np.random.default_rng(1234)


def _copy_weights(ours: nn.Module, theirs: torch.nn.Module) -> None:
    theirs.double()
    ours.double()
    ours.load_state_dict({k: v.detach().numpy().copy() for k, v in theirs.state_dict().items()})


def _compare(ours, theirs, x: np.ndarray, integer_input: bool = False):
    """Forward, backward of a random linear functional; compare outputs and every grad."""
    if integer_input:
        x_ours, x_theirs = cr.tensor(x), torch.tensor(x)
    else:
        x_ours = cr.tensor(x, requires_grad=True)
        x_theirs = torch.tensor(x, requires_grad=True)
    out_ours, out_theirs = ours(x_ours), theirs(x_theirs)
    np.testing.assert_allclose(out_ours.detach().numpy(), out_theirs.detach().numpy(),
                               rtol=1e-10, atol=1e-12)
    seed = RNG.normal(size=out_theirs.shape)
    out_ours.backward(seed)
    out_theirs.backward(torch.tensor(seed))
    if not integer_input:
        np.testing.assert_allclose(x_ours.grad.numpy(), x_theirs.grad.numpy(),
                                   rtol=1e-10, atol=1e-12)
    for (name, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-10, atol=1e-12,
                                   err_msg=name)


@settings(max_examples=25, deadline=None)
@given(batch=st.integers(1, 6), fan_in=st.integers(1, 7), fan_out=st.integers(1, 5),
       bias=st.booleans(), extra_dims=st.integers(0, 2))
def test_linear_matches_pytorch(batch, fan_in, fan_out, bias, extra_dims):
    theirs = torch.nn.Linear(fan_in, fan_out, bias=bias)
    ours = nn.Linear(fan_in, fan_out, bias=bias)
    _copy_weights(ours, theirs)
    shape = (batch,) + (2,) * extra_dims + (fan_in,)
    _compare(ours, theirs, RNG.normal(size=shape))


@pytest.mark.parametrize("frozen", [("weight",), ("bias",), ("weight", "bias")])
@pytest.mark.parametrize("input_needs_grad", [False, True])
def test_linear_with_frozen_parameters_gives_the_others_pytorchs_gradients(frozen,
                                                                           input_needs_grad):
    theirs, ours = torch.nn.Linear(4, 3), nn.Linear(4, 3)
    _copy_weights(ours, theirs)
    for name in frozen:
        getattr(ours, name).requires_grad_(False)
        getattr(theirs, name).requires_grad_(False)
    x = RNG.normal(size=(5, 4))
    x_ours = cr.tensor(x, requires_grad=input_needs_grad)
    x_theirs = torch.tensor(x, requires_grad=input_needs_grad)
    if not input_needs_grad and len(frozen) == 2:
        assert not ours(x_ours).requires_grad
        return
    seed = RNG.normal(size=(5, 3))
    ours(x_ours).backward(cr.tensor(seed))
    theirs(x_theirs).backward(torch.tensor(seed))
    for name in ("weight", "bias"):
        mine, reference = getattr(ours, name).grad, getattr(theirs, name).grad
        assert (mine is None) == (reference is None), name
        if reference is not None:
            np.testing.assert_allclose(mine.data, reference.numpy(), rtol=1e-12, err_msg=name)
    if input_needs_grad:
        np.testing.assert_allclose(x_ours.grad.data, x_theirs.grad.numpy(), rtol=1e-12)


def test_linear_default_init_statistics_follow_pytorch_bound():
    layer = nn.Linear(400, 300)
    bound = 1 / np.sqrt(400)
    assert np.abs(layer.weight.data).max() <= bound
    # U(-b, b) has std b / sqrt(3)
    assert abs(layer.weight.data.std() - bound / np.sqrt(3)) < 0.02 * bound
    assert np.abs(layer.bias.data).max() <= bound
    assert layer.weight.dtype == cr.float32 and layer.weight.shape == (300, 400)


def test_linear_shape_error_names_shapes():
    with pytest.raises(RuntimeError, match=r"\(4, 3\).*expected 5.*\(2, 5\)"):
        nn.Linear(5, 2)(cr.ones(4, 3))


def test_embedding_matches_pytorch_and_accumulates_repeated_ids():
    theirs = torch.nn.Embedding(27, 10)
    ours = nn.Embedding(27, 10)
    _copy_weights(ours, theirs)
    ids = RNG.integers(0, 27, size=(32, 3))
    ids[0] = [5, 5, 5]
    _compare(ours, theirs, ids, integer_input=True)


def test_embedding_rejects_out_of_range_and_negative_ids():
    table = nn.Embedding(27, 4)
    with pytest.raises(IndexError, match=r"index 30 .*0 <= index < 27"):
        table(cr.tensor([[1, 30]]))
    with pytest.raises(IndexError, match="index -1"):
        table(cr.tensor([-1]))
    with pytest.raises(TypeError, match="integer ids"):
        table(cr.tensor([1.0]))


def test_embedding_init_is_standard_normal():
    weights = nn.Embedding(1000, 100).weight.data
    assert abs(weights.mean()) < 0.01 and abs(weights.std() - 1) < 0.01


def test_dropout_scales_kept_units_and_is_identity_in_eval():
    cr.manual_seed(0)
    layer = nn.Dropout(0.25)
    x = cr.ones(200, 500, requires_grad=True)
    out = layer(x)
    values = out.detach().numpy()
    kept = values != 0
    np.testing.assert_allclose(values[kept], 1 / 0.75)
    assert abs(kept.mean() - 0.75) < 0.01
    out.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), values)  # d/dx = mask / (1 - p)
    layer.eval()
    assert layer(x) is x
    with pytest.raises(ValueError, match="between 0 and 1"):
        nn.Dropout(1.5)


def test_flatten_matches_pytorch():
    x = RNG.normal(size=(2, 3, 4, 5))
    for start, end in ((1, -1), (0, -1), (1, 2), (2, 3)):
        ours = nn.Flatten(start, end)(cr.tensor(x))
        theirs = torch.nn.Flatten(start, end)(torch.tensor(x))
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.parametrize("shape", [(8, 5), (6, 4, 3)])
@pytest.mark.parametrize("affine", [True, False])
@pytest.mark.parametrize("momentum", [0.1, None])
def test_batchnorm1d_train_then_eval_matches_pytorch(shape, affine, momentum):
    theirs = torch.nn.BatchNorm1d(shape[1], affine=affine, momentum=momentum)
    ours = nn.BatchNorm1d(shape[1], affine=affine, momentum=momentum)
    _copy_weights(ours, theirs)
    if affine:
        with torch.no_grad():
            theirs.weight.uniform_(0.5, 1.5)
            theirs.bias.uniform_(-0.5, 0.5)
        _copy_weights(ours, theirs)
    for _ in range(3):
        _compare(ours, theirs, RNG.normal(size=shape) * 3 + 1)
        for name in ("running_mean", "running_var", "num_batches_tracked"):
            np.testing.assert_allclose(getattr(ours, name).numpy(),
                                       getattr(theirs, name).numpy(), rtol=1e-12, err_msg=name)
        ours.zero_grad()
        theirs.zero_grad()
    ours.eval()
    theirs.eval()
    _compare(ours, theirs, RNG.normal(size=shape))


def test_batchnorm1d_without_running_stats_uses_batch_stats_in_eval():
    theirs = torch.nn.BatchNorm1d(4, track_running_stats=False)
    ours = nn.BatchNorm1d(4, track_running_stats=False)
    _copy_weights(ours, theirs)
    ours.eval()
    theirs.eval()
    _compare(ours, theirs, RNG.normal(size=(6, 4)))


def test_batchnorm_fused_backward_passes_gradcheck():
    x = cr.tensor(RNG.normal(size=(5, 3)), requires_grad=True)
    w = cr.tensor(RNG.normal(size=3), requires_grad=True)
    b = cr.tensor(RNG.normal(size=3), requires_grad=True)
    assert gradcheck(lambda x, w, b: cr.nn.functional.batch_norm(x, None, None, w, b, True),
                     (x, w, b))
    x3 = cr.tensor(RNG.normal(size=(3, 2, 4)), requires_grad=True)
    assert gradcheck(lambda x: cr.nn.functional.batch_norm(x, None, None, training=True), (x3,))


def test_batchnorm_fused_equals_unfused_composition():
    x_array = RNG.normal(size=(16, 7))
    x1 = cr.tensor(x_array, requires_grad=True)
    x2 = cr.tensor(x_array, requires_grad=True)
    gamma = cr.tensor(RNG.normal(size=7), requires_grad=True)
    fused = cr.nn.functional.batch_norm(x1, None, None, gamma, None, True, eps=1e-5)
    mean = x2.mean(0, keepdim=True)
    var = ((x2 - mean) ** 2).mean(0, keepdim=True)
    unfused = gamma * (x2 - mean) / (var + 1e-5) ** 0.5
    seed = RNG.normal(size=(16, 7))
    np.testing.assert_allclose(fused.detach().numpy(), unfused.detach().numpy(), rtol=1e-12)
    fused.backward(seed)
    unfused.backward(seed)
    np.testing.assert_allclose(x1.grad.numpy(), x2.grad.numpy(), rtol=1e-9, atol=1e-12)


def test_batchnorm_errors():
    layer = nn.BatchNorm1d(3)
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        layer(cr.ones(1, 3))
    with pytest.raises(ValueError, match="expected 2D or 3D input"):
        layer(cr.ones(2, 3, 4, 5))
    with pytest.raises(RuntimeError, match="expected 3"):
        layer(cr.ones(2, 4))


@pytest.mark.parametrize("wrong", ["running_mean", "running_var", "weight", "bias"])
def test_functional_batch_norm_names_the_per_channel_tensor_of_the_wrong_shape(wrong):
    tensors = {name: cr.ones(3) for name in ("running_mean", "running_var", "weight", "bias")}
    tensors[wrong] = cr.ones(4)
    with pytest.raises(RuntimeError, match=rf"{wrong} should have shape \(3,\).*got \(4,\)"):
        cr.nn.functional.batch_norm(cr.ones(2, 3), training=True, **tensors)


def test_num_batches_tracked_counts_training_batches_like_torch():
    ours, theirs = nn.BatchNorm1d(3), torch.nn.BatchNorm1d(3)
    for _ in range(3):
        ours(cr.randn(4, 3))
        theirs(torch.randn(4, 3))
    assert ours.num_batches_tracked.item() == theirs.num_batches_tracked.item() == 3
    assert ours.num_batches_tracked.dtype == cr.int64


@pytest.mark.parametrize("shape,normalized", [((4, 6), (6,)), ((2, 3, 5), (3, 5)), ((3, 4), 4)])
@pytest.mark.parametrize("affine", [True, False])
def test_layernorm_matches_pytorch(shape, normalized, affine):
    theirs = torch.nn.LayerNorm(normalized, elementwise_affine=affine)
    ours = nn.LayerNorm(normalized, elementwise_affine=affine)
    if affine:
        with torch.no_grad():
            theirs.weight.uniform_(0.5, 1.5)
            theirs.bias.uniform_(-0.5, 0.5)
    _copy_weights(ours, theirs)
    _compare(ours, theirs, RNG.normal(size=shape) * 2 + 0.5)


def test_layernorm_gradcheck():
    x = cr.tensor(RNG.normal(size=(3, 4)), requires_grad=True)
    w = cr.tensor(RNG.normal(size=4), requires_grad=True)
    b = cr.tensor(RNG.normal(size=4), requires_grad=True)
    assert gradcheck(lambda x, w, b: cr.nn.functional.layer_norm(x, 4, w, b), (x, w, b))
