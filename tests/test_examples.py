"""Every script of the explorer gallery runs and writes its page."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SCRIPTS = sorted(EXAMPLES.glob("*.py"))


def test_gallery_has_the_lectures_examples():
    assert {p.stem for p in SCRIPTS} == {
        "expression", "neuron", "neuron_exp", "reuse", "mlp_loss", "cross_entropy",
    }


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_example_writes_a_self_contained_page(script, tmp_path):
    copy = shutil.copy(script, tmp_path)
    result = subprocess.run([sys.executable, copy], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    page = Path(copy).with_suffix(".html")
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") or html.lower().startswith("<!doctype html>")
    assert "https://" not in html


def test_expression_example_prints_the_hand_computed_gradients(tmp_path):
    copy = shutil.copy(EXAMPLES / "expression.py", tmp_path)
    out = subprocess.run([sys.executable, copy], capture_output=True, text=True, timeout=120).stdout
    for expected in ("a = 6.0", "b = -4.0", "c = -2.0", "f = 4.0"):
        assert expected in out
