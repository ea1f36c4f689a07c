"""The pack's front matter drawn without a layout engine (``meetings.services.pack_front``): a long title is
wrapped inside its column, a contents longer than a page runs onto the next with its numbers still those of
the bookmarks, a title in a script that needs shaping is laid out by WeasyPrint instead, and hostile text
(parentheses, backslashes, markup) is drawn as it is written."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from meetings.models import AgendaVersion, Document, Meeting
from meetings.services import pack, pack_front
from meetings.services.pack import Entry, PackPlan, Paper, pack_render
from meetings.services.stamp_text import subset_for
from tests.meetings.test_pack import outline
from tests.meetings.test_watermark import real_pdf

C = Document.Classification
BASE_URL = "https://governance.example.org"


def plan_of(title: str, items: list[tuple[str, list[tuple[str, int]]]]) -> PackPlan:
    """A Public pack's plan: per agenda item its papers as (title, pages); 0 pages: a Word paper."""
    entries, pk = [], 0
    for n, (item, papers) in enumerate(items, 1):
        bound = []
        for paper_title, pages in papers:
            pk += 1
            kind = "application/pdf" if pages else "application/msword"
            doc = Document(pk=pk, title=paper_title, version=1, classification=C.PUBLIC, content_type=kind)
            bound.append(Paper(doc, data=real_pdf(paper_title, pages) if pages else b""))
        entries.append(Entry(str(n), item, 0, bound))
    return PackPlan(Meeting(title=title), AgendaVersion(number=2), C.PUBLIC, entries)


@pytest.fixture
def drawn_only(monkeypatch):
    """The front must be drawn here: WeasyPrint laying it out fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("the front was laid out by WeasyPrint")

    monkeypatch.setattr(pack, "_front_laid_out", refuse)


def build(plan: PackPlan) -> tuple[PdfReader, int, list[str]]:
    """The built pack, its front's length and its pages' text."""
    reader = PdfReader(io.BytesIO(pack_render(plan, base_url=BASE_URL)[0]))
    front = len(reader.pages) - sum(p.pages for p in plan.papers)
    return reader, front, [p.extract_text() for p in reader.pages]


def test_a_long_title_is_wrapped_inside_its_column():
    title = "Report of the working group on " + "access to finance for micro and small enterprises " * 4
    font = subset_for(title)
    words = [(w, None) for w in title.split()]
    lines = pack_front.wrap(font, pack_front.BODY, pack_front.TITLE_W, words)
    assert len(lines) >= 3
    assert all(font.width(" ".join(w for w, _ in line), 10.5) <= pack_front.TITLE_W for line in lines)
    assert " ".join(w for line in lines for w, _ in line) == " ".join(title.split())  # no word lost
    # A word wider than the column is broken between its characters rather than run past it.
    word = "x" * 200
    pieces = pack_front.wrap(font, pack_front.BODY, pack_front.TITLE_W, [(word, None)])
    assert len(pieces) > 1 and "".join(w for line in pieces for w, _ in line) == word
    assert all(font.width(line[0][0], 10.5) <= pack_front.TITLE_W for line in pieces)


@pytest.mark.django_db
def test_a_long_agenda_title_wraps_in_the_pack(drawn_only):
    long_item = "Financing " + "and the regional credit guarantee facility " * 5
    reader, front, texts = build(plan_of("21st ACCMSME Meeting", [(long_item, [("Finance survey", 2)])]))
    assert front == 2
    contents = texts[1]
    lines = [line for line in contents.splitlines() if "credit guarantee" in line]
    assert len(lines) >= 3  # the title over several lines…
    assert " ".join(contents.split()).count("credit guarantee facility") == 5  # …all of it
    listed = re.search(r"Finance survey \(v1, Public\)\s*(\d+)", contents)
    assert listed and int(listed[1]) == outline(reader)["Finance survey"] == 3


@pytest.mark.django_db
def test_a_contents_longer_than_a_page_runs_on_and_its_numbers_match_the_bookmarks(drawn_only):
    items = [(f"Agenda item number {n}", [(f"Paper {n}", 1 + n % 2)]) for n in range(1, 26)]
    items.append(("Any other business", [("Roadmap draft", 0)]))  # listed with a link
    plan = plan_of("21st ACCMSME Meeting", items)
    reader, front, texts = build(plan)
    assert front == 3  # a cover and two pages of contents, then exactly the papers' pages
    assert len(reader.pages) == 3 + sum(1 + n % 2 for n in range(1, 26))
    contents = "\n".join(texts[1:front])
    assert "Paper 1 (v1" in texts[1] and "Paper 25 (v1" in texts[2]  # ran onto the second page
    marks = outline(reader)
    for n in range(1, 26):
        listed = re.search(rf"Paper {n} \(v1, Public\)\s*(\d+)", contents)
        assert listed, n
        page = int(listed[1])
        assert marks[f"Paper {n}"] == page and f"Paper {n}" in texts[page - 1]
        assert marks[f"{n} Agenda item number {n}"] == page
    assert "Roadmap draft (v1, Public) — not bound in:" in contents
    # The Word paper's link: an annotation to its download over its address.
    link = f"{BASE_URL}/documents/26/download/"
    uris = [a.get_object()["/A"]["/URI"] for p in reader.pages[:front] for a in p.get("/Annots", [])]
    assert uris == [link] and link in contents


@pytest.mark.django_db
def test_a_title_that_needs_shaping_is_laid_out_by_weasyprint(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("drawn without shaping")

    monkeypatch.setattr(pack, "front_pdf", refuse)
    plan = plan_of("การประชุม ACCMSME ครั้งที่ 21", [("Financing", [("Finance survey", 2), ("Press line", 1)])])
    assert not pack_front.front_drawable(plan, level_label="Public", base_url=BASE_URL)
    reader, front, texts = build(plan)
    assert front == 2 and len(reader.pages) == 5
    marks = outline(reader)
    for title in ("Finance survey", "Press line"):
        listed = re.search(re.escape(title) + r" \(v1, Public\)\s*(\d+)", texts[1])
        assert listed and int(listed[1]) == marks[title], title


@pytest.mark.django_db
def test_hostile_text_is_drawn_as_written(drawn_only):
    meeting = "Budget (draft) \\ 2026 <script>alert('x')</script>"
    item = "Close ) ( \\) \\\\ & <b>bold</b> &amp;"
    paper = "Note (see \\ annex) <img src=x onerror=alert(1)>"
    plan = plan_of(meeting, [(item, [(paper, 1), ("Draft (1) \\ word", 0)])])
    reader, front, texts = build(plan)
    assert front == 2
    assert meeting in texts[0]
    flat = " ".join(texts[1].split())
    assert item in flat and f"{paper} (v1, Public)" in flat and "Draft (1) \\ word (v1, Public)" in flat
    (annot,) = reader.pages[1]["/Annots"]
    assert annot.get_object()["/A"]["/URI"] == f"{BASE_URL}/documents/2/download/"


def test_a_link_address_with_parentheses_and_spaces_is_escaped():
    assert pack_front._uri("https://x.example/a(b)\\c d/") == "(https://x.example/a\\(b\\)%5Cc%20d/)"
