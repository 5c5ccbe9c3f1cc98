"""The makemore MLP trained in chainrule and in PyTorch from the same weights on the
same minibatches: the loss curves agree to 1e-5 at every one of 200 SGD steps (float64)."""

from __future__ import annotations

import numpy as np
import torch

import chainrule as cr
from chainrule import nn

VOCAB, BLOCK, EMBED, HIDDEN = 27, 3, 10, 200


def _models():
    torch.manual_seed(42)
    theirs = torch.nn.Sequential(
        torch.nn.Embedding(VOCAB, EMBED), torch.nn.Flatten(),
        torch.nn.Linear(BLOCK * EMBED, HIDDEN, bias=False), torch.nn.BatchNorm1d(HIDDEN),
        torch.nn.Tanh(), torch.nn.Linear(HIDDEN, VOCAB),
    ).double()
    ours = nn.Sequential(
        nn.Embedding(VOCAB, EMBED), nn.Flatten(),
        nn.Linear(BLOCK * EMBED, HIDDEN, bias=False), nn.BatchNorm1d(HIDDEN),
        _Tanh(), nn.Linear(HIDDEN, VOCAB),
    ).double()
    ours.load_state_dict({k: v.detach().numpy().copy() for k, v in theirs.state_dict().items()})
    return ours, theirs


class _Tanh(nn.Module):
    def forward(self, x):
        return x.tanh()


def test_makemore_mlp_loss_curves_agree_for_200_sgd_steps():
    ours, theirs = _models()
    ours_opt = cr.optim.SGD(ours.parameters(), lr=0.1)
    theirs_opt = torch.optim.SGD(theirs.parameters(), lr=0.1)
    rng = np.random.default_rng(0)
    X = rng.integers(0, VOCAB, size=(5000, BLOCK))
    Y = (X[:, -1] + 1) % VOCAB  # a rule the model can learn in 200 steps
    ours_losses, theirs_losses = [], []
    for _ in range(200):
        batch = rng.integers(0, len(X), size=32)
        loss = cr.cross_entropy(ours(cr.tensor(X[batch])), cr.tensor(Y[batch]))
        ours_opt.zero_grad()
        loss.backward()
        ours_opt.step()
        ours_losses.append(loss.item())

        tloss = torch.nn.functional.cross_entropy(theirs(torch.tensor(X[batch])),
                                                  torch.tensor(Y[batch]))
        theirs_opt.zero_grad()
        tloss.backward()
        theirs_opt.step()
        theirs_losses.append(tloss.item())
    np.testing.assert_allclose(ours_losses, theirs_losses, rtol=0, atol=1e-5)
    assert np.mean(ours_losses[-20:]) < np.mean(ours_losses[:20]) - 0.5  # it learned
    for (name, p), (_, q) in zip(ours.state_dict().items(), theirs.state_dict().items()):
        np.testing.assert_allclose(p.numpy(), q.detach().numpy(), atol=1e-8, err_msg=name)
