"""Drawing the computation graph: DOT text, graphviz objects and rendered files."""

from __future__ import annotations

import re
import shutil
import warnings

import pytest

from chainrule import Value
from chainrule.viz import draw_dot, to_dot, write_graph

NODE = re.compile(r'^\t(\w+) \[label="(.*)" shape=(\w+)\]$', re.MULTILINE)
EDGE = re.compile(r"^\t(\w+) -> (\w+)$", re.MULTILINE)


def lecture_graph() -> Value:
    """micrograd's first example: L = (a*b + c) * f, after backward."""
    a = Value(2.0, label="a")
    b = Value(-3.0, label="b")
    c = Value(10.0, label="c")
    f = Value(-2.0, label="f")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    L = d * f
    L.label = "L"
    L.backward()
    return L


def records(dot: str) -> dict[str, str]:
    """label text -> record label, for every record node."""
    found = {}
    for _, label, shape in NODE.findall(dot):
        if shape == "record":
            found[label.split(" | ")[0].removeprefix("{ ")] = label
    return found


def test_to_dot_shows_every_value_with_data_and_grad():
    dot = to_dot(lecture_graph())
    # by hand: L = d*f = 4*-2 = -8; dL/dd = f = -2, dL/df = d = 4; dL/de = dL/dc = -2;
    # dL/da = -2 * b = 6, dL/db = -2 * a = -4
    expected = {
        "a": "{ a | data 2.0000 | grad 6.0000 }",
        "b": "{ b | data -3.0000 | grad -4.0000 }",
        "c": "{ c | data 10.0000 | grad -2.0000 }",
        "f": "{ f | data -2.0000 | grad 4.0000 }",
        "e": "{ e | data -6.0000 | grad -2.0000 }",
        "d": "{ d | data 4.0000 | grad -2.0000 }",
        "L": "{ L | data -8.0000 | grad 1.0000 }",
    }
    assert records(dot) == expected
    assert dot.startswith("digraph {") and dot.rstrip().endswith("}")
    assert "rankdir=LR" in dot


def test_to_dot_op_nodes_and_edges():
    dot = to_dot(lecture_graph())
    ops = [label for _, label, shape in NODE.findall(dot) if shape == "ellipse"]
    assert sorted(ops) == ["*", "*", "+"]
    edges = EDGE.findall(dot)
    # 3 op -> result edges + 2 operand -> op edges for each of the 3 binary ops
    assert len(edges) == 9
    ids = {node_id: label for node_id, label, _ in NODE.findall(dot)}
    by_name = {label.split(" | ")[0].removeprefix("{ "): i for i, label in ids.items()}
    # a and b feed the same '*' node, whose result is e
    a_op = [head for tail, head in edges if tail == by_name["a"]]
    b_op = [head for tail, head in edges if tail == by_name["b"]]
    assert a_op == b_op and ids[a_op[0]] == "*"
    assert (a_op[0], by_name["e"]) in edges
    # e and c feed '+', whose result is d
    (e_op,) = [head for tail, head in edges if tail == by_name["e"]]
    assert ids[e_op] == "+" and (by_name["c"], e_op) in edges and (e_op, by_name["d"]) in edges


def test_leaf_gets_no_op_node_and_repeated_operand_gets_two_edges():
    x = Value(3.0, label="x")
    dot = to_dot(x)
    assert len(NODE.findall(dot)) == 1 and EDGE.findall(dot) == []
    y = x + x
    dot = to_dot(y)
    assert len(NODE.findall(dot)) == 3
    assert len(EDGE.findall(dot)) == 3  # x -> +, x -> +, + -> y


def test_node_ids_are_deterministic():
    first = to_dot(lecture_graph())
    second = to_dot(lecture_graph())
    assert first == second
    assert "0x" not in first and not re.search(r"\d{8,}", first)  # no id()-based names


def test_rankdir_and_bad_rankdir():
    assert "rankdir=TB" in to_dot(lecture_graph(), rankdir="TB")
    with pytest.raises(ValueError, match="rankdir"):
        to_dot(lecture_graph(), rankdir="sideways")


def test_labels_are_escaped_for_records():
    v = Value(1.0, label='a|b{c}<d>"e\\')
    label = records(to_dot(v))
    (escaped,) = label.values()
    assert escaped == '{ a\\|b\\{c\\}\\<d\\>\\"e\\\\ | data 1.0000 | grad 0.0000 }'


