"""report.html in a real browser: headless Chromium shows every image, logs no errors and
requests nothing but the page itself."""

from __future__ import annotations

from pathlib import Path

from chainrule.report import build_report
from chainrule.runs import RunConfig, train


def test_report_opens_in_chromium_with_all_images(browser_page, tmp_path):
    out = tmp_path / "run"
    train(RunConfig(steps=40, n_hidden=8, out=str(out), lr_find=False, progress=False))
    page_path = build_report(out)
    page = browser_page.page
    page.goto(Path(page_path).as_uri())
    page.wait_for_load_state("load")
    images = page.eval_on_selector_all(
        "img", "imgs => imgs.map(i => [i.complete, i.naturalWidth, i.src.slice(0, 22)])"
    )
    assert len(images) >= 5
    for complete, width, src in images:
        assert complete and width > 0
        assert src == "data:image/png;base64,"
    assert browser_page.errors == []
    assert [m for m in browser_page.console if m[0] in ("error", "warning")] == []
    assert browser_page.requests == [Path(page_path).as_uri()]
