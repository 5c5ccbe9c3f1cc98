"""Module registration, traversal, modes, hooks and state dicts, against PyTorch's behaviour."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import chainrule as cr
from chainrule import nn


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 4)
        self.norm = nn.BatchNorm1d(4)
        self.scale = nn.Parameter(cr.ones(4))

    def forward(self, x):
        return self.norm(self.fc(x)) * self.scale


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.block = Block()
        self.head = nn.Linear(4, 2)

    def forward(self, x):
        return self.head(self.block(x).tanh())


class TorchBlock(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = torch.nn.Linear(3, 4)
        self.norm = torch.nn.BatchNorm1d(4)
        self.scale = torch.nn.Parameter(torch.ones(4))


class TorchNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.block = TorchBlock()
        self.head = torch.nn.Linear(4, 2)


def test_named_parameters_buffers_and_state_dict_keys_match_pytorch():
    ours, theirs = Net(), TorchNet()
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]
    assert [type(m).__name__ for m in ours.children()] == ["Block", "Linear"]
    expected = sum(p.numel() for p in theirs.parameters())
    assert ours.num_parameters() == expected == 4 * 3 + 4 + 4 + 4 + 4 + 4 * 2 + 2


def test_shared_parameter_is_listed_once():
    lin = nn.Linear(2, 2)
    model = nn.Sequential(lin, nn.Tanh(), lin)
    assert len(list(model.parameters())) == 2


def test_train_eval_propagates_to_every_submodule():
    model = Net()
    model.eval()
    assert not any(m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())
    with pytest.raises(ValueError):
        model.train("yes")


def test_load_state_dict_roundtrip_and_pytorch_weights():
    theirs = TorchNet().double()
    ours = Net().double()
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    for (name, p), (_, q) in zip(ours.state_dict().items(), theirs.state_dict().items()):
        np.testing.assert_array_equal(p.numpy(), q.numpy(), err_msg=name)
    copy = Net().double()
    copy.load_state_dict(ours.state_dict())
    x = cr.tensor(np.random.default_rng(0).normal(size=(5, 3)))
    np.testing.assert_array_equal(copy(x).detach().numpy(), ours(x).detach().numpy())


def test_load_state_dict_errors_name_keys_and_shapes():
    model = Net()
    state = model.state_dict()
    del state["head.bias"]
    state["extra.weight"] = cr.zeros(1)
    with pytest.raises(RuntimeError) as error:
        model.load_state_dict(state)
    message = str(error.value)
    assert 'Missing key(s) in state_dict: "head.bias"' in message
    assert 'Unexpected key(s) in state_dict: "extra.weight"' in message
    result = model.load_state_dict(state, strict=False)
    assert result.missing_keys == ["head.bias"] and result.unexpected_keys == ["extra.weight"]

    wrong = model.state_dict()
    wrong["head.weight"] = cr.zeros(3, 4)
    with pytest.raises(RuntimeError, match=r"size mismatch for head\.weight.*\(3, 4\).*\(2, 4\)"):
        model.load_state_dict(wrong)


def test_state_dict_shares_data_but_is_detached():
    model = nn.Linear(2, 3)
    state = model.state_dict()
    assert not state["weight"].requires_grad
    state["weight"].data[0, 0] = 42.0
    assert model.weight.data[0, 0] == 42.0


def test_zero_grad_set_to_none_and_to_zero():
    model = nn.Linear(2, 1)
    model(cr.ones(3, 2)).sum().backward()
    model.zero_grad(set_to_none=False)
    assert np.all(model.weight.grad.numpy() == 0)
    model.zero_grad()
    assert model.weight.grad is None and model.bias.grad is None


def test_forward_hook_sees_inputs_and_output_and_can_be_removed():
    model = nn.Linear(2, 2)
    seen = []
    handle = model.register_forward_hook(lambda m, inputs, out: seen.append((inputs, out)))
    x = cr.ones(1, 2)
    out = model(x)
    assert seen[0][0][0] is x and seen[0][1] is out
    handle.remove()
    model(x)
    assert len(seen) == 1
    replacing = model.register_forward_hook(lambda m, inputs, out: out * 0)
    assert np.all(model(x).detach().numpy() == 0)
    replacing.remove()
    pre = model.register_forward_pre_hook(lambda m, inputs: (inputs[0] * 0,))
    np.testing.assert_allclose(model(x).detach().numpy(), model.bias.detach().numpy()[None])
    pre.remove()


def test_assignment_errors():
    class Bare(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(cr.ones(1))

    with pytest.raises(AttributeError, match="super\\(\\).__init__"):
        Bare()
    model = nn.Linear(2, 2)
    with pytest.raises(TypeError, match="parameter 'weight'"):
        model.weight = cr.ones(2, 2)
    with pytest.raises(NotImplementedError, match="forward"):
        nn.Module()(cr.ones(1))


def test_repr_matches_pytorch_layout():
    ours = nn.Sequential(nn.Linear(2, 3), nn.Sequential(nn.Linear(3, 1, bias=False)))
    theirs = torch.nn.Sequential(
        torch.nn.Linear(2, 3), torch.nn.Sequential(torch.nn.Linear(3, 1, bias=False))
    )
    assert repr(ours) == repr(theirs)


def test_sequential_indexing_slicing_append_and_errors():
    model = nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 4))
    model.add(nn.Linear(4, 1))
    assert len(model) == 3 and model[-1].out_features == 1
    assert [m.out_features for m in model[1:]] == [4, 1]
    with pytest.raises(IndexError, match="index 3 is out of range"):
        model[3]
    assert model(cr.ones(5, 2)).shape == (5, 1)


def test_module_to_double_casts_parameters_and_buffers():
    model = Net().double()
    assert all(p.dtype == cr.float64 for p in model.parameters())
    assert model.block.norm.running_mean.dtype == cr.float64
    assert model.block.norm.num_batches_tracked.dtype == cr.int64
