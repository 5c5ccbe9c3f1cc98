"""``explain``: the backward pass as a table in the terminal, at most 80 columns wide."""

from __future__ import annotations

import io

import numpy as np

import chainrule as cr
from chainrule import Value
from chainrule.viz import explain


def lecture_graph() -> tuple[Value, dict[str, Value]]:
    """micrograd's first example: L = (a*b + c) * f."""
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c, f = Value(10.0, label="c"), Value(-2.0, label="f")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    L = d * f
    L.label = "L"
    return L, {"a": a, "b": b, "c": c, "f": f}


def table(root, **kwargs) -> list[str]:
    out = io.StringIO()
    explain(root, file=out, **kwargs)
    return out.getvalue().splitlines()


def input_column(lines: list[str]) -> slice:
    header = next(line for line in lines if line.startswith("step "))
    return slice(header.index("input"), header.index("local derivative"))


def step_rows(lines: list[str]) -> list[str]:
    """The rows of the step table: a step's first row, or a continuation row (blank step,
    node and op columns, an input named); notes are left out."""
    column = input_column(lines)
    return [
        line for line in lines
        if line[:4].strip().isdigit() or (not line[:column.start].strip() and line[column].strip())
    ]


def rows_by_input(lines: list[str]) -> dict[str, list[str]]:
    """input name -> the cells of the last table row for that input."""
    column = input_column(lines)
    return {line[column].strip(): line.split() for line in step_rows(lines)}


def test_lecture_table_has_the_hand_computed_gradients():
    L, leaves = lecture_graph()
    lines = table(L)
    # by hand: dL/dd = f = -2, dL/df = d = 4; dL/de = dL/dc = dL/dd * 1 = -2;
    # dL/da = dL/de * b = -2 * -3 = 6, dL/db = dL/de * a = -2 * 2 = -4
    rows = rows_by_input(lines)
    assert rows["a"][-1] == "6.0" and rows["a"][-2] == "6.0"
    assert rows["b"][-1] == "-4.0"
    assert rows["c"][-1] == "-2.0"
    assert rows["f"][-1] == "4.0"
    assert "  a = 6.0  b = -4.0  c = -2.0  f = 4.0" in lines
    assert {name: leaf.grad for name, leaf in leaves.items()} == {
        "a": 6.0, "b": -4.0, "c": -2.0, "f": 4.0}
    first = step_rows(lines)[0]
    assert first.split() == ["1", "L", "*", "d", "f", "=", "-2.0", "1.0", "-2.0", "-2.0"]
    assert all(len(line) <= 80 for line in lines)


def test_table_columns_and_return_value():
    L, _ = lecture_graph()
    out = io.StringIO()
    recording = explain(L, file=out)
    header = [line for line in out.getvalue().splitlines() if line.startswith("step")][0]
    for column in ("step", "node", "op", "input", "local derivative", "upstream", "contrib",
                   "grad"):
        assert column in header
    assert [step.name for step in recording.steps] == ["L", "d", "e"]


def test_explain_prints_to_stdout_by_default(capsys):
    L, _ = lecture_graph()
    explain(L)
    assert "a = 6.0" in capsys.readouterr().out


def test_neuron_gradients_and_unlabelled_nodes():
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    o = (x1 * w1 + x2 * w2 + b).tanh()
    lines = table(o)
    # micrograd's lecture: o = 0.7071, do/dn = 1 - o**2 = 0.5, x1.grad = w1 * 0.5, ...
    assert "  x1 = -1.5  w1 = 1.0  x2 = 0.5  w2 = 0.0  b = 0.5" in lines
    assert rows_by_input(lines)["n8"][:6] == ["1", "n9", "tanh", "n8", "1", "-"]
    assert any("n8     1 - n9² = 0.5" in line for line in lines)  # n<k>: forward position
    assert all(len(line) <= 80 for line in lines)


def test_reuse_is_explained_as_accumulation():
    a = Value(3.0, label="a")
    b = a + a
    lines = table(b)
    rows = [line for line in step_rows(lines) if line[input_column(lines)].strip() == "a"]
    assert [row.split()[-1] for row in rows] == ["1.0", "2.0"]  # += once per use
    notes = " ".join(line.strip() for line in lines if line.startswith("      "))
    assert "+=" in notes and "2 times" in notes


def test_long_names_and_numbers_stay_within_80_columns():
    a = Value(1.234567e-120, label="a_very_long_variable_name_indeed")
    b = Value(-9.87654e200, label="another_very_long_name")
    c = (a * b + a ** 3).tanh() / (b.sigmoid() + 1.0)
    lines = table(c)
    assert all(len(line) <= 80 for line in lines)
    assert any("…" in line for line in lines)


def test_tensor_table_shows_shapes_within_80_columns():
    rng = np.random.default_rng(1)
    x = cr.tensor(rng.standard_normal((32, 30)))
    W = cr.tensor(rng.standard_normal((30, 200)), requires_grad=True)
    loss = (x @ W).relu().mean()
    lines = table(loss, names={"x": x, "W": W})
    assert "      dW = xᵀ @ dout: (30, 32) @ (32, 200) → (30, 200)" in lines
    assert all(len(line) <= 80 for line in lines)
    assert any(line.startswith("  W = μ ") for line in lines)
