"""Watermarked downloads: two delegates download a Confidential PDF, every page of each copy carries that
delegate's name, delegation and download id, and the ids lead back to them (the Secretariat's trace page and
command); Public papers go as uploaded; a Restricted file that cannot carry a stamp is still logged."""

from __future__ import annotations

import hashlib
import io
import re

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from freezegun import freeze_time
from pypdf import PdfReader

from governance.models import AuditEvent
from meetings.models import Document, DocumentDownload
from meetings.services.downloads import download_id_clean
from tests.world.build import api_as, client_as
from tests.world.clock import at
from tests.world.documents import document_row
from tests.world.meetings import meeting_schedule

PAGES = 3


def real_pdf(title: str, pages: int = PAGES) -> bytes:
    from weasyprint import HTML

    body = "".join(
        f"<section style='page-break-after:always'><h1>{title}</h1><p>Page {n}</p></section>"
        for n in range(1, pages + 1)
    )
    return HTML(string=body).write_pdf()


def stored_pdf(meeting, body, title: str, classification: int, data: bytes) -> Document:
    doc = document_row(meeting, body, title, classification)
    doc.file.save(f"{title}.pdf", ContentFile(data), save=False)
    doc.size, doc.sha256 = len(data), hashlib.sha256(data).hexdigest()
    doc.save()
    return doc


def page_texts(data: bytes) -> list[str]:
    return [p.extract_text() for p in PdfReader(io.BytesIO(data)).pages]


@pytest.fixture
def papers(world, media):
    m = meeting_schedule(world, confirm=True)
    confidential = stored_pdf(
        m, world.body, "Budget annex", Document.Classification.CONFIDENTIAL, real_pdf("Budget annex")
    )
    public = stored_pdf(
        m, world.body, "Press note", Document.Classification.PUBLIC, real_pdf("Press note", 1)
    )
    return m, confidential, public


def download(user, doc) -> tuple[bytes, str]:
    with freeze_time(at(2026, 5, 10, 10)):
        r = client_as(user).get(f"/documents/{doc.pk}/download/")
    assert r.status_code == 200, r.status_code
    return b"".join(r.streaming_content), r.get("X-Download-Id", "")


@pytest.mark.django_db
def test_each_delegates_copy_carries_their_name_on_every_page_and_the_id_leads_back(world, papers):
    _, confidential, _ = papers
    copies = {}
    for user, name, delegation in (
        (world.head_ph, "Head-Ph", "Philippines"),
        (world.chair, "Chair-Vn", "Viet Nam"),
    ):
        data, download_id = download(user, confidential)
        texts = page_texts(data)
        assert len(texts) == PAGES
        for n, text in enumerate(texts, start=1):
            assert f"Page {n}" in text  # the paper itself is intact
            assert f"issued to {name} ({delegation}) on 10 May 2026" in text, (n, text)
            assert f"download {download_id}" in text
        assert re.fullmatch(r"[0-9A-Z]{8}", download_id)
        copies[download_id] = (user, name, data)
    assert len(copies) == 2  # two ids, two different copies
    a, b = (c[2] for c in copies.values())
    assert a != b and a != confidential.file.open("rb").read()
    sec = client_as(world.sec)
    for download_id, (user, name, data) in copies.items():
        row = DocumentDownload.objects.get(download_id=download_id)
        assert (row.user, row.recipient, row.stamped, row.document) == (user, name, True, confidential)
        assert row.sha256 == hashlib.sha256(data).hexdigest()
        # As typed from a photocopy: lower case, a dash in the middle.
        typed = f"{download_id[:4].lower()}-{download_id[4:].lower()}"
        page = sec.get(f"/documents/downloads/trace/?id={typed}").content.decode()
        assert f"<td data-recipient>{name}</td>" in page
        by_hash = sec.get(f"/documents/downloads/trace/?id={row.sha256}").content.decode()
        assert f"<td data-download-id>{download_id}</td>" in by_hash
        # The document's audit trail names the copy too.
        assert (
            AuditEvent.objects.filter(
                action="copy_issued", object_type="meetings.document", object_id=confidential.pk, actor=user
            )
            .filter(data__download_id=download_id)
            .exists()
        )
        out = io.StringIO()
        call_command("download_trace", download_id, stdout=out)
        assert f"issued to {name}" in out.getvalue() and "Budget annex" in out.getvalue()


