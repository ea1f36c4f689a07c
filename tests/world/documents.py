"""Papers: small PDF and Word files to upload, and Document rows stored directly."""

from __future__ import annotations

import hashlib
import io
import os
import zipfile

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile


def pdf_bytes(text: str = "paper") -> bytes:
    return b"%PDF-1.4\n% " + text.encode() + b"\n%%EOF\n"


def pdf_file(name: str = "paper.pdf", text: str = "paper") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(text), content_type="application/pdf")


def docx_file(name: str = "paper.docx") -> SimpleUploadedFile:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return SimpleUploadedFile(name, buf.getvalue())


def media_files(root) -> list[str]:
    return [os.path.join(d, f) for d, _, files in os.walk(root) for f in files]


def document_row(
    meeting, body, title: str, classification: int, kind: str = "working_paper", version: int = 1
):
    """A stored PDF paper of ``meeting`` (its ``version``), written as a row with its file (the upload
    service is tested on its own)."""
    from meetings.models import Document

    data = pdf_bytes(title)
    doc = Document(
        body=body,
        meeting=meeting,
        title=title,
        kind=kind,
        classification=classification,
        version=version,
        original_name=f"{title}.pdf",
        content_type="application/pdf",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
    doc.file.save(f"{title}.pdf", ContentFile(data), save=False)
    doc.save()
    return doc
