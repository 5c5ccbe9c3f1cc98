"""The backprop explorer: the recorded steps are the engine's own pass, and the page is one file.

Random ``Value`` graphs (hypothesis) check that the recording lists the nodes in
the order the engine really steps through them (observed by wrapping every
node's backward rule and calling the public ``backward()``), that the
gradients it ends with are the engine's, that the per-use contributions add up
to each leaf's gradient, and that every named local derivative agrees with
PyTorch's autograd on the same op and numbers.
"""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import chainrule as cr
from chainrule import Value
from chainrule.engine import topological_order
from chainrule.viz import explore, layout, record_backward, to_dot
from chainrule.viz.derivatives import VALUE_DERIVATIVES, value_op_key
from chainrule.viz.explore import embed_json, page_data
from chainrule.viz.layout import layered_layout
from chainrule.viz.steps import fmt

SVG_NS = "http://www.w3.org/2000/svg"

# --- random Value graphs ---------------------------------------------------------------------

OPS = ("+", "-", "*", "/", "**", "**n", "exp", "log", "tanh", "sigmoid", "ReLU", "neg")


def _apply(op: str, a: Value, b: Value, n: int) -> Value | None:
    """Build one op, or None where its numbers would leave the safe range."""
    x, y = a.data, b.data
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "/":
        return a / b if abs(y) > 0.2 else None
    if op == "**":
        return a ** b if 0.2 < x < 5 and abs(y) < 3 else None
    if op == "**n":
        return a ** n if abs(x) > 0.2 else None
    if op == "exp":
        return a.exp() if x < 5 else None
    if op == "log":
        return a.log() if x > 0.2 else None
    if op == "neg":
        return -a
    if op == "ReLU":
        return a.relu() if abs(x) > 1e-3 else None
    return getattr(a, op)()


@st.composite
def value_graphs(draw: st.DrawFn) -> Value:
    leaves = [
        Value(draw(st.floats(-2, 2, allow_nan=False)), label=f"x{i}")
        for i in range(draw(st.integers(1, 4)))
    ]
    nodes = list(leaves)
    for _ in range(draw(st.integers(1, 14))):
        op = draw(st.sampled_from(OPS))
        a = nodes[draw(st.integers(0, len(nodes) - 1))]
        b = nodes[draw(st.integers(0, len(nodes) - 1))]  # may be a again: a + a
        node = _apply(op, a, b, draw(st.sampled_from((2, 3, -1))))
        if node is not None and math.isfinite(node.data) and abs(node.data) < 1e4:
            nodes.append(node)
    return nodes[-1]


def _engine_order(root: Value) -> list[Value]:
    """The nodes whose backward rule Value.backward() really runs, in the order it runs them."""
    seen: list[Value] = []
    nodes = topological_order(root)
    originals = {node: node._rule for node in nodes}
    for node in nodes:
        node._rule = lambda out, rule=originals[node]: (seen.append(out), rule(out))
    try:
        root.backward()
    finally:
        for node in nodes:
            node._rule = originals[node]
    return [node for node in seen if node._prev]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value_graphs())
def test_recorded_steps_are_the_engines_pass(root):
    recording = record_backward(root)
    recorded = [step.node for step in recording.steps]
    order = topological_order(root)
    assert [id(n) for n in recorded] == [id(n) for n in reversed(order) if n._prev]

    grads = {node: node.grad for node in order}
    for node in order:
        node.grad = 0.0
    engine_order = _engine_order(root)
    assert [id(n) for n in recorded] == [id(n) for n in engine_order]
    for node in order:  # the same pass, the same floats
        assert node.grad == grads[node] == recording.grads[node] or math.isnan(node.grad)

    last = {root: recording.seed}
    for step in recording.steps:
        for update in step.updates:
            assert update.before == last.get(update.input, 0.0)
            last[update.input] = update.after
    for node in order:
        assert last.get(node, 0.0) == recording.grads[node] or math.isnan(node.grad)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value_graphs())
def test_contributions_add_up_to_every_gradient(root):
    recording = record_backward(root)
    total = {root: 1.0}
    for step in recording.steps:
        for term in step.terms:
            total[term.input] = total.get(term.input, 0.0) + term.contribution
    for node in recording.order:
        assert total.get(node, 0.0) == pytest.approx(node.grad, rel=1e-9, abs=1e-12)


