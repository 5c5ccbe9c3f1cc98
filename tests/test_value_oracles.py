"""Random expression graphs: chainrule's ``Value`` against micrograd and PyTorch.

A *recipe* is a list of leaf numbers and a list of operations; each operation
takes its operands from every node built so far (leaves and earlier results),
so reused nodes (``a + a``, ``b = a * a; c = b + b``, one node feeding several
later ones) arise naturally. Constants appear on either side (``2 * a``,
``1 - a``, ``1 / a``, ``a + 3``, ``2 ** a``).

A recipe is first *resolved* with plain ``math`` floats, which drops operations
that would leave the safe range (log of a number near or below 0, division by
a number near 0, huge results, ReLU right at its kink). The same resolved
recipe is then built in chainrule, in micrograd (for the ops it has: ``+ * **``
with a number exponent, ``relu``, and ``- /`` and unary ``-`` through
micrograd's own definitions) and in PyTorch float64 (every op), and the value
and gradient of every node must agree.
"""

from __future__ import annotations

import math

import micrograd.engine as mg
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chainrule import Value

REL = 1e-9
ABS = 1e-9
LIMIT = 1e4  # results larger than this in magnitude are dropped from a recipe

BINARY = ("add", "sub", "mul", "div", "powv")
CONST_LEFT = ("radd", "rsub", "rmul", "rdiv", "rpow")
CONST_RIGHT = ("addc", "subc", "mulc", "divc", "pown")
UNARY = ("neg", "exp", "log", "tanh", "relu", "sigmoid")
ALL_OPS = BINARY + CONST_LEFT + CONST_RIGHT + UNARY
MICROGRAD_OPS = (
    "add", "sub", "mul", "div",
    "radd", "rsub", "rmul", "rdiv",
    "addc", "subc", "mulc", "divc", "pown",
    "neg", "relu",
)  # fmt: skip

CONSTANTS = (-2.0, -0.5, 0.5, 1.0, 1.5, 2.0, 3.0)
POWER_BASES = (0.5, 2.0, 3.0, math.e)
EXPONENTS = (2, 3, -1, -2, 0.5, 1.5, 2.0)


# --- recipes -----------------------------------------------------------------------


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))


def _math_op(kind: str, x: float, y: float | None, c: float | None) -> float | None:
    """The op on plain floats, or None when it leaves the safe range."""
    if kind == "add":
        return x + y
    if kind == "sub":
        return x - y
    if kind == "mul":
        return x * y
    if kind == "div":
        return x / y if abs(y) >= 0.05 else None
    if kind == "powv":
        return x**y if x >= 0.05 and abs(y) <= 8 else None
    if kind == "radd":
        return c + x
    if kind == "rsub":
        return c - x
    if kind == "rmul":
        return c * x
    if kind == "rdiv":
        return c / x if abs(x) >= 0.05 else None
    if kind == "rpow":
        return c**x if abs(x) <= 8 else None
    if kind == "addc":
        return x + c
    if kind == "subc":
        return x - c
    if kind == "mulc":
        return x * c
    if kind == "divc":
        return x / c
    if kind == "pown":
        if isinstance(c, float) and not c.is_integer() and x < 0.05:
            return None  # negative base, fractional exponent
        if c < 0 and abs(x) < 0.05:
            return None
        return x**c
    if kind == "neg":
        return -x
    if kind == "exp":
        return math.exp(x) if x <= 8 else None
    if kind == "log":
        return math.log(x) if x >= 0.05 else None
    if kind == "tanh":
        return math.tanh(x)
    if kind == "relu":
        return max(x, 0.0) if abs(x) >= 1e-6 else None
    if kind == "sigmoid":
        return _sigmoid(x)
    raise AssertionError(kind)


def _const_for(kind: str, index: int) -> float | int | None:
    if kind in ("rpow",):
        return POWER_BASES[index % len(POWER_BASES)]
    if kind == "pown":
        return EXPONENTS[index % len(EXPONENTS)]
    if kind in CONST_LEFT or kind in CONST_RIGHT:
        return CONSTANTS[index % len(CONSTANTS)]
    return None