def test_empty_label_is_fine():
    dot = to_dot(Value(0.5) * 2)
    assert "{  | data 0.5000 | grad 0.0000 }" in dot
    assert "{  | data 2.0000 | grad 0.0000 }" in dot
    assert "{  | data 1.0000 | grad 0.0000 }" in dot


def test_unary_op_label():
    x = Value(0.0, label="x")
    y = x.tanh()
    y.backward()
    dot = to_dot(y)
    assert '[label="tanh" shape=ellipse]' in dot
    assert "{ x | data 0.0000 | grad 1.0000 }" in dot  # tanh'(0) = 1


def test_deep_chain_needs_no_recursion():
    x = Value(1.0, label="x")
    y = x
    for _ in range(5000):
        y = y + 1.0
    dot = to_dot(y)
    # 1 + 5000 constants + 5000 results, plus 5000 op nodes
    assert len(NODE.findall(dot)) == 1 + 5000 + 5000 + 5000
    assert len(EDGE.findall(dot)) == 5000 * 3
    assert "{  | data 5001.0000 | grad 0.0000 }" in dot


def test_non_value_root_raises_type_error():
    with pytest.raises(TypeError, match="float"):
        to_dot(1.5)


def test_draw_dot_builds_the_same_graph():
    graphviz = pytest.importorskip("graphviz")
    root = lecture_graph()
    graph = draw_dot(root)
    assert isinstance(graph, graphviz.Digraph)
    assert graph.format == "svg"
    text = to_dot(root)
    assert NODE.findall(graph.source) == NODE.findall(text)
    assert EDGE.findall(graph.source) == EDGE.findall(text)
    assert "rankdir=TB" in draw_dot(root, format="png", rankdir="TB").source


def test_write_graph_renders_svg_with_dot(tmp_path):
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot program is not installed")
    path = write_graph(lecture_graph(), tmp_path / "sub" / "graph.svg")
    assert path == tmp_path / "sub" / "graph.svg"
    text = path.read_text()
    assert text.startswith("<?xml") or "<svg" in text
    assert "grad 6.0000" in text
    assert [p.name for p in path.parent.iterdir()] == ["graph.svg"]  # no temporary left over


def test_write_graph_renders_png_with_dot(tmp_path):
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot program is not installed")
    path = write_graph(lecture_graph(), tmp_path / "graph.png")
    assert path.read_bytes().startswith(b"\x89PNG")


def test_write_graph_without_dot_writes_dot_text_and_warns(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert shutil.which("dot") is None
    with pytest.warns(RuntimeWarning, match="apt-get install graphviz"):
        path = write_graph(lecture_graph(), tmp_path / "graph.svg")
    assert path == tmp_path / "graph.dot"
    assert not (tmp_path / "graph.svg").exists()
    text = path.read_text()
    assert text.startswith("digraph {")
    assert "{ a | data 2.0000 | grad 6.0000 }" in text


def test_write_graph_without_dot_via_which(tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name, *args, **kwargs: None)
    with pytest.warns(RuntimeWarning, match="brew install graphviz"):
        path = write_graph(lecture_graph(), tmp_path / "graph.pdf")
    assert path.suffix == ".dot" and path.read_text().startswith("digraph {")


def test_write_graph_dot_suffix_writes_text_without_warning(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        path = write_graph(lecture_graph(), str(tmp_path / "graph.dot"))
    assert path == tmp_path / "graph.dot"
    assert path.read_text() == to_dot(lecture_graph())


def test_write_graph_bad_suffix(tmp_path):
    with pytest.raises(ValueError, match=r"\.svg, \.png, \.pdf, \.dot"):
        write_graph(lecture_graph(), tmp_path / "graph.gif")
    with pytest.raises(ValueError):
        write_graph(lecture_graph(), tmp_path / "graph")
    assert list(tmp_path.iterdir()) == []


def test_draw_dot_without_graphviz_names_the_extra(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "graphviz", None)  # makes `import graphviz` fail
    with pytest.raises(ImportError, match=r"chainrule\[viz\]"):
        draw_dot(lecture_graph())
    assert to_dot(lecture_graph()).startswith("digraph {")  # needs nothing