def _torch_local(op: str, datas: list[float], n: float | None, position: int) -> float:
    leaves = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in datas]
    a = leaves[0]
    b = leaves[1] if len(leaves) > 1 else None
    out = {
        "+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b, "/": lambda: a / b,
        "**": lambda: a ** b, "**n": lambda: a ** n, "exp": lambda: a.exp(),
        "log": lambda: a.log(), "tanh": lambda: a.tanh(), "sigmoid": lambda: a.sigmoid(),
        "ReLU": lambda: a.relu(), "neg": lambda: -a,
    }[op]()
    (grad,) = torch.autograd.grad(out, leaves[position])
    return grad.item()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value_graphs())
def test_named_local_derivatives_match_pytorch(root):
    for step in record_backward(root).steps:
        key = value_op_key(step.op)
        assert key in VALUE_DERIVATIVES
        datas = [operand.data for operand in step.node._prev]
        assert not any(note.startswith("no named derivative") for note in step.notes)
        for term in step.terms:
            expected = _torch_local(key, datas, step.node._arg, term.position)
            assert term.local == pytest.approx(expected, rel=1e-9, abs=1e-12)
            assert term.contribution == pytest.approx(term.local * step.upstream, rel=1e-12)
            assert term.derivative.startswith(f"∂{step.name}/∂{term.name} = ")


def test_lecture_lines_name_each_derivative_with_its_numbers():
    recording = record_backward(lecture_graph())
    lines = {term.name: (term.derivative, term.line)
             for step in recording.steps for term in step.terms}
    assert lines["a"] == ("∂e/∂a = b = -3.0", "a.grad += b.data × e.grad = -3.0 × -2.0 = 6.0")
    assert lines["b"] == ("∂e/∂b = a = 2.0", "b.grad += a.data × e.grad = 2.0 × -2.0 = -4.0")
    assert lines["c"] == ("∂d/∂c = 1", "c.grad += 1 × d.grad = 1.0 × -2.0 = -2.0")
    assert [step.name for step in recording.steps] == ["L", "d", "e"]


def test_a_plus_a_shows_two_terms_and_the_accumulation_note():
    a = Value(3.0, label="a")
    b = a + a
    b.label = "b"
    (step,) = record_backward(b).steps
    assert [t.name for t in step.terms] == ["a", "a"]
    assert [t.contribution for t in step.terms] == [1.0, 1.0]
    (update,) = step.updates
    assert (update.before, update.after, update.uses) == (0.0, 2.0, 2)
    assert any("+=" in note and "2 times" in note for note in step.notes)
    assert a.grad == 2.0


def test_a_node_used_by_two_ops_notes_that_its_grad_accumulates():
    a = Value(2.0, label="a")
    c = a * 3.0 + a.exp()
    notes = [note for step in record_backward(c).steps for note in step.notes]
    assert any(note.startswith("a.grad already held") and "+=" in note for note in notes)


def test_recording_starts_clean_even_after_backward():
    root = lecture_graph()  # already backpropagated once
    root.backward()  # leaves now hold twice their gradient
    recording = record_backward(root)
    assert recording.grads[root._prev[0]] == -2.0  # d
    leaves = {n.label: n.grad for n in recording.order if not n._prev}
    assert leaves == {"a": 6.0, "b": -4.0, "c": -2.0, "f": 4.0}


def test_format_keeps_four_significant_digits():
    assert [fmt(6), fmt(-0.5), fmt(12345.6), fmt(0.881373587), fmt(-2.0)] == [
        "6.0", "-0.5", "1.235e+04", "0.8814", "-2.0"]


# --- the page ----------------------------------------------------------------------------------


def lecture_graph() -> Value:
    """micrograd's first example: L = (a*b + c) * f, after backward."""
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c, f = Value(10.0, label="c"), Value(-2.0, label="f")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    L = d * f
    L.label = "L"
    L.backward()
    return L


def page_blob(text: str) -> dict:
    match = re.search(
        r'<script type="application/json" id="graph-data">(.*?)</script>', text, re.S
    )
    assert match
    return json.loads(match.group(1))