@pytest.mark.django_db
def test_public_papers_go_as_uploaded_and_are_not_logged(world, papers):
    _, _, public = papers
    data, download_id = download(world.delegate_ph, public)
    assert data == public.file.open("rb").read() and download_id == ""
    assert not DocumentDownload.objects.exists()


@pytest.mark.django_db
def test_the_api_download_is_stamped_too(world, papers):
    _, confidential, _ = papers
    with freeze_time(at(2026, 5, 10, 10)):
        r = api_as(world.head_ph).get(f"/api/v1/documents/{confidential.pk}/download/")
    assert r.status_code == 200
    data = b"".join(r.streaming_content)
    assert all(f"download {r['X-Download-Id']}" in t for t in page_texts(data))


@pytest.mark.django_db
def test_a_file_that_cannot_carry_a_stamp_is_still_logged(world, media):
    m = meeting_schedule(world, confirm=True)
    fake = document_row(m, world.body, "Scanned letter", Document.Classification.RESTRICTED)  # not a real PDF
    data, download_id = download(world.delegate_ph, fake)
    assert data == fake.file.open("rb").read()
    row = DocumentDownload.objects.get(download_id=download_id)
    assert not row.stamped and row.note.startswith("Not stamped") and row.recipient == "Delegate-Ph"


@pytest.mark.django_db
def test_only_the_secretariat_traces_and_an_unknown_id_is_said_so(world, papers):
    assert client_as(world.head_ph).get("/documents/downloads/trace/?id=ABCD1234").status_code == 404
    r = client_as(world.sec).get("/documents/downloads/trace/?id=ABCD1234")
    assert r.status_code == 404 and "No copy was issued" in r.content.decode()
    with pytest.raises(CommandError, match="No copy was issued"):
        call_command("download_trace", "ABCD1234")
    assert download_id_clean("k7q2-m9xo") == "K7Q2M9X0"


@pytest.mark.django_db
def test_a_reader_without_clearance_gets_no_copy(world, papers):
    _, confidential, _ = papers
    assert client_as(world.delegate_ph).get(f"/documents/{confidential.pk}/download/").status_code == 404
    assert not DocumentDownload.objects.exists()


# --- How the stamp is drawn: without a layout for a Latin name, into a pack stored ready for it ----------


def sized_pdf() -> bytes:
    """Two A4 pages and a US Letter landscape one: a stamp per page size."""
    from weasyprint import HTML

    css = "@page { size: A4; } @page wide { size: Letter landscape; } .w { page: wide; }"
    body = "".join(
        f"<section {'class=w' if n == 3 else ''} style='page-break-after:always'><p>Page {n}</p></section>"
        for n in (1, 2, 3)
    )
    return HTML(string=f"<style>{css}</style>{body}").write_pdf()


def stamp_for(name: str, download_id: str = "K7Q2M9XA"):
    from meetings.services.watermark import Stamp

    return Stamp("Confidential", name, "Viet Nam", "1 Dec 2026", download_id)


def test_a_latin_name_is_drawn_without_a_layout_and_reads_the_same_on_every_page_size(monkeypatch):
    from meetings.services import watermark

    def no_layout(*args, **kwargs):
        raise AssertionError("WeasyPrint laid out the stamp")

    monkeypatch.setattr(watermark, "stamp_pages_pdf", no_layout)
    stamp = stamp_for("Nguyễn Thị Lan")
    data = watermark.stamp_pdf(sized_pdf(), stamp)
    reader = PdfReader(io.BytesIO(data), strict=True)
    sizes = {(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in reader.pages}
    assert sizes == {(595, 842), (792, 612)}
    for n, text in enumerate(page_texts(data), start=1):
        assert f"Page {n}" in text
        assert stamp.line in text, (
            n,
            text,
        )  # "… issued to Nguyễn Thị Lan (Viet Nam) on 1 Dec 2026 · download …"
        assert "Nguyễn Thị Lan · K7Q2M9XA" in text  # and across the page
    assert one_revision(data)


def one_revision(data: bytes) -> bool:
    """One whole file: no earlier, unstamped revision to cut the copy back to."""
    return (
        data.count(b"%%EOF") == data.count(b"startxref") == 1
        and b"/Prev" not in data[data.rindex(b"trailer") :]
    )


def test_a_name_in_another_script_is_laid_out_by_weasyprint(monkeypatch):
    from meetings.services import watermark

    laid_out = []
    real = watermark.stamp_pages_pdf
    monkeypatch.setattr(watermark, "stamp_pages_pdf", lambda *a, **kw: laid_out.append(a) or real(*a, **kw))
    stamp = stamp_for("Иван Петров")
    data = watermark.stamp_pdf(sized_pdf(), stamp)
    assert len(laid_out) == 1
    assert all(stamp.line in text for text in page_texts(data))


def test_a_turned_page_is_stamped_upright():
    from pypdf import PdfWriter

    from meetings.services.watermark import stamp_pdf

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(real_pdf("Turned", 1))))
    writer.pages[0].rotate(90)
    out = io.BytesIO()
    writer.write(out)
    stamp = stamp_for("Somchai Wongsa")
    page = PdfReader(io.BytesIO(stamp_pdf(out.getvalue(), stamp))).pages[0]
    assert page.rotation == 0 and float(page.mediabox.width) > float(page.mediabox.height)
    assert stamp.line in page.extract_text()


