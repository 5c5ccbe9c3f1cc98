"""RNN, GRU and LSTM against PyTorch in float64 with copied weights: outputs, final states
and the gradients of the input, the initial states and every parameter, over layers,
directions, bias, batch_first, projections and unbatched input; reprs, parameter names,
errors; a character model trained step for step; and a compiled replay."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest
import torch

import chainrule as cr
import chainrule.nn.functional as F

RNG = np.random.default_rng(61)
INPUT, HIDDEN = 3, 5


def _pair(kind: str, **kwargs):
    theirs = getattr(torch.nn, kind)(INPUT, HIDDEN, **kwargs).double()
    ours = getattr(cr.nn, kind)(INPUT, HIDDEN, **kwargs).double()
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert repr(ours) == repr(theirs)
    ours.load_state_dict({k: v.detach().numpy().copy() for k, v in theirs.state_dict().items()})
    return ours, theirs


def _close(ours, theirs, rtol=1e-9):
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=rtol, atol=1e-11)


def _states(kind, kwargs, batch):
    layers = kwargs.get("num_layers", 1) * (2 if kwargs.get("bidirectional") else 1)
    size = kwargs.get("proj_size") or HIDDEN
    shapes = [(layers, size), (layers, HIDDEN)][:2 if kind == "LSTM" else 1]
    if batch is not None:
        shapes = [(s[0], batch, s[1]) for s in shapes]
    arrays = [RNG.standard_normal(s) for s in shapes]
    ours = [cr.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    if kind == "LSTM":
        return ours, theirs, (tuple(ours),), (tuple(theirs),)
    return ours, theirs, tuple(ours), tuple(theirs)


def _check(kind, kwargs, shape, with_state):
    ours, theirs = _pair(kind, **kwargs)
    x = RNG.standard_normal(shape)
    x_ours, x_theirs = cr.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    batch = (shape[0] if kwargs.get("batch_first") else shape[1]) if len(shape) == 3 else None
    leaves, tleaves, args, targs = _states(kind, kwargs, batch) if with_state else ([], [], (),
                                                                                   ())
    out, final = ours(x_ours, *args)
    tout, tfinal = theirs(x_theirs, *targs)
    _close(out, tout)
    finals = final if isinstance(final, tuple) else (final,)
    tfinals = tfinal if isinstance(tfinal, tuple) else (tfinal,)
    for a, b in zip(finals, tfinals, strict=True):
        _close(a, b)
    upstream = RNG.standard_normal(tuple(tout.shape))
    loss = (out * cr.tensor(upstream)).sum() + sum((f * f).sum() for f in finals)
    tloss = (tout * torch.tensor(upstream)).sum() + sum((f * f).sum() for f in tfinals)
    loss.backward()
    tloss.backward()
    _close(x_ours.grad, x_theirs.grad)
    for a, b in zip(leaves, tleaves):
        _close(a.grad, b.grad)
    for (name, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_allclose(p.grad.data, q.grad.numpy(), rtol=1e-9, atol=1e-11,
                                   err_msg=name)


@pytest.mark.parametrize("kind", ["RNN", "GRU", "LSTM"])
@pytest.mark.parametrize("layers, bidirectional, bias, batch_first, with_state",
                         list(itertools.product([1, 2], [False, True], [True, False],
                                                [False, True], [False, True])))
def test_recurrent_layers_match_torch(kind, layers, bidirectional, bias, batch_first,
                                      with_state):
    kwargs = {"num_layers": layers, "bidirectional": bidirectional, "bias": bias,
              "batch_first": batch_first}
    _check(kind, kwargs, (4, 6, INPUT) if batch_first else (6, 4, INPUT), with_state)


@pytest.mark.parametrize("kind, kwargs, shape, with_state", [
    ("RNN", {}, (6, INPUT), True), ("GRU", {"num_layers": 2, "bidirectional": True},
                                    (6, INPUT), False),
    ("LSTM", {}, (6, INPUT), True), ("RNN", {"nonlinearity": "relu", "num_layers": 2},
                                     (5, 2, INPUT), True),
    ("LSTM", {"proj_size": 2, "num_layers": 2, "bidirectional": True}, (5, 2, INPUT), True),
    ("LSTM", {"proj_size": 3}, (5, INPUT), True),
])
def test_unbatched_input_relu_and_projections_match_torch(kind, kwargs, shape, with_state):
    _check(kind, kwargs, shape, with_state)


@pytest.mark.parametrize("make, error, message", [
    (lambda M: M.RNN(3, 0), ValueError, "hidden_size must be greater than zero"),
    (lambda M: M.GRU(3, 4, num_layers=0), ValueError, "num_layers must be greater than zero"),
    (lambda M: M.LSTM(3, 4, proj_size=4), ValueError, "proj_size has to be smaller"),
    (lambda M: M.GRU(3, 4, proj_size=2), ValueError, "proj_size argument is only supported"),
    (lambda M: M.RNN(3, 4, nonlinearity="sigmoid"), ValueError, "Unknown nonlinearity"),
    (lambda M: M.LSTM(3, 4, dropout=1.5), ValueError, "dropout should be a number in range"),
    (lambda M: M.LSTM(3, 4)(_zeros(M, 2, 5, 2)), RuntimeError,
     "input.size\\(-1\\) must be equal to input_size. Expected 3, got 2"),
    (lambda M: M.GRU(3, 4)(_zeros(M, 2, 5, 3), _zeros(M, 1, 4, 4)), RuntimeError,
     "Expected hidden size \\(1, 5, 4\\), got \\[1, 4, 4\\]"),
    (lambda M: M.RNN(3, 4)(_zeros(M, 1, 2, 3, 3)), ValueError,
     "RNN: Expected input to be 2D or 3D, got 4D tensor instead"),
])
def test_errors_like_torch(make, error, message):
    for module in (cr.nn, torch.nn):
        with pytest.raises(error, match=message):
            make(module)


def _zeros(module, *shape):
    return cr.zeros(*shape) if module is cr.nn else torch.zeros(*shape)


def test_dropout_between_layers_warns_like_torch_and_is_off_in_eval():
    for module in (cr.nn, torch.nn):
        with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater "
                                             "than 1, but got dropout=0.5 and num_layers=1"):
            module.GRU(3, 4, dropout=0.5)
    ours, theirs = _pair("LSTM", num_layers=2, dropout=0.5)
    x = RNG.standard_normal((5, 2, INPUT))
    cr.manual_seed(0)
    first = ours(cr.tensor(x))[0]
    second = ours(cr.tensor(x))[0]
    assert not np.array_equal(first.data, second.data)  # a fresh mask each call
    ours.eval()
    theirs.eval()
    _close(ours(cr.tensor(x))[0], theirs(torch.tensor(x))[0])


class _CharModel:
    """Embedding -> LSTM -> Linear over each position, in either library."""

    def __init__(self, nn):
        self.embed, self.lstm, self.head = nn.Embedding(11, 4), nn.LSTM(4, 6, batch_first=True), \
            nn.Linear(6, 11)

    def parameters(self):
        return [*self.embed.parameters(), *self.lstm.parameters(), *self.head.parameters()]

    def __call__(self, ids):
        return self.head(self.lstm(self.embed(ids))[0])


def test_a_character_lstm_trains_like_pytorch():
    theirs = _CharModel(torch.nn)
    ours = _CharModel(cr.nn)
    for p, q in zip(ours.parameters(), theirs.parameters(), strict=True):
        p.data = q.detach().numpy().astype(np.float64)
        q.data = q.data.double()
    opt = cr.optim.Adam(ours.parameters(), lr=0.01)
    topt = torch.optim.Adam(theirs.parameters(), lr=0.01)
    for _ in range(5):
        ids = RNG.integers(0, 11, (3, 7))
        targets = RNG.integers(0, 11, (3, 7))
        loss = F.cross_entropy(ours(cr.tensor(ids)).reshape(-1, 11), cr.tensor(targets.ravel()))
        tloss = torch.nn.functional.cross_entropy(theirs(torch.tensor(ids)).reshape(-1, 11),
                                                  torch.tensor(targets.ravel()))
        for value, optimizer in ((loss, opt), (tloss, topt)):
            value.backward()
            optimizer.step()
            optimizer.zero_grad()
        assert loss.item() == pytest.approx(tloss.item(), rel=1e-10)


class _LastState(cr.nn.Module):
    """A GRU's final hidden state of the last layer: one tensor, which compile can replay."""

    def __init__(self, gru):
        super().__init__()
        self.gru = gru

    def forward(self, x):
        return self.gru(x)[1][-1]


