"""Shared fixtures: a headless Chromium page for the tests of chainrule's HTML pages."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
# No network from the browser: no background services, no component updates.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass
class BrowserPage:
    """A Playwright page plus what it logged and requested."""

    page: Any
    console: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    requests: list = field(default_factory=list)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (installed by `make test`)."""
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium") or CHROMIUM
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(chromium: Any) -> Iterator[BrowserPage]:
    """A fresh page recording console messages, page errors and every request."""
    context = chromium.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    record = BrowserPage(page)
    page.on("console", lambda message: record.console.append((message.type, message.text)))
    page.on("pageerror", lambda error: record.errors.append(str(error)))
    page.on("request", lambda request: record.requests.append(request.url))
    yield record
    context.close()
