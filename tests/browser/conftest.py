"""The browser journeys' fixtures: Debian's Chromium driven by Playwright, one way to log in, and the checks
every page of a journey passes (nothing off-screen, no console error, no failed request, no serious
accessibility violation)."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from tests.machine import service_missing

PASSWORD = "pw-for-tests-123"  # make_user's default
LAPTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
VIEWPORTS = {"laptop": LAPTOP, "phone": PHONE}
WAIT_MS = 30_000


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


def log_in(page, base: str, username: str, password: str = PASSWORD, *, next_path: str = "") -> None:
    """Log in through the login page, then land where ``next_path`` says (the dashboard by default)."""
    page.goto(f"{base}/accounts/login/" + (f"?next={next_path}" if next_path else ""))
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url, timeout=WAIT_MS)
    page.wait_for_load_state()


@pytest.fixture
def logged_in(live_server) -> Callable[..., None]:
    """``logged_in(page, "sec")``: the one way the journeys log in (see ``log_in``)."""
    return lambda page, username, password=PASSWORD, **kw: log_in(
        page, live_server.url, username, password, **kw
    )


# --- What every page of a journey is checked for --------------------------------------------------------


@dataclass
class Watch:
    """Console errors and failed requests seen by a page since it was opened."""

    errors: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        out, self.errors = self.errors, []
        return out


def watch(page) -> Watch:
    w = Watch()
    page.on(
        "console", lambda m: w.errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None
    )
    page.on("pageerror", lambda exc: w.errors.append(f"page error: {exc}"))
    page.on("requestfailed", lambda r: w.errors.append(f"request failed: {r.method} {r.url} {r.failure}"))
    page.on(
        "response",
        lambda r: (
            w.errors.append(f"HTTP {r.status}: {r.request.method} {r.url}") if r.status >= 400 else None
        ),
    )
    return w


# Measured in the page: the document is no wider than the window, and every visible link, button and form
# control lies inside the window, or inside a box that scrolls sideways and is itself inside the window
# (a wide table on a phone scrolls within itself, its first column kept in view): reachable either way.
OFF_SCREEN_JS = """() => {
  const vw = window.innerWidth, out = [];
  const doc = document.documentElement.scrollWidth;
  if (doc > vw) out.push(`document is ${doc}px wide in a ${vw}px window`);
  const scroller = el => {
    for (let p = el.parentElement; p; p = p.parentElement) {
      const s = getComputedStyle(p);
      if ((s.overflowX === 'auto' || s.overflowX === 'scroll') && p.scrollWidth > p.clientWidth) return p;
    }
    return null;
  };
  for (const el of document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, label[for]')) {
    const r = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    if (!r.width || !r.height || s.visibility === 'hidden') continue;
    if (el.closest('.skip-link') || el.classList.contains('nav-toggle')) continue;  // shown on focus / visually hidden on purpose
    const box = scroller(el);
    const left = box ? box.getBoundingClientRect().left - box.scrollLeft : 0;
    const right = box ? left + box.scrollWidth : vw;
    if (box && (box.getBoundingClientRect().left < -1 || box.getBoundingClientRect().right > vw + 1))
      out.push(`scrolling box of ${el.tagName} "${(el.innerText || el.name || '').trim().slice(0, 40)}" is off-screen`);
    else if (r.left < left - 1 || r.right > right + 1)
      out.push(`${el.tagName} "${(el.innerText || el.name || el.id || '').trim().slice(0, 40)}" at ${Math.round(r.left)}–${Math.round(r.right)} is outside 0–${vw}`);
  }
  return out;
}"""


def off_screen(page) -> list[str]:
    return page.evaluate(OFF_SCREEN_JS)


# On a phone every button, button-styled link and form field is a touch target of at least 44 px high
# (links inside running text are exempt, as WCAG 2.5.5 exempts them).
SMALL_TARGETS_JS = """() => {
  const out = [];
  for (const el of document.querySelectorAll('button, a.button, input:not([type=hidden]):not([type=checkbox]):not([type=radio]), select, label.nav-toggle-label')) {
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height || el.classList.contains('nav-toggle')) continue;
    if (r.height < 43.5) out.push(`${el.tagName} "${(el.innerText || el.name || el.id || '').trim().slice(0, 40)}" is ${Math.round(r.height)}px high`);
  }
  return out;
}"""


def small_targets(page) -> list[str]:
    return page.evaluate(SMALL_TARGETS_JS)


def open_menu(page) -> None:
    """On a narrow screen the menu is folded behind its toggle: open it (a no-op where it is shown)."""
    toggle = page.locator("label.nav-toggle-label")
    if toggle.is_visible() and not page.locator("#main-menu").is_visible():
        toggle.click()
        page.locator("#main-menu").wait_for(state="visible", timeout=WAIT_MS)


def serious_accessibility_violations(page) -> list[str]:
    """axe-core (bundled by axe-playwright-python, nothing fetched) on the page as it stands."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]
