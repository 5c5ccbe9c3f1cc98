"""einsum against torch.einsum in float64: values and every operand's gradient over
contractions, outer products, traces and diagonals, sums, permutations, ellipses with
broadcasting and implicit outputs; gradcheck; errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from _torch_compare import compare_with_torch

import chainrule as cr
from chainrule.autograd import gradcheck

RNG = np.random.default_rng(101)

CASES = [
    ("ij,jk->ik", [(3, 4), (4, 5)]), ("ij,jk", [(3, 4), (4, 5)]),
    ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]), ("i,i->", [(4,), (4,)]),
    ("i,j->ij", [(3,), (4,)]), ("ii->i", [(4, 4)]), ("ii", [(4, 4)]), ("ij->", [(3, 4)]),
    ("ij->j", [(3, 4)]), ("ij->ji", [(3, 4)]), ("...ij,...jk->...ik", [(2, 3, 3, 4), (4, 5)]),
    ("...ij,...jk", [(2, 1, 3, 4), (3, 4, 5)]), ("bhqd,bhkd->bhqk", [(2, 3, 4, 5), (2, 3, 6, 5)]),
    ("iij->ij", [(3, 3, 4)]), ("ijk,ikl,jl->k", [(2, 3, 4), (2, 4, 5), (3, 5)]),
    ("i...->...", [(3, 2, 4)]), ("ab,cd->abcd", [(2, 3), (4, 5)]), ("iji->j", [(3, 4, 3)]),
    ("i j , j k -> i k", [(2, 3), (3, 2)]),
]


@pytest.mark.parametrize("equation, shapes", CASES, ids=[c[0] for c in CASES])
def test_einsum_matches_torch(equation, shapes):
    compare_with_torch(lambda *xs: cr.einsum(equation, *xs),
                       lambda *xs: torch.einsum(equation, *xs),
                       [RNG.standard_normal(s) for s in shapes], RNG)


def test_operands_as_a_list_and_gradcheck():
    a, b = (cr.tensor(RNG.standard_normal(s), requires_grad=True) for s in ((3, 4), (4, 2)))
    np.testing.assert_allclose(cr.einsum("ij,jk->ik", [a, b]).data, a.data @ b.data)
    assert gradcheck(lambda x, y: cr.einsum("ij,jk->ik", x, y), (a, b))
    c = cr.tensor(RNG.standard_normal((3, 3, 2)), requires_grad=True)
    assert gradcheck(lambda x: cr.einsum("iij->j", x), (c,))


@pytest.mark.parametrize("equation, shapes, message", [
    ("ij,jk->ik", [(3, 4)], "2 operands in the equation, but 1 were given"),
    ("ijk->i", [(3, 4)], "does not match the number of dimensions"),
    ("ij->iz", [(3, 4)], "output subscript z does not appear"),
    ("i1->i", [(3, 4)], "subscripts must be in \\[a-zA-Z\\]"),
])
def test_einsum_errors(equation, shapes, message):
    with pytest.raises(RuntimeError, match=message):
        cr.einsum(equation, *(cr.ones(*s) for s in shapes))
