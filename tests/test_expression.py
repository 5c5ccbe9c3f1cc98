"""The safe expression parser: Python's precedence, one leaf per variable, clear errors."""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from chainrule import Value
from chainrule.expression import MAX_NESTING, parse_assignments, parse_expression

VALUES = {"a": 2.0, "b": -3.0, "c": 0.5, "x": 1.5, "y": -0.25}


def py(text: str, values: dict[str, float] = VALUES) -> float:
    """The oracle: Python's own arithmetic on the same text (the test's eval, not the library's)."""
    namespace = {
        "__builtins__": {},
        "tanh": math.tanh,
        "exp": math.exp,
        "log": math.log,
        "relu": lambda v: max(0.0, v),
        "sigmoid": lambda v: 1.0 / (1.0 + math.exp(-v)),
    }
    return eval(text, namespace, dict(values))  # noqa: S307 - test oracle on generated text


def ours(text: str, values: dict[str, float] = VALUES) -> float:
    root, _ = parse_expression(text, values)
    return root.data


@pytest.mark.parametrize(
    "text",
    [
        "2**3**2",
        "-x**2",
        "-2**2",
        "2**-1",
        "(-2)**2",
        "a - b - c",
        "a / b / c",
        "a - b * c + x / y",
        "a * b ** 2",
        "-a * -b",
        "+x - -y",
        "(a + b) * (c - x)",
        "x ** c ** -a",
        "2 * x ** 3 - 4 * x + 1",
        "1e-3 * a + 2.5E2 + .5 + 3.",
        "tanh(a * b) + exp(c) - log(x) * sigmoid(y) + relu(b) + relu(a)",
        "--x",
        "x**2**0.5",
    ],
)
def test_precedence_and_associativity_match_python(text):
    assert ours(text) == pytest.approx(py(text), rel=1e-12, abs=1e-15)


def test_specific_values_by_hand():
    assert ours("2**3**2") == 512.0  # 2**(3**2), not (2**3)**2 == 64
    assert ours("-x**2") == -2.25  # -(x**2), not (-x)**2
    assert ours("a - b - c") == 4.5  # (2 - -3) - 0.5
    assert ours("a / b / c") == pytest.approx(-4 / 3)  # (2 / -3) / 0.5
    assert ours("8 / 4 * 2") == 4.0


# --- random expressions against Python's arithmetic ------------------------------

NAMES = list(VALUES)


def _leaf() -> st.SearchStrategy[str]:
    numbers = st.sampled_from(["0", "1", "2", "3", "0.5", "1.25", "10", "2e-1", "1E1", ".75"])
    return st.one_of(st.sampled_from(NAMES), numbers)


