"""Browser journeys (Playwright driving Debian's Chromium) for the work between meetings: a delegate
downloads the meeting pack from the meeting page, and two delegates download a Confidential paper, each
copy stamped with its reader's name on every page, and the Secretariat traces both copies from their ids."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from meetings.models import Document
from tests.browser.conftest import WAIT_MS
from tests.meetings.test_pack import PAPERS, outline, packed  # noqa: F401 (packed: the fixture)

pytestmark = pytest.mark.browser
C = Document.Classification


def download(page, link_selector: str) -> bytes:
    with page.expect_download(timeout=WAIT_MS) as info:
        page.click(link_selector)
    return open(info.value.path(), "rb").read()


@pytest.mark.django_db(transaction=True)
def test_a_delegate_downloads_the_pack(world, packed, live_server, browser, logged_in):  # noqa: F811
    page = browser.new_page()
    logged_in(page, "delegate-ph")
    page.goto(f"{live_server.url}/meetings/{packed.pk}/")
    reader = PdfReader(io.BytesIO(download(page, "#pack-link")))
    texts = [p.extract_text() for p in reader.pages]
    bound = [(t, n) for _, t, level, n in PAPERS if level <= C.RESTRICTED]  # a Restricted reader's papers
    front = len(reader.pages) - sum(n for _, n in bound)
    assert front == 2  # the cover and one page of agenda and contents, then exactly the papers' pages
    marks = outline(reader)
    for title, _ in bound:
        listed = re.search(re.escape(title) + r" \(v1, [^)]*\)\s*(\d+)", texts[1])
        assert listed and int(listed[1]) == marks[title], title
    assert "Cyber incident annex" not in "".join(texts)
    assert all("issued to Delegate-Ph (Philippines)" in t for t in texts)


@pytest.mark.django_db(transaction=True)
def test_two_delegates_copies_of_a_confidential_paper_lead_back_to_them(
    world,
    packed,  # noqa: F811
    live_server,
    browser,
    logged_in,
):
    paper = Document.objects.get(title="Cyber incident annex")
    ids = {}
    for username, name in (("head-ph", "Head-Ph"), ("chair-vn", "Chair-Vn")):
        context = browser.new_context(accept_downloads=True)
        page = context.new_page()
        logged_in(page, username)
        page.goto(f"{live_server.url}/meetings/{packed.pk}/")
        data = download(page, f"#document-list a[href='/documents/{paper.pk}/download/']")
        texts = [p.extract_text() for p in PdfReader(io.BytesIO(data)).pages]
        assert len(texts) == 2 and all(f"issued to {name} (" in t for t in texts), texts
        (download_id,) = set(re.findall(r"download ([0-9A-Z]{8})", "".join(texts)))
        ids[download_id] = name
        context.close()
    assert len(ids) == 2
    page = browser.new_page()
    logged_in(page, "sec")
    for download_id, name in ids.items():
        page.goto(f"{live_server.url}/documents/downloads/trace/")
        page.fill("#id_id", download_id.lower())
        page.click("#trace-form button")
        page.locator("#trace-result").wait_for(timeout=WAIT_MS)
        assert page.locator("[data-recipient]").inner_text() == name
