"""`build_report` on hand-made run folders: one self-contained page, every image embedded."""

from __future__ import annotations

import base64
import json
import re
import struct
import zlib
from html.parser import HTMLParser

import pytest

from chainrule.report import build_report, render_report


def _png(width: int, height: int, shade: int) -> bytes:
    """A valid grey PNG, written by hand (signature, IHDR, IDAT, IEND)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    rows = b"".join(b"\x00" + bytes([shade]) * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0,
                                                              0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


class _Page(HTMLParser):
    """Collects what the checks need: tags seen, image sources, attributes with URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.images: list[str] = []
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            if tag == "img" and name == "src":
                self.images.append(value)
            elif name in ("href", "src", "action"):
                self.urls.append(value)


def _text_run(folder, **metrics):
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps({
        "task": "text",
        "config": {"dataset": "names", "lr": 0.1, "steps": 300, "split": [0.8, 0.1, 0.1]},
        "data": {"description": "census first names", "words": {"train": 8, "val": 1,
                                                                 "test": 1}},
        "model": {"description": "Embedding(27, 10) -> ... -> Linear(200, 27)"},
    }))
    (folder / "metrics.json").write_text(json.dumps({
        "train_loss": 2.0, "val_loss": 2.125, "test_loss": 2.2, "bigram_train_loss": 2.45,
        "bigram_val_loss": 2.5, "bigram_test_loss": 2.55, "steps_done": 300, "steps": 300,
        "train_seconds": 1.5, "wall_seconds": 2.0, "interrupted": False, **metrics,
    }))
    (folder / "history.json").write_text(json.dumps({
        "step": [100, 200, 300], "loss": [2.5, 2.2, 2.1], "val_loss": [2.4, 2.2, 2.125],
        "lr": [0.1, 0.1, 0.01]}))
    (folder / "params.json").write_text(json.dumps({"rows": [
        {"layer": "embedding", "type": "Embedding", "parameter": "weight",
         "name": "embedding.weight", "shape": [27, 10], "count": 270, "lecture": "C"},
        {"layer": "output", "type": "Linear", "parameter": "bias", "name": "output.bias",
         "shape": [27], "count": 27, "lecture": "b2"},
    ], "total": 297}))
    (folder / "samples.txt").write_text("emma\n<b>olivia</b>\nava\n")
    (folder / "loss.png").write_bytes(_png(3, 2, 10))
    (folder / "update_ratios.png").write_bytes(_png(2, 2, 200))
    (folder / "extra.png").write_bytes(_png(1, 1, 90))
    return folder


def test_report_embeds_every_plot_as_a_data_uri(tmp_path):
    folder = _text_run(tmp_path / "run")
    path = build_report(folder)
    assert path == folder / "report.html"
    page = path.read_text(encoding="utf-8")
    parsed = _Page()
    parsed.feed(page)
    assert "script" not in parsed.tags and parsed.urls == []
    assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/", page, re.IGNORECASE)
    expected = [(folder / name).read_bytes() for name in ("loss.png", "update_ratios.png",
                                                          "extra.png")]
    assert len(parsed.images) == 3
    for source, png in zip(parsed.images, expected):  # known plots first, then the others
        prefix, data = source.split(",", 1)
        assert prefix == "data:image/png;base64"
        assert base64.b64decode(data) == png


def test_report_shows_metrics_samples_parameters_and_settings(tmp_path):
    page = render_report(_text_run(tmp_path / "run"))
    assert "2.1250" in page and "2.5000" in page  # val loss and bigram baseline
    assert "0.3750 nats below" in page  # 2.5 - 2.125
    assert "<li>emma</li>" in page and "&lt;b&gt;olivia&lt;/b&gt;" in page
    assert "<b>olivia" not in page  # samples are escaped
    assert "(27, 10)" in page and "(27,)" in page and "297" in page
    assert "<td>C</td>" in page and "<td>b2</td>" in page
    assert "<td>lr</td><td>0.1</td>" in page and "0.8, 0.1, 0.1" in page
    assert "Training was interrupted" not in page


def test_report_flags_an_interrupted_run(tmp_path):
    page = render_report(_text_run(tmp_path / "run", interrupted=True, steps_done=120))
    assert "Training was interrupted (Ctrl-C) after 120 steps" in page


def test_classification_report_shows_accuracy(tmp_path):
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps({"task": "classification", "config": {}}))
    (folder / "metrics.json").write_text(json.dumps({
        "train_loss": 0.1, "val_loss": 0.2, "test_loss": 0.3, "train_accuracy": 0.99,
        "val_accuracy": 0.95, "test_accuracy": 0.9375, "epochs_done": 3, "epochs": 3}))
    page = render_report(folder)
    assert "accuracy" in page and "0.9375" in page
    assert "bigram" not in page and "Generated samples" not in page


def test_missing_optional_files_and_broken_images(tmp_path):
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    (folder / "fake.png").write_text("not a png")
    page = build_report(folder).read_text()
    assert "<img" not in page
    assert "metrics.json is missing" in page and "No plots" in page
    assert "Not PNG images, left out: fake.png" in page


def test_not_a_run_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="no run folder"):
        build_report(tmp_path / "missing")
    with pytest.raises(ValueError, match="config.json"):
        build_report(tmp_path)
    (tmp_path / "config.json").write_text("{broken")
    with pytest.raises(ValueError, match="not valid JSON"):
        build_report(tmp_path)
