"""`chainrule graph EXPR --html PATH` and `--explain`: the explorer from the command line."""

from __future__ import annotations

import json
import re

import pytest

from chainrule.cli import main

LECTURE = ["graph", "(a*b + c) * f", "--set", "a=2", "b=-3", "c=10", "f=-2"]


def test_explain_prints_the_step_table(capsys):
    assert main([*LECTURE, "--explain"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("(a*b + c) * f = -8.0000\n")
    lines = out.splitlines()
    assert any(re.match(r"step +node +op +input +local derivative", line) for line in lines)
    # by hand: dL/da = f * b = 6, dL/db = f * a = -4, dL/dc = f = -2, dL/df = a*b + c = 4
    assert "  a = 6.0  b = -4.0  c = -2.0  f = 4.0" in lines
    table = lines[lines.index("") + 1:]
    assert all(len(line) <= 80 for line in table)


def test_html_writes_the_explorer(tmp_path, capsys):
    path = tmp_path / "sub" / "out.html"
    assert main([*LECTURE, "--html", str(path)]) == 0
    assert f"backprop explorer written to {path}" in capsys.readouterr().out
    text = path.read_text(encoding="utf-8")
    assert "<title>chainrule graph: (a*b + c) * f</title>" in text
    blob = re.search(r'id="graph-data">(.*?)</script>', text, re.S).group(1)
    data = json.loads(blob)
    # 4 variables + 3 results, then the seed, then one step per result
    assert len(data["steps"]) == 7 + 1 + 3
    assert sorted(n["name"] for n in data["nodes"] if n["kind"] == "value") == sorted(
        ["a", "b", "c", "f", "n2", "n4", "n6"])


def test_html_and_explain_together_with_out(tmp_path, capsys):
    path = tmp_path / "g.html"
    dot = tmp_path / "g.dot"
    assert main([*LECTURE, "--explain", "--html", str(path), "--out", str(dot)]) == 0
    out = capsys.readouterr().out
    assert "a = 6.0" in out and path.exists() and dot.exists()


def test_unwritable_html_path_is_a_clean_error(tmp_path, capsys):
    assert main([*LECTURE, "--html", str(tmp_path)]) == 2  # a folder, not a file
    assert "chainrule graph: error:" in capsys.readouterr().err


def test_help_lists_the_new_options(capsys):
    with pytest.raises(SystemExit):
        main(["graph", "--help"])
    out = capsys.readouterr().out
    assert "--html PATH" in out and "--explain" in out
