"""Documents of a meeting or a body: a file checked against its type before anything is stored, kept as
the next version of its title."""

from __future__ import annotations

import hashlib
import io
import uuid
import zipfile
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from governance.models import Body
from meetings.models import Document, Meeting
from meetings.services.meetings import locked_meeting, save_checked

Status = Meeting.Status


OOXML = "application/vnd.openxmlformats-officedocument"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _zip_names(f) -> list[str] | None:
    try:
        f.seek(0)
        with zipfile.ZipFile(f) as z:
            return z.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None


# An ODF "mimetype" member is a few dozen bytes. Read at most this much of it, decompressed: a member
# that claims or inflates to more is not a real one (a 199 KB upload can inflate to 200 MB).
ODF_MIMETYPE_MAX_BYTES = 128


def _odf_mimetype(f) -> str:
    try:
        f.seek(0)
        with zipfile.ZipFile(f) as z:
            info = z.getinfo("mimetype")
            if info.file_size > ODF_MIMETYPE_MAX_BYTES:
                return ""
            with z.open(info) as member:  # streamed: never more than the cap is inflated
                raw = member.read(ODF_MIMETYPE_MAX_BYTES + 1)
            if len(raw) > ODF_MIMETYPE_MAX_BYTES:
                return ""
            return raw.decode("ascii", "replace").strip()
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError, RuntimeError):
        return ""


def _ooxml(folder: str):
    def check(head: bytes, f) -> bool:
        if not head.startswith(b"PK\x03\x04"):
            return False
        names = _zip_names(f) or []
        return "[Content_Types].xml" in names and any(n.startswith(folder) for n in names)

    return check


def _odf(kind: str):
    def check(head: bytes, f) -> bool:
        return (
            head.startswith(b"PK\x03\x04")
            and _odf_mimetype(f) == f"application/vnd.oasis.opendocument.{kind}"
        )

    return check


def _text(head: bytes, f) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:  # a multi-byte character cut at the end of the sample is fine
        return exc.start >= len(head) - 3
    return True


# extension -> (content type, label, content check)
DOCUMENT_TYPES: dict[str, tuple[str, str, Any]] = {
    "pdf": ("application/pdf", "PDF", lambda h, f: h.startswith(b"%PDF-")),
    "docx": (f"{OOXML}.wordprocessingml.document", "Word", _ooxml("word/")),
    "xlsx": (f"{OOXML}.spreadsheetml.sheet", "Excel", _ooxml("xl/")),
    "pptx": (f"{OOXML}.presentationml.presentation", "PowerPoint", _ooxml("ppt/")),
    "doc": ("application/msword", "Word 97-2003", lambda h, f: h.startswith(OLE2_MAGIC)),
    "xls": ("application/vnd.ms-excel", "Excel 97-2003", lambda h, f: h.startswith(OLE2_MAGIC)),
    "ppt": ("application/vnd.ms-powerpoint", "PowerPoint 97-2003", lambda h, f: h.startswith(OLE2_MAGIC)),
    "odt": ("application/vnd.oasis.opendocument.text", "OpenDocument text", _odf("text")),
    "ods": (
        "application/vnd.oasis.opendocument.spreadsheet",
        "OpenDocument spreadsheet",
        _odf("spreadsheet"),
    ),
    "odp": (
        "application/vnd.oasis.opendocument.presentation",
        "OpenDocument presentation",
        _odf("presentation"),
    ),
    "txt": ("text/plain; charset=utf-8", "plain text", _text),
    "csv": ("text/csv; charset=utf-8", "CSV", _text),
    "png": ("image/png", "PNG", lambda h, f: h.startswith(b"\x89PNG\r\n\x1a\n")),
    "jpg": ("image/jpeg", "JPEG", lambda h, f: h.startswith(b"\xff\xd8\xff")),
    "jpeg": ("image/jpeg", "JPEG", lambda h, f: h.startswith(b"\xff\xd8\xff")),
}


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n} bytes"


