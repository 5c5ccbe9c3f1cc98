"""ParameterList and ParameterDict against PyTorch's: registration, state dicts, indexing,
list and dict methods, reprs (with PyTorch's type names mapped to chainrule's), errors, and
that a model holding them trains like PyTorch's."""

from __future__ import annotations

import inspect

import numpy as np
import pytest
import torch

import chainrule as cr

RNG = np.random.default_rng(41)


def _pair(shape, dtype=np.float32):
    array = RNG.standard_normal(shape).astype(dtype)
    return cr.tensor(array), torch.tensor(array)


def _torch_repr_in_chainrule_names(text: str) -> str:
    return text.replace("torch.", "chainrule.")


def _same(ours, theirs):
    assert type(ours).__name__ == type(theirs).__name__
    if isinstance(theirs, torch.Tensor):
        np.testing.assert_array_equal(ours.data, theirs.detach().numpy())


def test_parameter_list_behaves_like_torchs():
    a, ta = _pair(3)
    b, tb = _pair((2, 2))
    ours = cr.nn.ParameterList([cr.nn.Parameter(a), b])
    theirs = torch.nn.ParameterList([torch.nn.Parameter(ta), tb])
    for lst in (ours, theirs):
        lst.append(lst[0] * 0 + 1 if lst is theirs else cr.ones(3, dtype=cr.float64))
        lst.extend([torch.zeros(1) if lst is theirs else cr.zeros(1)])
        lst += ["not a tensor"]
    assert len(ours) == len(theirs) == 5
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["0", "1", "2", "3"]
    for x, y in zip(ours, theirs):
        if isinstance(y, torch.Tensor):
            assert isinstance(x, cr.nn.Parameter) and x.requires_grad
    _same(ours[-1], theirs[-1])
    _same(ours[1], theirs[1])
    assert len(ours[1:3]) == len(theirs[1:3]) == 2
    assert isinstance(ours[1:3], cr.nn.ParameterList)
    ours[0] = cr.zeros(4)
    assert isinstance(ours[0], cr.nn.Parameter) and ours[0].shape == (4,)
    assert [p.shape for p in ours.parameters()] == [(4,), (2, 2), (3,), (1,)]
    theirs[2] = torch.ones(3, dtype=torch.float64)  # the dtype the repr shows below
    theirs[0] = torch.zeros(4)
    assert repr(ours) == _torch_repr_in_chainrule_names(repr(theirs))
    for lst in (ours, theirs):
        with pytest.raises(IndexError, match="index 10 is out of range"):
            lst[10]
        with pytest.raises(TypeError, match="should be called with an iterable, but got int"):
            lst.extend(3)
        with pytest.raises(RuntimeError, match="ParameterList should not be called"):
            lst(1)
    assert repr(cr.nn.ParameterList()) == repr(torch.nn.ParameterList()) == "ParameterList()"


def test_parameter_dict_behaves_like_torchs():
    a, ta = _pair(3)
    b, tb = _pair(2, np.float64)
    ours = cr.nn.ParameterDict({"a": cr.nn.Parameter(a), "b": b})
    theirs = torch.nn.ParameterDict({"a": torch.nn.Parameter(ta), "b": tb})
    assert repr(ours) == _torch_repr_in_chainrule_names(repr(theirs))
    for d, ones in ((ours, cr.ones), (theirs, torch.ones)):
        d.update([("c", ones(1)), ("d", ones(2))])
        d.update({"e": ones(3)})
        d["f"] = ones(4)
        del d["d"]
    assert list(ours.keys()) == list(theirs.keys()) == ["a", "b", "c", "e", "f"]
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert ("a" in ours) and ("zz" not in ours) and len(ours) == len(theirs) == 5
    _same(ours.pop("a"), theirs.pop("a"))
    key, value = ours.popitem()
    tkey, tvalue = theirs.popitem()
    assert key == tkey == "f"
    _same(value, tvalue)
    assert ours.get("zz", 7) == theirs.get("zz", 7) == 7
    _same(ours.setdefault("b"), theirs.setdefault("b"))
    copy, tcopy = ours.copy(), theirs.copy()
    assert list(copy.keys()) == list(tcopy.keys()) and copy["b"] is ours["b"]
    merged = ours | cr.nn.ParameterDict({"z": cr.ones(1)})
    assert list(merged.keys()) == list((theirs | torch.nn.ParameterDict({"z": torch.ones(1)})
                                        ).keys())
    assert list(reversed(ours)) == list(reversed(theirs))
    assert list(ours.fromkeys(["x", "y"]).keys()) == ["x", "y"]
    for d in (ours, theirs):
        with pytest.raises(ValueError, match="element #0 has length 3; 2 is required"):
            d.update([("a", 1, 2)])
        with pytest.raises(RuntimeError, match="ParameterDict should not be called"):
            d(1)
    ours.clear()
    assert len(ours) == 0 and list(ours.parameters()) == []


def test_signatures_and_methods_are_pytorchs():
    for name in ("ParameterList", "ParameterDict"):
        ours, theirs = getattr(cr.nn, name), getattr(torch.nn, name)
        shape = [p.name for p in inspect.signature(ours).parameters.values()]
        assert shape == [p.name for p in inspect.signature(theirs).parameters.values()]
        own = [m for m in dir(theirs) if not m.startswith("_") and m not in dir(torch.nn.Module)]
        missing = [m for m in own if m not in dir(ours)]
        assert missing == [], name


def test_a_model_with_parameter_containers_trains_like_pytorch():
    class Ours(cr.nn.Module):
        def __init__(self, weights):
            super().__init__()
            self.layers = cr.nn.ParameterList(cr.tensor(w) for w in weights)
            self.scales = cr.nn.ParameterDict({"out": cr.ones(1, dtype=cr.float64)})

        def forward(self, x):
            for w in self.layers:
                x = (x @ w).tanh()
            return x * self.scales["out"]

    class Theirs(torch.nn.Module):
        def __init__(self, weights):
            super().__init__()
            self.layers = torch.nn.ParameterList(torch.tensor(w) for w in weights)
            self.scales = torch.nn.ParameterDict({"out": torch.ones(1, dtype=torch.float64)})

        def forward(self, x):
            for w in self.layers:
                x = (x @ w).tanh()
            return x * self.scales["out"]

    weights = [RNG.standard_normal((4, 4)) * 0.5 for _ in range(3)]
    ours, theirs = Ours(weights), Theirs(weights)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    opt = cr.optim.Adam(ours.parameters(), lr=0.01)
    topt = torch.optim.Adam(theirs.parameters(), lr=0.01)
    for _ in range(5):
        x = RNG.standard_normal((8, 4))
        loss = (ours(cr.tensor(x)) ** 2).mean()
        tloss = (theirs(torch.tensor(x)) ** 2).mean()
        loss.backward()
        tloss.backward()
        opt.step()
        topt.step()
        opt.zero_grad()
        topt.zero_grad()
        assert loss.item() == pytest.approx(tloss.item(), rel=1e-12)
    for key, value in ours.state_dict().items():
        np.testing.assert_allclose(value.data, theirs.state_dict()[key].numpy(), rtol=1e-10)
