"""The run folder: where a run writes its files, and their names.

A run folder holds::

    config.json             the settings (RunConfig, resolved) and what the data was
    history.json            losses (and lr, accuracy) over the run
    metrics.json            final losses / accuracies, baselines, timing
    params.json             the parameter table (``models.parameter_table``)
    samples.txt             generated words (text models)
    checkpoint.safetensors  model + optimizer state, vocabulary, config, step (``cr.save``)
    *.png                   the plots
    report.html             one self-contained page built from all of the above
"""

from __future__ import annotations

import json
import math
import os
import time
from pathlib import Path
from typing import Any

__all__ = [
    "CHECKPOINT",
    "CONFIG",
    "HISTORY",
    "METRICS",
    "PARAMS",
    "REPORT",
    "SAMPLES",
    "default_run_dir",
    "read_json",
    "write_json",
    "write_text",
]

CONFIG = "config.json"
HISTORY = "history.json"
METRICS = "metrics.json"
PARAMS = "params.json"
SAMPLES = "samples.txt"
CHECKPOINT = "checkpoint.safetensors"
REPORT = "report.html"


def default_run_dir(root: str | os.PathLike = "runs", now: float | None = None) -> Path:
    """``runs/<YYYYmmdd-HHMMSS>`` for the current local time (``-2``, ``-3``, ... appended
    if that folder exists already)."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now))
    candidate = Path(root) / stamp
    number = 2
    while candidate.exists():
        candidate = Path(root) / f"{stamp}-{number}"
        number += 1
    return candidate


def _plain(value: Any) -> Any:
    """JSON-safe: non-finite floats become None, NumPy scalars and arrays plain values."""
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if hasattr(value, "tolist"):
        return _plain(value.tolist())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def write_text(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` to ``path`` (UTF-8) through a temporary file and a rename."""
    path = Path(path)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
    return path


def write_json(path: str | os.PathLike, data: Any) -> Path:
    """Write ``data`` as indented JSON (NaN and inf as null)."""
    return write_text(path, json.dumps(_plain(data), indent=2) + "\n")


def read_json(path: str | os.PathLike) -> Any:
    """The JSON data in ``path``; ValueError naming the file if it is not JSON."""
    path = Path(path)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ValueError(f"{path} is not valid JSON: {error}") from error