def test_explore_writes_one_self_contained_file(tmp_path):
    path = explore(lecture_graph(), tmp_path / "graph.html")
    assert path == tmp_path / "graph.html" and list(tmp_path.iterdir()) == [path]
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    urls = set(re.findall(r"[a-z][a-z0-9+.-]*://[^\s\"'<>)]*", text, re.I))
    assert urls == {SVG_NS}  # the SVG namespace names a vocabulary; it is never fetched
    assert not re.search(r"<(link|script|img|iframe)[^>]*\s(src|href)=\"(?!data:)", text)
    assert "@import" not in text and "@font-face" not in text
    assert re.findall(r"url\(([^)]*)\)", text) == ["#arrow"]
    assert 'id="next"' in text and 'id="prev"' in text and 'id="play"' in text
    assert 'id="reset"' in text and 'id="slider"' in text
    assert '"data-node-id"' in text and '"grad"' in text  # the DOM the page builds

    data = page_blob(text)
    order = topological_order(lecture_graph())
    computed = sum(1 for node in order if node._prev)
    assert len(data["steps"]) == len(order) + 1 + computed
    assert [s["k"] for s in data["steps"]] == ["f"] * 7 + ["s"] + ["b"] * 3
    values = [n for n in data["nodes"] if n["kind"] == "value"]
    assert sorted(n["name"] for n in values) == sorted("abcdefL")
    last_grads = {}
    for step in data["steps"]:
        last_grads.update(dict(step.get("g", [])))
    by_name = {n["name"]: last_grads[n["id"]] for n in values}
    assert by_name == {"a": "6.0", "b": "-4.0", "c": "-2.0", "d": "-2.0", "e": "-2.0",
                       "f": "4.0", "L": "1.0"}
    lines = [text for step in data["steps"] for _, text in step["l"]]
    assert "a.grad += b.data × e.grad = -3.0 × -2.0 = 6.0" in lines


def test_labels_cannot_close_the_script_element(tmp_path):
    nasty = "</script><script>alert(1)</script><!--"
    a = Value(1.0, label=nasty)
    b = a * 2.0
    text = explore(b, tmp_path / "x.html", title=nasty).read_text(encoding="utf-8")
    assert text.count("</script>") == 2  # the data blob's and the code's own
    assert "<!--" not in text and "alert(1)</script>" not in text
    assert "&lt;/script&gt;" in text  # the title, escaped as HTML
    data = page_blob(text)
    assert data["title"] == nasty
    assert any(n.get("name") == nasty for n in data["nodes"])
    assert embed_json({"s": "<&>"}) == '{"s":"\\u003c\\u0026\\u003e"}'


def test_layout_runs_left_to_right_without_overlaps():
    recording = record_backward(lecture_graph())
    data = page_data(recording, "t")
    boxes = {n["id"]: n for n in data["nodes"]}
    for tail, head, x1, _, x2, _, _, bends in data["edges"]:
        assert boxes[tail]["x"] < boxes[head]["x"] and x1 < x2
        assert bends == []  # every edge of this graph joins neighbouring columns
    _assert_no_overlap(list(boxes.values()))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value_graphs())
def test_layout_of_random_graphs(root):
    data = page_data(record_backward(root), "t")
    boxes = {n["id"]: n for n in data["nodes"]}
    for tail, head, x1, _, x2, _, _, bends in data["edges"]:
        xs = [x1, *bends[0::2], x2]  # a long edge bends once in each column it crosses
        assert boxes[tail]["x"] < boxes[head]["x"] and xs == sorted(set(xs))
    _assert_no_overlap(list(boxes.values()))


def _assert_no_overlap(boxes: list[dict]) -> None:
    columns: dict[float, list[dict]] = {}
    for box in boxes:
        columns.setdefault(box["x"], []).append(box)
    for column in columns.values():
        column.sort(key=lambda b: b["y"])
        for upper, lower in zip(column, column[1:]):
            assert upper["y"] + upper["h"] / 2 <= lower["y"] - lower["h"] / 2 + 1e-6


def test_layout_pulls_an_input_next_to_its_use():
    sizes = [("a", 10, 10), ("b", 10, 10), ("d", 10, 10), ("c", 10, 10)]
    placed = layered_layout(sizes, [("a", "b"), ("b", "c"), ("d", "c")]).boxes
    assert placed["a"].x < placed["b"].x < placed["c"].x
    assert placed["d"].x == placed["b"].x  # not at the far left with a


