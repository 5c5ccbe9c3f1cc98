"""Worked examples with hand-computed values and gradients (the micrograd lecture's).

Every expected number here is derived by hand (or quoted from micrograd's README),
never produced by chainrule itself.
"""

from __future__ import annotations

import math

import pytest

from chainrule import Value


def test_lecture_expression_graph():
    """``e = a*b; d = e + c; L = d * f`` with a=2, b=-3, c=10, f=-2."""
    a, b, c, f = Value(2.0), Value(-3.0), Value(10.0), Value(-2.0)
    e = a * b
    d = e + c
    L = d * f
    L.backward()
    assert e.data == -6.0
    assert d.data == 4.0
    assert L.data == -8.0
    assert L.grad == 1.0
    assert f.grad == 4.0  # dL/df = d
    assert d.grad == -2.0  # dL/dd = f
    assert c.grad == -2.0  # dL/dc = dL/dd * 1
    assert e.grad == -2.0  # dL/de = dL/dd * 1
    assert a.grad == 6.0  # dL/da = dL/de * b = -2 * -3
    assert b.grad == -4.0  # dL/db = dL/de * a = -2 * 2


def _neuron_inputs():
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    n = x1 * w1 + x2 * w2 + b
    return (x1, x2, w1, w2, b), n


def _check_neuron(o, leaves):
    x1, x2, w1, w2, b = leaves
    # n = 2*-3 + 0*1 + 6.88137... = 0.88137..., chosen so that tanh(n) = 1/sqrt(2)
    assert o.data == pytest.approx(0.7071, abs=5e-5)
    assert o.data == pytest.approx(1 / math.sqrt(2), abs=1e-12)
    # do/dn = 1 - tanh(n)^2 = 0.5
    assert x1.grad == pytest.approx(-1.5, abs=1e-6)  # 0.5 * w1
    assert w1.grad == pytest.approx(1.0, abs=1e-6)  # 0.5 * x1
    assert x2.grad == pytest.approx(0.5, abs=1e-6)  # 0.5 * w2
    assert w2.grad == pytest.approx(0.0, abs=1e-6)  # 0.5 * x2
    assert b.grad == pytest.approx(0.5, abs=1e-6)


def test_tanh_neuron():
    leaves, n = _neuron_inputs()
    o = n.tanh()
    o.backward()
    _check_neuron(o, leaves)


def test_tanh_neuron_with_tanh_written_out():
    """tanh(n) = (exp(2n) - 1) / (exp(2n) + 1) through exp, -, + and /: same gradients."""
    leaves, n = _neuron_inputs()
    e = (2 * n).exp()
    o = (e - 1) / (e + 1)
    o.backward()
    _check_neuron(o, leaves)


def test_tanh_neuron_with_tanh_written_out_via_power():
    """The lecture's own spelling: division as ``(e + 1) ** -1``."""
    leaves, n = _neuron_inputs()
    e = (2 * n).exp()
    o = (e - 1) * (e + 1) ** -1
    o.backward()
    _check_neuron(o, leaves)


def test_node_used_twice_in_one_op():
    a = Value(3.0)
    b = a + a
    b.backward()
    assert b.data == 6.0
    assert a.grad == 2.0


@pytest.mark.parametrize("x", [3.0, -1.5, 0.25])
def test_square_then_double(x):
    """``b = a * a; c = b + b`` is 2a^2, so dc/da = 4a and dc/db = 2."""
    a = Value(x)
    b = a * a
    c = b + b
    c.backward()
    assert c.data == 2 * x * x
    assert b.grad == 2.0
    assert a.grad == 4 * x


def test_node_feeding_several_later_nodes():
    """a = -2, b = 3: d = a*b, e = a+b, f = d*e = (a*b)(a+b) = a^2 b + a b^2.

    df/da = 2ab + b^2 = -12 + 9 = -3, df/db = a^2 + 2ab = 4 - 12 = -8.
    """
    a, b = Value(-2.0), Value(3.0)
    d = a * b
    e = a + b
    f = d * e
    f.backward()
    assert f.data == -6.0
    assert a.grad == -3.0
    assert b.grad == -8.0
    assert d.grad == 1.0  # = e
    assert e.grad == -6.0  # = d


def test_micrograd_readme_example():
    """The example at the top of micrograd's README, with the numbers it prints."""
    a = Value(-4.0)
    b = Value(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    assert g.data == pytest.approx(24.7041, abs=1e-4)  # the README: 24.7041
    g.backward()
    assert a.grad == pytest.approx(138.8338, abs=1e-4)  # the README: 138.8338
    assert b.grad == pytest.approx(645.5773, abs=1e-4)  # the README: 645.5773


def test_constants_on_either_side():
    """Reflected ops wrap the plain number: 2*a, 1-a, 1/a, a+3, 2**a at a = 2."""
    a = Value(2.0)
    cases = [
        (lambda: 2 * a, 4.0, 2.0),
        (lambda: 1 - a, -1.0, -1.0),
        (lambda: 1 / a, 0.5, -0.25),  # d/da 1/a = -1/a^2
        (lambda: a + 3, 5.0, 1.0),
        (lambda: a - 3, -1.0, 1.0),
        (lambda: a / 4, 0.5, 0.25),
        (lambda: 2**a, 4.0, 4.0 * math.log(2.0)),  # d/da 2^a = 2^a ln 2
        (lambda: a**3, 8.0, 12.0),
        (lambda: -a, -2.0, -1.0),
    ]
    for make, value, grad in cases:
        a.grad = 0.0
        out = make()
        out.backward()
        assert out.data == pytest.approx(value, rel=1e-15), out
        assert a.grad == pytest.approx(grad, rel=1e-15), out


def test_unary_functions_by_hand():
    """exp, log, tanh, sigmoid, relu at hand-picked points with their textbook derivatives."""
    x = 0.5
    cases = [
        ("exp", math.exp(x), math.exp(x)),
        ("log", math.log(x), 1 / x),
        ("tanh", math.tanh(x), 1 - math.tanh(x) ** 2),
        ("sigmoid", 1 / (1 + math.exp(-x)), math.exp(-x) / (1 + math.exp(-x)) ** 2),
        ("relu", x, 1.0),
    ]
    for name, value, grad in cases:
        a = Value(x)
        out = getattr(a, name)()
        out.backward()
        assert out.data == pytest.approx(value, rel=1e-14), name
        assert a.grad == pytest.approx(grad, rel=1e-14), name
    a = Value(-0.5)
    out = a.relu()
    out.backward()
    assert out.data == 0
    assert a.grad == 0.0


def test_value_to_value_power_by_hand():
    """z = x ** y with x = 2, y = 3: dz/dx = y x^(y-1) = 12, dz/dy = x^y ln x = 8 ln 2."""
    x, y = Value(2.0), Value(3.0)
    z = x**y
    z.backward()
    assert z.data == 8.0
    assert x.grad == pytest.approx(12.0, rel=1e-15)
    assert y.grad == pytest.approx(8 * math.log(2.0), rel=1e-15)