def restricted_pack() -> bytes:
    from meetings.models import AgendaVersion, Meeting
    from meetings.services.pack import Entry, PackPlan, Paper, pack_render

    entries = [
        Entry(
            str(n + 1),
            f"Item {n + 1}",
            0,
            [Paper(Document(pk=n + 1, title=title, version=1, content_type="application/pdf"), data=data)],
        )
        for n, (title, data) in enumerate(
            (("Budget annex", real_pdf("Budget annex")), ("Sizes", sized_pdf()))
        )
    ]
    plan = PackPlan(
        Meeting(title="21st ACCMSME"), AgendaVersion(number=1), Document.Classification.RESTRICTED, entries
    )
    return pack_render(plan)[0]


def test_each_readers_copy_of_a_pack_fills_the_stored_pack_without_copying_its_pages(monkeypatch):
    from meetings.services import watermark

    pack = restricted_pack()

    def no_copy(data):
        raise AssertionError("the pack was copied page by page")

    monkeypatch.setattr(watermark, "stamp_prepare", no_copy)
    original = PdfReader(io.BytesIO(pack))
    for name, download_id in (("Head-Ph", "AAAA1111"), ("Nguyễn Thị Lan", "BBBB2222")):
        stamp = stamp_for(name, download_id)
        copy = watermark.stamp_pdf(pack, stamp)
        reader = PdfReader(io.BytesIO(copy), strict=True)
        assert len(reader.pages) == len(original.pages)
        assert [o.title for o in reader.outline if not isinstance(o, list)] == [
            o.title for o in original.outline if not isinstance(o, list)
        ]
        for n, text in enumerate(page_texts(copy), start=1):
            assert stamp.line in text and f"page {n} of {len(original.pages)}" in text, (n, text)
        assert one_revision(copy)


def test_a_file_changed_after_it_was_prepared_is_prepared_again():
    """The stamp slots are filled only in a file prepared here and unchanged since: empty forms that no page
    draws, put at the end of a file by someone else, cannot pass for a stamp."""
    from meetings.services.watermark import NotPrepared, stamp_fill, stamp_pdf

    pack = restricted_pack()
    at = pack.index(b"Budget annex")
    changed = pack[:at] + b"Budget annes" + pack[at + len(b"Budget annex") :]
    stamp = stamp_for("Head-Ph")
    with pytest.raises(NotPrepared):
        stamp_fill(changed, stamp)
    with pytest.raises(NotPrepared):
        stamp_fill(real_pdf("Never prepared"), stamp)
    assert all(stamp.line in text for text in page_texts(stamp_pdf(changed, stamp)))


def test_a_public_pack_has_no_stamp_slots():
    from meetings.models import AgendaVersion, Meeting
    from meetings.services.pack import Entry, PackPlan, Paper, pack_render

    paper = Paper(
        Document(pk=1, title="Press note", version=1, content_type="application/pdf"), data=real_pdf("P")
    )
    plan = PackPlan(
        Meeting(title="21st ACCMSME"),
        AgendaVersion(number=1),
        Document.Classification.PUBLIC,
        [Entry("1", "Opening", 0, [paper])],
    )
    assert b"/AccmsmeSlots" not in pack_render(plan)[0]
