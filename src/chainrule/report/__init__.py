"""The run report: one self-contained HTML page built from a run folder's files.

``build_report(run_dir)`` reads ``config.json``, ``metrics.json``, ``history.json``,
``params.json``, ``samples.txt`` and the PNG plots of a run folder (see
``chainrule.runs.folder``) and writes ``report.html`` beside them: the settings,
the final metrics (with the bigram baseline for text models, accuracy for
classifiers), every plot embedded as a ``data:`` URI, the generated samples and
the parameter table. Inline CSS, no scripts, no external URL: the page opens
offline, from a mail attachment or a CI artifact, exactly as it was written.
"""

from .build import build_report, render_report

__all__ = ["build_report", "render_report"]
