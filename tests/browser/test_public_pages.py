"""Browser journey of an anonymous visitor on a laptop (1366×900) and a phone (390×844): from the public
index to a body, a meeting, its agenda, a decision and a public paper; an unpublished meeting is "not found".
Every page: nothing off-screen, touch targets on the phone, no console error or failed request, no
serious or critical axe-core violation."""

from __future__ import annotations

import pytest

from tests.browser.conftest import (
    PHONE,
    VIEWPORTS,
    WAIT_MS,
    off_screen,
    serious_accessibility_violations,
    small_targets,
    watch,
)
from tests.world.documents import pdf_bytes
from tests.world.public import NEVER, public_scene

pytestmark = pytest.mark.browser


def _check(page, seen, problems: list[str]) -> None:
    where = f"{page.viewport_size['width']}px {page.url}"
    problems += [f"{where}: {p}" for p in seen.problems()]
    problems += [f"{where}: {p}" for p in off_screen(page)]
    if page.viewport_size["width"] <= PHONE["width"]:
        problems += [f"{where}: {p}" for p in small_targets(page)]
    problems += [f"{where}: {p}" for p in serious_accessibility_violations(page)]
    text = page.content()
    problems += [f"{where}: shows {m!r}" for m in NEVER if m in text]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_anonymous_public_journey(media, live_server, browser, viewport, tmp_path):
    w = public_scene()
    base = live_server.url
    context = browser.new_context(viewport=VIEWPORTS[viewport], accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    seen = watch(page)
    problems: list[str] = []

    page.goto(f"{base}/public/")
    assert page.locator("h1").inner_text() == "Public meetings"
    _check(page, seen, problems)

    page.locator("main a", has_text="ACCMSME").first.click()
    page.wait_for_url(f"{base}/public/bodies/ACCMSME/")
    assert "SEOM" in page.locator("main").inner_text()  # reports to
    _check(page, seen, problems)

    page.locator("a.title", has_text="Mtg-Past-Public").click()
    page.wait_for_url(f"{base}/public/meetings/{w.past.pk}/")
    main = page.locator("main").inner_text()
    for shown in ("Item-Circulated", "Decision-Public", "Paper-Public"):
        assert shown in main, shown
    _check(page, seen, problems)

    # A public paper downloads as uploaded.
    with page.expect_download() as download:
        page.locator("#papers a", has_text="Paper-Public").click()
    saved = tmp_path / "paper.pdf"
    download.value.save_as(saved)
    assert saved.read_bytes() == pdf_bytes("Paper-Public")
    # A download ends the navigation that asked for it: Chromium reports that as aborted, nothing else.
    paper_url = f"/public/papers/{w.paper_public.pk}/"
    problems += [p for p in seen.problems() if not (paper_url in p and "ERR_ABORTED" in p)]

    page.locator("a", has_text="Agenda on its own page").click()
    page.wait_for_url(f"{base}/public/meetings/{w.past.pk}/agenda/")
    assert "Item-Circulated" in page.locator("main").inner_text()
    _check(page, seen, problems)

    page.go_back()
    page.locator("a", has_text="Link to this decision").click()
    page.wait_for_url(f"{base}/public/decisions/{w.decision_public.pk}/")
    assert "Decision-Public" in page.locator("main").inner_text()
    _check(page, seen, problems)

    # Not published: the same "not found" as a page that never existed.
    response = page.goto(f"{base}/public/meetings/{w.private.pk}/")
    assert response is not None and response.status == 404
    assert "Mtg-Private" not in page.content()
    seen.problems()  # the 404 was the point
    context.close()
    assert not problems, "\n".join(problems)