def test_a_compiled_gru_replays_what_the_eager_one_computes():
    eager, _ = _pair("GRU", num_layers=2)
    replayed, _ = _pair("GRU", num_layers=2)
    replayed.load_state_dict(eager.state_dict())
    compiled = cr.compile(_LastState(replayed))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(3):
            x = RNG.standard_normal((6, 2, INPUT))
            expected = eager(cr.tensor(x))[1][-1]
            got = compiled(cr.tensor(x))
            np.testing.assert_array_equal(got.data, expected.data)
            got.sum().backward()
            expected.sum().backward()
    for p, q in zip(eager.parameters(), replayed.parameters()):
        np.testing.assert_allclose(q.grad.data, p.grad.data, rtol=1e-13)
    assert [type(t).__name__ for t in compiled._tapes.values()] == ["Tape"]


def test_a_compiled_lstm_returns_its_output_and_states_like_the_eager_one():
    eager, _ = _pair("LSTM", num_layers=2, bidirectional=True)
    replayed, _ = _pair("LSTM", num_layers=2, bidirectional=True)
    replayed.load_state_dict(eager.state_dict())
    compiled = cr.compile(replayed)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(3):
            x = RNG.standard_normal((5, 2, INPUT))
            out, (h, c) = eager(cr.tensor(x))
            cout, (ch, cc) = compiled(cr.tensor(x))
            for a, b in ((cout, out), (ch, h), (cc, c)):
                np.testing.assert_array_equal(a.data, b.data)
            (out.sum() + (c * c).sum()).backward()
            (cout.sum() + (cc * cc).sum()).backward()
    for p, q in zip(eager.parameters(), replayed.parameters()):
        np.testing.assert_allclose(q.grad.data, p.grad.data, rtol=1e-12)
    assert [type(t).__name__ for t in compiled._tapes.values()] == ["Tape"]
