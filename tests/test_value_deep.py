"""Very deep graphs: ``backward()`` is iterative, so a million-node chain works.

Python's default recursion limit is about a thousand frames, so a recursive
topological sort (micrograd's) fails on these chains with RecursionError. Nothing
here asserts a duration; the expected gradients come from closed forms.
"""

from __future__ import annotations

import math
import sys

import pytest

from chainrule import Value


@pytest.mark.parametrize("n", [100_000, 1_000_000])
def test_deep_multiplicative_chain(n):
    """y = x * c * c * ... (n times): dy/dx = c ** n, computed in closed form."""
    assert sys.getrecursionlimit() < n  # recursion could not have handled this depth
    c = 1.0 + 1e-7
    x = Value(1.0)
    y = x
    for _ in range(n):
        y = y * c
    y.backward()
    expected = c**n
    assert math.isclose(y.data, expected, rel_tol=1e-8)
    assert math.isclose(x.grad, expected, rel_tol=1e-8)
    assert x.grad != 1.0  # the gradient really went through all n factors


def test_deep_chain_reusing_one_leaf():
    """y = ((x + x) + x) + ... : x is used n + 1 times at every depth, so dy/dx = n + 1."""
    n = 100_000
    x = Value(0.5)
    y = x
    for _ in range(n):
        y = y + x
    y.backward()
    assert y.data == 0.5 * (n + 1)
    assert x.grad == float(n + 1)


def test_deep_chain_of_mixed_ops():
    """Alternate y + 0.0, y - 0.0 and 1.0 * y, then z = 3 * y: every node's gradient is 3."""
    n = 300_000
    x = Value(2.0)
    y = x
    for k in range(n):
        y = (y + 0.0) if k % 3 == 0 else (y - 0.0) if k % 3 == 1 else (1.0 * y)
        if k == n // 2:
            middle = y
    z = y * 3.0
    z.backward()
    assert z.data == 6.0
    assert y.grad == 3.0
    assert middle.grad == 3.0
    assert x.grad == 3.0