def test_long_edges_bend_between_the_nodes_they_pass(monkeypatch):
    a = Value(3.0, label="a")
    b = a + a
    b.label = "b"
    root = b * a  # a -> * skips the column of b
    data = page_data(record_backward(root), "t")
    (long_edge,) = [e for e in data["edges"] if e[7]]
    assert long_edge[0] == "n0" and len(long_edge[7]) == 2 * 2  # crosses the + and b columns
    b_box = next(n for n in data["nodes"] if n.get("name") == "b")
    x, y = long_edge[7][2:4]  # the bend in b's column stays clear of b
    assert x == b_box["x"] and abs(y - b_box["y"]) >= b_box["h"] / 2

    monkeypatch.setattr(layout, "DUMMY_BUDGET", 0)  # too many bends: straight edges
    assert all(e[7] == [] for e in page_data(record_backward(root), "t")["edges"])


def test_a_deep_chain_explores_without_recursion(tmp_path):
    x = Value(1.0, label="x")
    y = x
    for _ in range(700):
        y = y * 1.0001 + 0.5
    data = page_blob(explore(y, tmp_path / "deep.html").read_text(encoding="utf-8"))
    assert len(data["steps"]) == (1 + 1400 * 2) + 1 + 1400


# --- tensors ---------------------------------------------------------------------------------


def tensor_mlp():
    rng = np.random.default_rng(0)
    x = cr.tensor(rng.standard_normal((32, 30)))
    W = cr.tensor(rng.standard_normal((30, 200)) * 0.2, requires_grad=True)
    b = cr.tensor(rng.standard_normal(200), requires_grad=True)
    loss = ((x @ W + b).tanh() ** 2).mean()
    return loss, x, W, b


def test_tensor_to_dot_shows_op_shape_and_statistics():
    loss, _, _, _ = tensor_mlp()
    dot = to_dot(loss)
    assert "{ Matmul | shape (32, 200) | data μ " in dot
    assert "{ leaf | shape (30, 200) | data μ " in dot and "grad None" in dot
    assert '[label="Matmul" shape=ellipse]' in dot


def test_tensor_recording_has_shapes_and_the_engines_gradients(tmp_path):
    loss, x, W, b = tensor_mlp()
    recording = record_backward(loss, names={"x": x, "W": W, "b": b})
    matmul = next(step for step in recording.steps if step.op == "Matmul")
    assert matmul.upstream.shape == (32, 200)
    (term,) = matmul.terms
    assert term.derivative == "dW = xᵀ @ dout: (30, 32) @ (32, 200) → (30, 200)"
    add = next(step for step in recording.steps if step.op == "Add")
    assert [t.derivative.split(":")[1] for t in add.terms] == [
        " (32, 200) → (32, 200)", " (32, 200) → (200,) (summed over broadcast axes)"]

    tx = torch.tensor(x.data)
    tW = torch.tensor(W.data, requires_grad=True)
    tb = torch.tensor(b.data, requires_grad=True)
    ((tx @ tW + tb).tanh() ** 2).mean().backward()
    for ours, theirs in ((W, tW), (b, tb)):
        np.testing.assert_allclose(ours.grad.data, theirs.grad.numpy(), rtol=1e-10)
        expected = theirs.grad.numpy()
        summary = recording.grads[ours]
        assert summary.shape == expected.shape
        stats = [summary.mean, summary.std, summary.min, summary.max]
        assert stats == pytest.approx(
            [expected.mean(), expected.std(), expected.min(), expected.max()], rel=1e-9)

    loss.backward(retain_graph=True)  # the recorder kept the graph: a second pass accumulates
    np.testing.assert_allclose(W.grad.data, 2 * tW.grad.numpy(), rtol=1e-10)

    data = page_blob(explore(loss, tmp_path / "t.html", names={"W": W}).read_text("utf-8"))
    lines = [text for step in data["steps"] for _, text in step["l"]]
    assert any("(30, 32) @ (32, 200) → (30, 200)" in line for line in lines)
    assert len(data["steps"]) == len(recording.order) + 1 + len(recording.steps)
    values = [n for n in data["nodes"] if n["kind"] == "value"]
    assert any(n["lines"][1] == "shape (30, 200) float64" for n in values)


def test_tensor_root_errors():
    loss, _, _, _ = tensor_mlp()
    loss.backward()
    with pytest.raises(RuntimeError, match="freed by an earlier backward"):
        record_backward(loss)
    with pytest.raises(RuntimeError, match="one element"):
        record_backward(cr.tensor([1.0, 2.0], requires_grad=True) * 2)
    with pytest.raises(RuntimeError, match="does not require grad"):
        record_backward(cr.tensor(1.0))
    with pytest.raises(TypeError, match="Value or Tensor"):
        record_backward(1.5)