def _extend(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    binary = st.tuples(children, st.sampled_from(["+", "-", "*", "/"]), children)
    spaces = st.sampled_from(["", " "])
    return st.one_of(
        st.builds(lambda t, s: f"{t[0]}{s}{t[1]}{s}{t[2]}", binary, spaces),
        st.builds(lambda c: f"({c})", children),
        st.builds(lambda c: f"-{c}", children),
        st.builds(lambda c: f"+{c}", children),
        st.builds(lambda c, k: f"({c})**{k}", children, st.sampled_from(["0", "1", "2", "3"])),
        st.builds(
            lambda f, c: f"{f}({c})",
            st.sampled_from(["tanh", "sigmoid", "relu", "exp"]),
            children,
        ),
    )


expressions = st.recursive(_leaf(), _extend, max_leaves=12)


@settings(max_examples=300, deadline=None)
@given(expressions)
def test_random_expressions_match_python(text):
    try:
        expected = py(text)
    except ZeroDivisionError:
        with pytest.raises(ValueError, match="division by zero|zero to a negative power"):
            parse_expression(text, VALUES)
        return
    except OverflowError:
        assume(False)
    assume(math.isfinite(expected) and abs(expected) < 1e100)
    assert ours(text) == pytest.approx(expected, rel=1e-9, abs=1e-12)


@settings(max_examples=100, deadline=None)
@given(expressions)
def test_random_expressions_gradients_match_finite_differences(text):
    try:
        root, leaves = parse_expression(text, VALUES)
    except ValueError:
        assume(False)
    assume(math.isfinite(root.data) and abs(root.data) < 1e6)
    root.backward()
    h = 1e-6
    for name, leaf in leaves.items():
        up, down = dict(VALUES), dict(VALUES)
        up[name] += h
        down[name] -= h
        try:
            forward = (py(text, up) - root.data) / h
            backward = (root.data - py(text, down)) / h
        except (ZeroDivisionError, OverflowError, ValueError):
            assume(False)
        # skip points where the function is not smooth (relu's kink) or too steep to compare
        assume(abs(forward - backward) < 1e-3 * max(1.0, abs(forward)) and abs(forward) < 1e4)
        numeric = (forward + backward) / 2
        assert leaf.grad == pytest.approx(numeric, rel=1e-4, abs=1e-4), name


# --- gradients -----------------------------------------------------------------------


def test_tanh_neuron_gradients_by_hand():
    values = {"x1": 2.0, "x2": 0.0, "w1": -3.0, "w2": 1.0, "b": 6.8813735870195432}
    root, leaves = parse_expression("tanh(x1*w1 + x2*w2 + b)", values)
    assert list(leaves) == ["x1", "w1", "x2", "w2", "b"]  # order of first appearance
    assert all(leaf.label == name for name, leaf in leaves.items())
    root.backward()
    # n = 0.8814, o = tanh(n) = 1/sqrt(2); do/dn = 1 - o**2 = 0.5
    assert root.data == pytest.approx(math.sqrt(0.5))
    assert leaves["x1"].grad == pytest.approx(-1.5)  # 0.5 * w1
    assert leaves["w1"].grad == pytest.approx(1.0)  # 0.5 * x1
    assert leaves["x2"].grad == pytest.approx(0.5)  # 0.5 * w2
    assert leaves["w2"].grad == pytest.approx(0.0)  # 0.5 * x2
    assert leaves["b"].grad == pytest.approx(0.5)


def test_repeated_variable_is_one_leaf_and_gradients_accumulate():
    root, leaves = parse_expression("x*x", {"x": 3.0})
    assert list(leaves) == ["x"]
    assert root._prev == (leaves["x"], leaves["x"])
    root.backward()
    assert leaves["x"].grad == 6.0  # 2x
    root, leaves = parse_expression("x + x*y + x", {"x": 3.0, "y": 4.0})
    root.backward()
    assert leaves["x"].grad == 6.0  # 1 + y + 1
    assert leaves["y"].grad == 3.0


def test_number_exponent_allows_negative_base_and_variable_exponent_works():
    root, leaves = parse_expression("x**2", {"x": -3.0})
    assert root._op == "**2" and root.data == 9.0
    root.backward()
    assert leaves["x"].grad == -6.0
    root, leaves = parse_expression("x**y", {"x": 2.0, "y": 3.0})
    root.backward()
    assert root.data == 8.0
    assert leaves["x"].grad == 12.0  # y * x**(y-1)
    assert leaves["y"].grad == pytest.approx(8.0 * math.log(2.0))


def test_power_zero_at_zero_has_zero_gradient():
    root, leaves = parse_expression("x**0", {"x": 0.0})
    root.backward()
    assert root.data == 1.0
    assert leaves["x"].grad == 0.0  # d(x**0)/dx = 0 everywhere


def test_single_variable_and_unused_values():
    root, leaves = parse_expression("  x  ", {"x": 2.0, "unused": 1.0})
    assert root is leaves["x"] and list(leaves) == ["x"]
    root, leaves = parse_expression("1 + 2", {})
    assert root.data == 3.0 and leaves == {}


def test_int_values_are_accepted():
    root, leaves = parse_expression("x / y", {"x": 1, "y": 2})
    assert root.data == 0.5 and isinstance(leaves["x"].data, float)


def test_deep_nesting_within_the_limit_and_long_chains():
    depth = MAX_NESTING
    root, _ = parse_expression("(" * depth + "x" + ")" * depth, {"x": 1.0})
    assert root.data == 1.0
    root, _ = parse_expression("tanh(" * depth + "x" + ")" * depth, {"x": 0.0})
    assert root.data == 0.0
    root, _ = parse_expression("-" * 5001 + "x", {"x": 1.0})
    assert root.data == -1.0
    root, _ = parse_expression("1" + "**1" * 5000, {})
    assert root.data == 1.0
    root, _ = parse_expression("+".join(["x"] * 5000), {"x": 1.0})
    root.backward()
    assert root.data == 5000.0


# --- errors ------------------------------------------------------------------------------


def error(text: str, values: dict[str, float] | None = None) -> str:
    with pytest.raises(ValueError) as info:
        parse_expression(text, VALUES if values is None else values)
    return str(info.value)


def test_unknown_function_lists_the_allowed_ones():
    message = error("sin(x)")
    assert "unknown function 'sin'" in message
    assert "exp, log, relu, sigmoid, tanh" in message


def test_variable_without_value_names_it_and_suggests_set():
    message = error("x1 * w1 + b", {"x1": 1.0})
    assert "'w1', 'b'" in message
    assert "--set w1=VALUE b=VALUE" in message
    assert "variable 'z' has no value" in error("z + 1", {})


def test_unexpected_character_with_position():
    message = error("x + $ 2")
    assert "unexpected character '$' at column 5" in message
    assert message.endswith("\n  x + $ 2\n      ^")


def test_unbalanced_parentheses():
    assert "'(' is never closed" in error("(x + 1")
    assert "column 1" in error("(x + 1")
    assert "')' has no matching '('" in error("x + 1)")
    assert "')' has no matching '('" in error(")")
    assert "expected an expression before ')'" in error("()")


def test_trailing_input():
    message = error("x y")
    assert "expected an operator" in message and "name 'y'" in message and "column 3" in message
    assert "expected an operator" in error("(x) 2")


def test_empty_expression():
    assert "empty expression" in error("")
    assert "empty expression" in error("   \t ")


def test_other_syntax_errors():
    assert "ends too early" in error("x +")
    assert "expected a number, a variable" in error("x + * y")
    assert "malformed number '2x'" in error("2x")
    assert "write 2*x" in error("2x")
    assert "malformed number" in error("1.2.3")
    assert "tanh is a function" in error("tanh + 1")
    assert "exactly one argument" in error("tanh(x, y)")
    assert "for a product write x*(...)" in error("x(2)")
    assert "unexpected character '^'" in error("x ^ 2")


def test_nesting_limit():
    depth = MAX_NESTING + 1
    assert f"more than {MAX_NESTING} deep" in error("(" * depth + "x" + ")" * depth)


def test_arithmetic_errors_become_value_errors_that_say_where():
    assert "division by zero" in error("x / (y - y)")
    assert "column 3" in error("x / (y - y)")
    assert "log" in error("log(b)")
    assert "positive base" in error("b ** x")
    assert "not a real number" in error("b ** 0.5")


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os')",
        "__import__('os').system('echo hi')",
        "x.__class__",
        "x.__class__.__mro__",
        "[x for x in ()]",
        "lambda: 1",
        "x; y",
        "x if y else c",
        "open('f')",
        "exec(1)",
        "x == y",
        "x @ y",
    ],
)
def test_anything_but_arithmetic_is_rejected(text):
    with pytest.raises(ValueError):
        parse_expression(text, VALUES)


