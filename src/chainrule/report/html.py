"""Small HTML builders for the report: escaped text, tables, embedded images, the page."""

from __future__ import annotations

import base64
import math
from collections.abc import Iterable, Sequence
from html import escape
from typing import Any

__all__ = ["fmt", "image", "page", "section", "setting", "table"]

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

STYLE = """
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d2430;
       max-width: 1100px; margin: 2em auto; padding: 0 1.2em; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.25em; border-bottom: 1px solid #d8dee6; padding-bottom: 0.2em;
     margin-top: 2em; }
p.lead { color: #4a5566; margin-top: 0; }
table { border-collapse: collapse; margin: 0.6em 0; }
th, td { border: 1px solid #d8dee6; padding: 0.3em 0.7em; text-align: left; }
th { background: #f2f5f8; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.total td { font-weight: bold; background: #f7f9fb; }
code, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; }
.notice { background: #fff4d6; border: 1px solid #e8c766; padding: 0.6em 1em; }
.good { color: #1a7f37; } .bad { color: #b42318; }
figure { margin: 1.2em 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #e3e8ee; }
figcaption { color: #4a5566; font-size: 0.92em; }
ol.samples { columns: 4 10em; font-family: ui-monospace, Menlo, Consolas, monospace; }
"""


def fmt(value: Any, digits: int = 4) -> str:
    """A value as report text: floats to ``digits`` decimals, ints with separators."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        if value != 0 and (abs(value) < 1e-3 or abs(value) >= 1e6):
            return f"{value:.{digits - 1}e}"
        return f"{value:.{digits}f}"
    if isinstance(value, list | tuple):
        return ", ".join(fmt(item, digits) for item in value)
    return str(value)


def setting(value: Any) -> str:
    """A setting as written: numbers in their shortest form (0.1, 1e-05, 30000)."""
    if isinstance(value, float) and math.isfinite(value):
        return f"{value:g}"
    if isinstance(value, list | tuple):
        return ", ".join(setting(item) for item in value)
    return fmt(value) if value is None or isinstance(value, bool) else str(value)


def table(header: Sequence[str] | None, rows: Iterable[Sequence[Any]],
          numeric: Iterable[int] = (), total: Sequence[Any] | None = None) -> str:
    """An HTML table (``header`` None: no header row); cells are escaped; columns in
    ``numeric`` are right-aligned; ``total`` is a bold last row."""
    numeric = set(numeric)

    def cells(values: Sequence[Any], tag: str) -> str:
        return "".join(
            f'<{tag}{" class=num" if i in numeric else ""}>{escape(str(v))}</{tag}>'
            for i, v in enumerate(values)
        )

    body = "".join(f"<tr>{cells(row, 'td')}</tr>" for row in rows)
    if total is not None:
        body += f'<tr class="total">{cells(total, "td")}</tr>'
    head = "" if header is None else f"<thead><tr>{cells(header, 'th')}</tr></thead>"
    return f"<table>{head}<tbody>{body}</tbody></table>"


def image(png: bytes, alt: str, caption: str) -> str:
    """A figure with the PNG embedded as a base64 ``data:`` URI (ValueError if not a PNG)."""
    if not png.startswith(PNG_SIGNATURE):
        raise ValueError(f"{alt} is not a PNG file")
    data = base64.b64encode(png).decode("ascii")
    return (f'<figure><img src="data:image/png;base64,{data}" alt="{escape(alt)}">'
            f"<figcaption>{escape(caption)}</figcaption></figure>")


def section(title: str, body: str) -> str:
    """``<section><h2>title</h2>body</section>`` (the body is HTML, the title text)."""
    return f"<section><h2>{escape(title)}</h2>{body}</section>\n"


def page(title: str, lead: str, sections: Iterable[str]) -> str:
    """The whole document: inline CSS, no scripts, no external references."""
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>{escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        f"<h1>{escape(title)}</h1>\n<p class=\"lead\">{escape(lead)}</p>\n"
        + "".join(sections)
        + "</body>\n</html>\n"
    )
