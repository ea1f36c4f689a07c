"""Bodies and uploads are read with a cap before anything parses them: an 8 MB iTIP body is refused in
well under a second without its bytes being read, and a 199 KB .odt whose first member inflates to 200 MB
is refused without inflating it. Memory is measured with tracemalloc."""

from __future__ import annotations

import base64
import io
import time
import tracemalloc
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.wsgi import get_wsgi_application

from meetings.services.documents import document_check_file
from tests.world.build import api_as

pytestmark = pytest.mark.django_db(transaction=True)

EIGHT_MB = 8 * 1024 * 1024


class LazyBody(io.RawIOBase):
    """A request body made on demand (nothing held in memory) that counts what the server reads."""

    def __init__(self, size: int) -> None:
        self.left = size
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        n = self.left if n is None or n < 0 else min(n, self.left)
        self.left -= n
        self.read_bytes += n
        return b"A" * n

    def readline(self, limit: int = -1) -> bytes:
        return self.read(limit if limit and limit > 0 else 1024)


def post_raw(path: str, body: LazyBody, *, size: int, content_type: str, auth: str) -> tuple[int, bytes]:
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": str(size),
        "HTTP_AUTHORIZATION": auth,
        "wsgi.input": body,
        "wsgi.url_scheme": "http",
        "wsgi.errors": io.StringIO(),
    }
    status: list[str] = []
    chunks = get_wsgi_application()(environ, lambda s, h, *a: status.append(s))
    return int(status[0].split()[0]), b"".join(chunks)


@pytest.fixture
def basic_auth(roles):
    roles.delegate.set_password("Hostile-input-2026")
    roles.delegate.save()
    return "Basic " + base64.b64encode(b"delegate:Hostile-input-2026").decode()


def test_an_8_mb_itip_body_is_refused_fast_with_memory_flat(roles, basic_auth):
    get_wsgi_application()  # loaded before measuring
    body = LazyBody(EIGHT_MB)
    tracemalloc.start()
    started = time.perf_counter()
    status, content = post_raw(
        "/api/v1/itip/reply/", body, size=EIGHT_MB, content_type="text/calendar", auth=basic_auth
    )
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert status == 413, content
    assert elapsed < 1.0
    assert body.read_bytes <= 256 * 1024 + 1
    assert peak < 2 * 1024 * 1024, peak


def test_an_itip_body_that_lies_about_its_length_is_read_only_to_the_cap(roles, basic_auth):
    from meetings.calendar.api import ITIP_MAX_BYTES, ICalendarParser, PayloadTooLarge

    body = LazyBody(EIGHT_MB)
    with pytest.raises(PayloadTooLarge):
        ICalendarParser().parse(body, parser_context={"request": None})
    assert body.read_bytes == ITIP_MAX_BYTES + 1


def test_an_oversized_multipart_upload_is_refused_from_its_headers(roles, settings, basic_auth):
    settings.DOCUMENT_MAX_BYTES = 1024 * 1024
    size = 64 * 1024 * 1024
    body = LazyBody(size)
    status, _ = post_raw(
        "/api/v1/documents/",
        body,
        size=size,
        content_type="multipart/form-data; boundary=xyz",
        auth=basic_auth,
    )
    assert status == 413
    assert body.read_bytes == 0


def test_a_multipart_upload_past_the_cap_is_cut_off_while_streaming(roles, settings):
    """A multipart body under the announced limit whose file part is larger than the cap: the upload
    handler stops it (the document never reaches the service)."""
    from governance.uploads import CappedUploadHandler

    settings.DOCUMENT_MAX_BYTES = 64 * 1024
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    handler = CappedUploadHandler()
    handler.handle_raw_input(None, {}, None, b"xyz")
    from django.core.files.uploadhandler import StopUpload

    with pytest.raises(StopUpload):
        for start in range(0, 200 * 1024, 8192):
            handler.receive_data_chunk(b"A" * 8192, start)
    assert handler.received <= 64 * 1024 + 1024 + 8192


def odt_bomb(inflated: int = 200 * 1024 * 1024) -> bytes:
    """An .odt whose first member, ``mimetype``, inflates to ``inflated`` bytes (written in chunks)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        with z.open("mimetype", "w", force_zip64=True) as member:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(inflated // len(chunk)):
                member.write(chunk)
        z.writestr("content.xml", "<office:document-content/>")
    return buf.getvalue()


def test_an_odt_bomb_is_refused_with_memory_flat():
    data = odt_bomb()
    assert len(data) < 400 * 1024  # a small upload...
    upload = SimpleUploadedFile("agenda.odt", data)
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(ValidationError) as exc:
        document_check_file(file=upload)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert "does not look like" in str(exc.value)
    assert elapsed < 1.0
    assert peak < 4 * 1024 * 1024, peak  # ...that would be 200 MB inflated


def test_an_odt_bomb_is_refused_through_the_api(roles, media):
    r = api_as(roles.secretariat).post(
        "/api/v1/documents/",
        {
            "meeting": roles.m_acc.pk,
            "title": "Bomb",
            "kind": "working_paper",
            "file": SimpleUploadedFile("bomb.odt", odt_bomb(20 * 1024 * 1024)),
        },
        format="multipart",
    )
    assert r.status_code == 400
    assert "file" in r.json()


def test_a_real_odt_still_passes():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        z.writestr("content.xml", "<office:document-content/>")
    ext, content_type = document_check_file(file=SimpleUploadedFile("paper.odt", buf.getvalue()))
    assert (ext, content_type) == ("odt", "application/vnd.oasis.opendocument.text")
