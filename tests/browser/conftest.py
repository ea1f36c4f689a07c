"""The browser journeys' fixtures: Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os

import pytest

from tests.machine import service_missing


@pytest.fixture
def require_chromium() -> str:
    path = "/usr/bin/chromium"
    if not os.path.exists(path):
        service_missing("needs Debian's chromium at /usr/bin/chromium")
    return path


CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def browser(require_chromium):
    """Debian's Chromium driven by Playwright (its own browser download does not work here)."""
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=require_chromium, args=CHROMIUM_FLAGS)
        yield b
        b.close()