def test_only_strings_are_parsed():
    with pytest.raises(TypeError):
        parse_expression(Value(1.0), {})  # type: ignore[arg-type]


# --- assignments -----------------------------------------------------------------------


def test_parse_assignments():
    assert parse_assignments(["x1=2", "w1=-3", "b=6.8813735870195432", " y = 1e-3 "]) == {
        "x1": 2.0,
        "w1": -3.0,
        "b": 6.8813735870195432,
        "y": 0.001,
    }
    assert parse_assignments([]) == {}


@pytest.mark.parametrize(
    ("item", "fragment"),
    [
        ("x", "expected NAME=VALUE"),
        ("x=", "expected NAME=VALUE"),
        ("=2", "expected NAME=VALUE"),
        ("x=abc", "'abc' is not a number"),
        ("x=1=2", "'1=2' is not a number"),
        ("1x=2", "not a variable name"),
        ("x-y=2", "not a variable name"),
        ("tanh=1", "is a function"),
        ("x=nan", "finite"),
        ("x=inf", "finite"),
    ],
)
def test_parse_assignments_errors(item, fragment):
    with pytest.raises(ValueError, match="cannot read") as info:
        parse_assignments([item])
    assert fragment in str(info.value)


def test_parse_assignments_conflicting_duplicates():
    assert parse_assignments(["x=1", "x=1.0"]) == {"x": 1.0}
    with pytest.raises(ValueError, match="two different values"):
        parse_assignments(["x=1", "x=2"])
