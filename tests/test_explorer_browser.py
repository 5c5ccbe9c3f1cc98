"""The explorer page in a real browser: headless Chromium steps through the whole pass.

The page for the lecture's tanh neuron is opened, "next" is pressed until the backward
phase is over, and each leaf's displayed gradient must equal the library's to 4
decimals; the page must log no errors and request nothing but its own file.
A screenshot is written to docs/explorer.png (the README shows it).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import chainrule as cr
from chainrule import Value

SCREENSHOT = Path(__file__).resolve().parent.parent / "docs" / "explorer.png"


def _neuron() -> tuple[Value, dict[str, Value]]:
    leaves = {
        "x1": Value(2.0, label="x1"),
        "x2": Value(0.0, label="x2"),
        "w1": Value(-3.0, label="w1"),
        "w2": Value(1.0, label="w2"),
        "b": Value(6.8813735870195432, label="b"),
    }
    n = leaves["x1"] * leaves["w1"] + leaves["x2"] * leaves["w2"] + leaves["b"]
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o, leaves


def _displayed_grads(page) -> dict[str, float]:
    """label -> the number shown in each value node's grad text."""
    grads = {}
    for node in page.query_selector_all("[data-node-id]"):
        label = node.query_selector(".label")
        grad = node.query_selector(".grad")
        text = grad.text_content() if grad else ""
        match = re.search(r"-?\d+(\.\d+)?(e-?\d+)?", text)
        if label is not None and match:
            grads[label.text_content().strip()] = float(match.group(0))
    return grads


def test_stepping_through_the_neuron_shows_the_engines_gradients(browser_page, tmp_path):
    root, leaves = _neuron()
    path = cr.viz.explore(root, tmp_path / "neuron.html", title="tanh neuron")
    page = browser_page.page
    page.goto(Path(path).as_uri())
    page.wait_for_selector("[data-node-id]")
    total = int(page.get_attribute("#slider", "max"))
    assert total > 0
    for _ in range(total):
        page.click("#next")
    assert page.input_value("#slider") == str(total)

    expected = {name: value.grad for name, value in leaves.items()}
    hand_computed = {"x1": -1.5, "x2": 0.5, "w1": 1.0, "w2": 0.0, "b": 0.5}
    assert expected == pytest.approx(hand_computed, abs=1e-9)
    shown = _displayed_grads(page)
    for name, value in expected.items():
        assert name in shown, f"leaf {name} is not on the page: {sorted(shown)}"
        assert round(shown[name], 4) == round(value, 4), (name, shown[name], value)
    assert round(shown["o"], 4) == 1.0

    assert browser_page.errors == []
    assert [m for m in browser_page.console if m[0] in ("error", "warning")] == []
    assert browser_page.requests == [Path(path).as_uri()]

    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.click("#prev")  # the last backward step, with its chain-rule panel
    page.screenshot(path=str(SCREENSHOT))
    assert SCREENSHOT.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_keyboard_steps_and_reset(browser_page, tmp_path):
    root, _ = _neuron()
    path = cr.viz.explore(root, tmp_path / "neuron.html")
    page = browser_page.page
    page.goto(Path(path).as_uri())
    page.wait_for_selector("[data-node-id]")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert page.input_value("#slider") == "2"
    page.keyboard.press("ArrowLeft")
    assert page.input_value("#slider") == "1"
    page.click("#reset")
    assert page.input_value("#slider") == "0"
    assert browser_page.errors == []
