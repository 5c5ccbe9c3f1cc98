"""The command line: `chainrule --help` and `chainrule graph`."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from chainrule.cli import main

NEURON = [
    "graph",
    "tanh(x1*w1 + x2*w2 + b)",
    "--set", "x1=2", "x2=0", "w1=-3", "w2=1", "b=6.8813735870195432",
]


def test_python_m_chainrule_help_lists_the_commands():
    env = dict(os.environ)
    src = os.path.join(os.path.dirname(__file__), os.pardir, "src")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [src, env.get("PYTHONPATH")]))
    result = subprocess.run(
        [sys.executable, "-m", "chainrule", "--help"],
        capture_output=True, text=True, env=env, timeout=60, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "usage: chainrule" in result.stdout
    assert "graph" in result.stdout and "moons" in result.stdout


def test_help_in_process(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "graph" in out and "moons" in out


def test_no_command_prints_help(capsys):
    assert main([]) == 0
    assert "graph" in capsys.readouterr().out


def test_graph_help(capsys):
    with pytest.raises(SystemExit):
        main(["graph", "--help"])
    out = capsys.readouterr().out
    assert "--set" in out and "--out" in out and "--rankdir" in out


def test_graph_prints_value_and_leaf_gradients(capsys):
    assert main(NEURON) == 0
    lines = capsys.readouterr().out.splitlines()
    # by hand: o = tanh(0.8814) = 0.7071, do/dn = 0.5; dx1 = 0.5*w1, dw1 = 0.5*x1, ...
    assert lines[0] == "tanh(x1*w1 + x2*w2 + b) = 0.7071"
    rows = [line.split() for line in lines[1:]]
    assert [row[0] for row in rows] == ["x1", "w1", "x2", "w2", "b"]  # first appearance
    grads = {row[0]: row[-1] for row in rows}
    data = {row[0]: row[2] for row in rows}
    assert grads == {"x1": "-1.5000", "w1": "1.0000", "x2": "0.5000", "w2": "0.0000",
                     "b": "0.5000"}
    assert data == {"x1": "2.0000", "w1": "-3.0000", "x2": "0.0000", "w2": "1.0000",
                    "b": "6.8814"}
    assert all(row[1] == "=" and row[3] == "grad" for row in rows)
    assert len(lines) == 6  # no drawing without --out


def test_graph_writes_the_drawing(tmp_path, capsys):
    out = tmp_path / "neuron.dot"
    assert main([*NEURON, "--out", str(out), "--rankdir", "TB"]) == 0
    stdout = capsys.readouterr().out
    assert str(out) in stdout
    text = out.read_text()
    assert "rankdir=TB" in text
    assert "{ x1 | data 2.0000 | grad -1.5000 }" in text
    assert '[label="tanh" shape=ellipse]' in text


def test_graph_writes_svg_or_falls_back_to_dot(tmp_path, capsys):
    out = tmp_path / "neuron.svg"
    assert main([*NEURON, "--out", str(out)]) == 0
    captured = capsys.readouterr()
    if out.exists():
        assert "<svg" in out.read_text()
        assert str(out) in captured.out
    else:  # Graphviz's dot is not installed here
        fallback = tmp_path / "neuron.dot"
        assert fallback.read_text().startswith("digraph {")
        assert str(fallback) in captured.out
        assert "apt-get install graphviz" in captured.err


def test_graph_without_dot_program_notes_how_to_install(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert main([*NEURON, "--out", str(tmp_path / "neuron.png")]) == 0
    captured = capsys.readouterr()
    assert (tmp_path / "neuron.dot").exists() and not (tmp_path / "neuron.png").exists()
    assert "note:" in captured.err and "brew install graphviz" in captured.err
    assert "-1.5000" in captured.out


def test_repeated_variable_and_leading_minus(capsys):
    assert main(["graph", "--set", "x=3", "--", "-x**2 + x"]) == 0
    out = capsys.readouterr().out
    assert "= -6.0000" in out  # -(3**2) + 3
    assert "grad -5.0000" in out  # -2x + 1


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["graph", "x +", "--set", "x=1"], "ends too early"),
        (["graph", "x * y", "--set", "x=1"], "--set y=VALUE"),
        (["graph", "sin(x)", "--set", "x=1"], "unknown function 'sin'"),
        (["graph", "x", "--set", "x=abc"], "'abc' is not a number"),
        (["graph", "x", "--set", "x"], "expected NAME=VALUE"),
        (["graph", "1/0"], "division by zero"),
        (["graph", "x", "--set", "x=1", "--out", "graph.gif"], ".svg, .png, .pdf, .dot"),
    ],
)
def test_graph_errors_exit_2_with_a_message(argv, fragment, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("chainrule graph: error: ")
    assert fragment in captured.err
    assert "Traceback" not in captured.err
    assert list(tmp_path.iterdir()) == []


def test_unused_value_gets_a_note(capsys):
    assert main(["graph", "x", "--set", "x=1", "y=2"]) == 0
    assert "not in the expression: y" in capsys.readouterr().err


def test_bad_rankdir_is_an_argparse_error(capsys):
    with pytest.raises(SystemExit) as info:
        main(["graph", "x", "--set", "x=1", "--rankdir", "XY"])
    assert info.value.code == 2
    assert "invalid choice" in capsys.readouterr().err