@st.composite
def raw_recipes(draw, alphabet=ALL_OPS, max_leaves=4, max_ops=14):
    """Leaves and raw op choices; operand indices are reduced modulo the node count."""
    leaves = draw(
        st.lists(
            st.floats(-3, 3, allow_nan=False, allow_infinity=False), min_size=1, max_size=max_leaves
        )
    )
    ops = draw(
        st.lists(
            st.tuples(
                st.sampled_from(alphabet),
                st.integers(0, 10**6),
                st.integers(0, 10**6),
                st.integers(0, 100),
            ),
            min_size=3,
            max_size=max_ops,
        )
    )
    return leaves, ops


def resolve(leaves, raw_ops, pick_recent=True):
    """Keep the ops that stay in the safe range; return ``(leaves, ops)``.

    Each kept op is ``(kind, operand indices, constant)`` with indices into the
    node list (leaves first, then one node per kept op).
    """
    values = list(leaves)
    ops = []
    for kind, i, j, k in raw_ops:
        n = len(values)
        # Half of the picks favour the newest node, so chains grow deep as well as wide.
        a = n - 1 if (pick_recent and i % 2 == 0) else (i // 2) % n
        b = j % n
        c = _const_for(kind, k)
        if kind in BINARY:
            result, operands = _math_op(kind, values[a], values[b], None), (a, b)
        else:
            result, operands = _math_op(kind, values[a], None, c), (a,)
        if result is None or isinstance(result, complex) or not abs(result) <= LIMIT:
            continue
        values.append(float(result))
        ops.append((kind, operands, c))
    return list(leaves), ops


def apply(kind, operands, c):
    """The op with Python operators and methods: the same code for all three engines."""
    x = operands[0]
    y = operands[1] if len(operands) > 1 else None
    table = {
        "add": lambda: x + y,
        "sub": lambda: x - y,
        "mul": lambda: x * y,
        "div": lambda: x / y,
        "powv": lambda: x**y,
        "radd": lambda: c + x,
        "rsub": lambda: c - x,
        "rmul": lambda: c * x,
        "rdiv": lambda: c / x,
        "rpow": lambda: c**x,
        "addc": lambda: x + c,
        "subc": lambda: x - c,
        "mulc": lambda: x * c,
        "divc": lambda: x / c,
        "pown": lambda: x**c,
        "neg": lambda: -x,
        "exp": lambda: x.exp(),
        "log": lambda: x.log(),
        "tanh": lambda: x.tanh(),
        "relu": lambda: x.relu(),
        "sigmoid": lambda: x.sigmoid(),
    }
    return table[kind]()


# --- building the same graph in each engine ----------------------------------------


def build(leaves, ops, make_leaf, after=None):
    nodes = [make_leaf(x) for x in leaves]
    for kind, idx, c in ops:
        out = apply(kind, [nodes[i] for i in idx], c)
        if after is not None:
            after(out)
        nodes.append(out)
    return nodes


def run_chainrule(leaves, ops):
    nodes = build(leaves, ops, Value)
    nodes[-1].backward()
    return [float(n.data) for n in nodes], [float(n.grad) for n in nodes]


def run_micrograd(leaves, ops):
    nodes = build(leaves, ops, mg.Value)
    nodes[-1].backward()
    return [float(n.data) for n in nodes], [float(n.grad) for n in nodes]


def run_torch(leaves, ops):
    def leaf(x):
        return torch.tensor(x, dtype=torch.float64, requires_grad=True)

    nodes = build(leaves, ops, leaf, after=lambda t: t.retain_grad())
    nodes[-1].backward()
    grads = [0.0 if n.grad is None else n.grad.item() for n in nodes]
    return [n.item() for n in nodes], grads


def assert_close_lists(actual, expected, what):
    assert len(actual) == len(expected)
    for k, (a, e) in enumerate(zip(actual, expected)):
        assert math.isclose(a, e, rel_tol=REL, abs_tol=ABS), f"{what} of node {k}: {a} != {e}"


def check_against(leaves, ops, oracle):
    data, grads = run_chainrule(leaves, ops)
    want_data, want_grads = oracle(leaves, ops)
    assert_close_lists(data, want_data, "data")
    assert_close_lists(grads, want_grads, "grad")


# --- fixed recipes: reuse and constants on either side ------------------------------

# (name, leaves, ops); operand indices count leaves first, then each op's result.
FIXED = [
    ("a + a", [1.5], [("add", (0, 0), None)]),
    ("a * a", [-1.25], [("mul", (0, 0), None)]),
    ("b = a * a; c = b + b", [0.7], [("mul", (0, 0), None), ("add", (1, 1), None)]),
    (
        "a feeds three later nodes",
        [0.3, -2.0],
        [
            ("mul", (0, 1), None),  # 2: a * b
            ("tanh", (0,), None),  # 3: tanh(a)
            ("div", (2, 0), None),  # 4: (a * b) / a
            ("add", (3, 4), None),  # 5
            ("mul", (5, 0), None),  # 6: ... * a
        ],
    ),
    ("2 * a", [1.1], [("rmul", (0,), 2.0)]),
    ("1 - a", [1.1], [("rsub", (0,), 1.0)]),
    ("1 / a", [-1.1], [("rdiv", (0,), 1.0)]),
    ("a + 3", [1.1], [("addc", (0,), 3.0)]),
    ("2 ** a", [1.1], [("rpow", (0,), 2.0)]),
    ("a ** b", [1.7, -0.6], [("powv", (0, 1), None)]),
    ("a ** a", [1.7], [("powv", (0, 0), None)]),
    ("a - a", [0.9], [("sub", (0, 0), None), ("addc", (1,), 1.0)]),
    ("a / a", [0.9], [("div", (0, 0), None)]),
    (
        "log(exp(a)) * sigmoid(a) - relu(-a)",
        [-0.8],
        [
            ("exp", (0,), None),
            ("log", (1,), None),
            ("sigmoid", (0,), None),
            ("mul", (2, 3), None),
            ("neg", (0,), None),
            ("relu", (5,), None),
            ("sub", (4, 6), None),
        ],
    ),
]
MICROGRAD_FIXED = [r for r in FIXED if all(op[0] in MICROGRAD_OPS for op in r[2])]


@pytest.mark.parametrize("name,leaves,ops", FIXED, ids=[r[0] for r in FIXED])
def test_fixed_graph_matches_torch(name, leaves, ops):
    check_against(leaves, ops, run_torch)


@pytest.mark.parametrize("name,leaves,ops", MICROGRAD_FIXED, ids=[r[0] for r in MICROGRAD_FIXED])
def test_fixed_graph_matches_micrograd(name, leaves, ops):
    check_against(leaves, ops, run_micrograd)


def test_fixed_recipes_cover_reuse():
    """The hand-written recipes really contain reused operands (sanity check of FIXED)."""
    reused = [name for name, _, ops in FIXED if any(len(set(idx)) < len(idx) for _, idx, _ in ops)]
    assert {"a + a", "a * a", "b = a * a; c = b + b"} <= set(reused)


# --- random recipes ------------------------------------------------------------------

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(raw_recipes(alphabet=MICROGRAD_OPS))
def test_random_graph_matches_micrograd(raw):
    leaves, ops = resolve(*raw)
    check_against(leaves, ops, run_micrograd)


@SETTINGS
@given(raw_recipes(alphabet=MICROGRAD_OPS))
def test_random_micrograd_op_graph_matches_torch(raw):
    leaves, ops = resolve(*raw)
    check_against(leaves, ops, run_torch)


@SETTINGS
@given(raw_recipes(alphabet=ALL_OPS))
def test_random_graph_matches_torch(raw):
    leaves, ops = resolve(*raw)
    check_against(leaves, ops, run_torch)


@SETTINGS
@given(raw_recipes(alphabet=ALL_OPS, max_leaves=2, max_ops=20))
def test_random_graph_with_heavy_reuse_matches_torch(raw):
    """Two leaves at most and many ops: nearly every op reuses a node."""
    leaves, ops = resolve(*raw, pick_recent=False)
    check_against(leaves, ops, run_torch)