def _clean_name(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip().replace("\x00", "")
    return base[-255:] or "document"


def document_check_file(*, file) -> tuple[str, str]:
    """Refuse a file that is empty, too large, of a type not on the list, or whose content does not match
    its extension. Returns (extension, content type). Reads only the first bytes (and a zip's directory)."""
    name = _clean_name(getattr(file, "name", "") or "")
    size = getattr(file, "size", None)
    if size is None:
        file.seek(0, io.SEEK_END)
        size = file.tell()
    if not size:
        raise ValidationError({"file": f"“{name}” is empty."})
    limit = settings.DOCUMENT_MAX_BYTES
    if size > limit:
        raise ValidationError(
            {"file": f"“{name}” is {_size(size)}; documents may be at most {_size(limit)}."}
        )
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in DOCUMENT_TYPES:
        accepted = ", ".join(sorted({f".{e}" for e in DOCUMENT_TYPES}))
        raise ValidationError({"file": f"“{name}” is not a type accepted here. Accepted: {accepted}."})
    content_type, label, check = DOCUMENT_TYPES[ext]
    file.seek(0)
    head = file.read(8192)
    ok = check(head, file)
    file.seek(0)
    if not ok:
        raise ValidationError(
            {
                "file": f"“{name}” does not look like a {label} file: its content does not match the .{ext} extension."
            }
        )
    return ext, content_type


def document_upload(
    *,
    file,
    title: str,
    kind: str,
    classification: int,
    meeting: Meeting | None = None,
    body: Body | None = None,
    actor=None,
) -> Document:
    """Store a document as the next version of its title at the meeting. Everything is checked before the
    file is written; if storing the row fails the file is removed, so nothing is left half-stored."""
    errors = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = "Give the document a title."
    if kind not in Document.Kind.values:
        errors["kind"] = f"Kind must be one of: {', '.join(Document.Kind.values)}."
    if classification not in Document.Classification.values:
        errors["classification"] = (
            "Classification must be 0 (Public), 1 (ASEAN Restricted) or 2 (Confidential)."
        )
    if meeting is None and body is None:
        errors["meeting"] = "A document belongs to a meeting or a body."
    if meeting is not None and meeting.status == Status.CANCELLED:
        errors["meeting"] = "The meeting was cancelled."
    if errors:
        raise ValidationError(errors)
    ext, content_type = document_check_file(file=file)
    digest = hashlib.sha256()
    size = 0
    file.seek(0)
    for chunk in file.chunks() if hasattr(file, "chunks") else iter(lambda: file.read(65536), b""):
        digest.update(chunk)
        size += len(chunk)
    file.seek(0)
    return document_store(
        meeting=meeting,
        body=body or meeting.body,
        title=title,
        kind=kind,
        classification=classification,
        content=file,
        ext=ext,
        content_type=content_type,
        original_name=_clean_name(file.name),
        size=size,
        sha256=digest.hexdigest(),
        actor=actor,
    )


def document_store(
    *,
    meeting: Meeting | None,
    body: Body,
    title: str,
    kind: str,
    classification: int,
    content,
    ext: str,
    content_type: str,
    original_name: str,
    size: int,
    sha256: str,
    actor=None,
) -> Document:
    stored: str | None = None
    try:
        with transaction.atomic():
            if meeting is not None:
                locked_meeting(meeting)  # one version number at a time per meeting
            latest = (
                Document.objects.filter(meeting=meeting, body=body, title=title).aggregate(v=Max("version"))[
                    "v"
                ]
                or 0
            )
            # The stored name is ours, never the uploader's: no path tricks, no clashes.
            stored = default_storage.save(
                f"documents/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{ext}", content
            )
            doc = Document(
                body=body,
                meeting=meeting,
                title=title,
                kind=kind,
                classification=classification,
                version=latest + 1,
                file=stored,
                original_name=original_name,
                content_type=content_type,
                size=size,
                sha256=sha256,
                uploaded_by=actor if getattr(actor, "pk", None) else None,
            )
            save_checked(
                doc,
                errors={"file": "Another version of this document was stored at the same time; try again."},
            )
    except BaseException:
        if stored:
            default_storage.delete(stored)
        raise
    return doc
