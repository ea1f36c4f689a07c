"""Documents: checked before anything is stored, versioned per title, and read only through the
permission-checked download."""

import hashlib

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError

from meetings import services
from meetings.models import Document
from tests.world.documents import docx_file, media_files, pdf_bytes, pdf_file
from tests.world.meetings import meeting_schedule

C = Document.Classification


def upload(m, file, title="Working paper on MSME finance", classification=C.RESTRICTED, kind="working_paper"):
    return services.document_upload(
        meeting=m, file=file, title=title, kind=kind, classification=classification
    )


@pytest.mark.django_db
def test_upload_stores_a_version_with_its_checksum(world, media):
    m = meeting_schedule(world)
    d1 = upload(m, pdf_file("finance.pdf", "one"))
    d2 = upload(m, pdf_file("finance-rev.pdf", "two"))
    other = upload(m, docx_file("agenda.docx"), title="Provisional agenda", kind="agenda")
    assert (d1.version, d2.version, other.version) == (1, 2, 1)
    assert d1.sha256 == hashlib.sha256(pdf_bytes("one")).hexdigest()
    assert d1.content_type == "application/pdf" and d1.original_name == "finance.pdf"
    assert other.content_type.endswith("wordprocessingml.document")
    assert d1.file.name.startswith("documents/") and "finance" not in d1.file.name  # our name, not theirs
    assert len(media_files(media)) == 3


@pytest.mark.django_db
@pytest.mark.parametrize(
    "file, message",
    [
        (SimpleUploadedFile("tool.exe", b"MZ\x90\x00binary"), "is not a type accepted here"),
        (SimpleUploadedFile("paper.pdf", b"<html>not a pdf</html>"), "does not look like a PDF file"),
        (SimpleUploadedFile("paper.docx", b"PK\x03\x04 not really a zip"), "does not look like a Word file"),
        (SimpleUploadedFile("empty.pdf", b""), "is empty"),
        (SimpleUploadedFile("notes.txt", b"\x00\x01\x02binary"), "does not look like a plain text file"),
    ],
)
def test_a_wrong_file_is_refused_and_nothing_is_stored(world, media, file, message):
    m = meeting_schedule(world)
    with pytest.raises(ValidationError) as exc:
        upload(m, file)
    assert message in exc.value.message_dict["file"][0]
    assert Document.objects.count() == 0
    assert media_files(media) == []


@pytest.mark.django_db
def test_a_zip_that_is_not_a_word_file_is_refused(world, media):
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(ValidationError):
        upload(meeting_schedule(world), SimpleUploadedFile("sheet-renamed.docx", buf.getvalue()))
    assert Document.objects.count() == 0 and media_files(media) == []


@pytest.mark.django_db
def test_a_file_too_large_is_refused_and_nothing_is_stored(world, media, settings):
    settings.DOCUMENT_MAX_BYTES = 1024
    m = meeting_schedule(world)
    with pytest.raises(ValidationError) as exc:
        upload(m, SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"x" * 2000))
    assert "documents may be at most 1 KB" in exc.value.message_dict["file"][0]
    assert Document.objects.count() == 0 and media_files(media) == []


@pytest.mark.django_db
def test_a_failure_after_the_file_was_written_leaves_no_file(world, media, monkeypatch):
    m = meeting_schedule(world)
    upload(m, pdf_file())

    def broken_save(self, *args, **kwargs):
        raise IntegrityError("simulated: the row could not be stored")

    monkeypatch.setattr(Document, "save", broken_save)
    with pytest.raises(ValidationError):
        upload(m, pdf_file(text="second"))
    monkeypatch.undo()
    assert Document.objects.count() == 1
    assert len(media_files(media)) == 1


@pytest.mark.django_db
def test_bad_metadata_is_refused_before_the_file_is_read(world, media):
    m = meeting_schedule(world)
    with pytest.raises(ValidationError) as exc:
        services.document_upload(meeting=m, file=pdf_file(), title=" ", kind="memo", classification=5)
    assert set(exc.value.message_dict) == {"title", "kind", "classification"}
    assert media_files(media) == []


# --- Downloads ---------------------------------------------------------------------------------------------


@pytest.fixture
def papers(world, media):
    m = meeting_schedule(world, confirm=True)
    return m, {
        "public": upload(m, pdf_file(text="public"), title="Press release", classification=C.PUBLIC),
        "restricted": upload(
            m, pdf_file(text="restricted"), title="Working paper", classification=C.RESTRICTED
        ),
        "confidential": upload(
            m, pdf_file(text="secret"), title="Chair's note", classification=C.CONFIDENTIAL
        ),
    }


def get(client, user, doc):
    client.force_login(user)
    return client.get(f"/documents/{doc.pk}/download/")


@pytest.mark.django_db
def test_download_is_an_attachment_with_no_sniffing(world, papers, client):
    _, docs = papers
    r = get(client, world.delegate_ph, docs["restricted"])
    assert r.status_code == 200
    assert r["Content-Disposition"].startswith("attachment;")
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["Content-Type"] == "application/pdf"
    assert b"".join(r.streaming_content) == pdf_bytes("restricted")


@pytest.mark.django_db
def test_a_delegate_cannot_reach_a_confidential_document(world, papers, client):
    _, docs = papers
    assert get(client, world.delegate_ph, docs["confidential"]).status_code == 404
    # The head of delegation is cleared for it; so is the Secretariat.
    assert get(client, world.head_ph, docs["confidential"]).status_code == 200
    assert get(client, world.sec, docs["confidential"]).status_code == 200


@pytest.mark.django_db
def test_someone_outside_the_body_sees_no_document(world, papers, client):
    _, docs = papers
    assert get(client, world.outsider, docs["public"]).status_code == 404
    client.logout()
    r = client.get(f"/documents/{docs['public'].pk}/download/")
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


@pytest.mark.django_db
def test_the_meeting_page_lists_only_what_the_reader_may_read(world, papers, client):
    m, docs = papers
    client.force_login(world.delegate_ph)
    html = client.get(f"/meetings/{m.pk}/").content.decode()
    assert "Working paper" in html and "Press release" in html
    assert "Chair&#x27;s note" not in html and "Chair's note" not in html


def test_upload_limits_are_configured():
    assert (
        isinstance(django_settings.DOCUMENT_MAX_BYTES, int)
        and 0 < django_settings.DOCUMENT_MAX_BYTES <= 100 * 2**20
    )
    assert django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 10 * 2**20
    assert django_settings.FILE_UPLOAD_PERMISSIONS == 0o640
    # Uploaded files are never served straight from MEDIA_ROOT: only the permission-checked view hands them out.
    assert django_settings.MEDIA_URL == "/media-not-served/"


@pytest.mark.django_db
def test_media_files_are_not_reachable_by_url(client, alice, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "documents").mkdir()
    (tmp_path / "documents" / "secret.pdf").write_bytes(b"%PDF-1.4 confidential")
    client.force_login(alice)
    for url in (
        "/media-not-served/documents/secret.pdf",
        "/media/documents/secret.pdf",
        "/documents/secret.pdf",
    ):
        r = client.get(url)
        assert r.status_code == 404 and b"confidential" not in r.content
