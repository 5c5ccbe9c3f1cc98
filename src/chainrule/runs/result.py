"""``RunResult`` and the end of every run: the files of the run folder and the report."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..data.ngram import Vocab
from ..nn.module import Module
from .config import RunConfig
from .figures import save_run_plots
from .folder import CONFIG, HISTORY, METRICS, PARAMS, SAMPLES, write_json, write_text

__all__ = ["RunResult", "write_run_files"]


@dataclass
class RunResult:
    """What a training run produced.

    Attributes:
        run_dir: the run folder (see ``chainrule.runs.folder``).
        config: the resolved settings.
        metrics: final losses (and accuracies) on the full splits in eval mode, the
            baseline's, the step count and the wall time (``metrics.json``).
        history: the recorded curves (``history.json``).
        samples: generated words (text models; empty for classifiers).
        model: the trained model (in eval mode).
        vocab: the vocabulary (text models).
        interrupted: True if Ctrl-C stopped training early (the files were still
            written; the CLI then exits with status 130).
        checkpoint: the checkpoint file; report: the report page (None if it could
            not be built); notes: anything skipped along the way.
    """

    run_dir: Path
    config: RunConfig
    metrics: dict[str, Any]
    history: dict[str, list[Any]]
    samples: list[str]
    model: Module
    vocab: Vocab | None
    interrupted: bool
    checkpoint: Path
    report: Path | None
    notes: list[str] = field(default_factory=list)


def write_run_files(run_dir: Path, info: dict[str, Any], history: dict[str, list[Any]],
                    metrics: dict[str, Any], params: dict[str, Any], samples: list[str] | None,
                    diagnostics: Any, lr_result: Any, xlabel: str,
                    plots: bool = True) -> tuple[Path | None, list[str]]:
    """Write config/history/metrics/params/samples and (if ``plots``) the plots, then
    build the report.

    Returns ``(report path or None, notes)``.
    """
    from ..report import build_report

    write_json(run_dir / CONFIG, info)
    write_json(run_dir / HISTORY, history)
    write_json(run_dir / METRICS, metrics)
    write_json(run_dir / PARAMS, params)
    if samples is not None:
        write_text(run_dir / SAMPLES, "".join(f"{word}\n" for word in samples))
    notes: list[str] = []
    if plots:
        _, notes = save_run_plots(run_dir, history, diagnostics, lr_result, xlabel)
    try:
        report = build_report(run_dir)
    except (OSError, ValueError) as error:
        notes.append(f"report not written: {error}")
        report = None
    return report, notes
