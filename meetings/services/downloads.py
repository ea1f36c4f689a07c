"""Delivering a paper to a reader: Public papers as uploaded; Restricted and Confidential ones logged under a
short download id and, when they are PDFs, stamped on every page with the reader's name, delegation, the
day and that id (docs/decisions/0037). The Secretariat finds who received a copy from its id."""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from governance.audit import audit
from meetings.models import Document, DocumentDownload
from meetings.services.watermark import NotStampable, Stamp, stamp_pdf

log = logging.getLogger(__name__)

# Crockford's base32 without I, L, O, U: read aloud or typed from a photocopy without confusion.
ID_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
ID_LENGTH = 8


def download_id_new() -> str:
    return "".join(secrets.choice(ID_ALPHABET) for _ in range(ID_LENGTH))


def download_id_clean(raw: str) -> str:
    """What someone typed from a copy (``k7q2-m9xa``, ``K7Q2 M9XA``, an O for a 0) as a stored id."""
    text = "".join(ch for ch in raw.upper() if ch.isalnum())
    return text.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))


@dataclass(frozen=True)
class Delivery:
    data: bytes
    download: DocumentDownload | None  # None for a Public paper: nothing to trace


def _who(user) -> tuple[str, str]:
    person = getattr(user, "person", None)
    if person is None:
        return (user.get_full_name() or user.get_username()), "no delegation"
    delegation = person.member_state or person.organisation
    return person.full_name, str(delegation) if delegation else "no delegation"


def document_deliver(*, document: Document, user) -> Delivery:
    """The bytes ``user`` receives for ``document`` (the caller has checked they may read it)."""
    with document.file.open("rb") as handle:
        original = handle.read()
    if document.classification == Document.Classification.PUBLIC:
        return Delivery(original, None)
    return copy_issue(
        original,
        user=user,
        title=document.title,
        version=document.version,
        classification=document.classification,
        is_pdf=document.content_type == "application/pdf",
        document=document,
    )


def copy_issue(
    original: bytes,
    *,
    user,
    title: str,
    version: int,
    classification: int,
    is_pdf: bool,
    document: Document | None = None,
) -> Delivery:
    """Log one copy of a Restricted or Confidential paper (or pack) under a new download id, stamped when
    it is a PDF that can carry a stamp (a meeting pack is stored ready for stamps: see
    ``meetings.services.watermark``)."""
    now = timezone.now()
    recipient, delegation = _who(user)
    label = Document.Classification(classification).label
    day = timezone.localdate(now)
    for _ in range(5):  # a clash of two random ids is rare; try another
        download_id = download_id_new()
        data, stamped, note = original, False, ""
        if is_pdf:
            try:
                stamp = Stamp(label, recipient, delegation, f"{day.day} {day:%b %Y}", download_id)
                data, stamped = stamp_pdf(original, stamp), True
            except NotStampable as exc:
                note = f"Not stamped: {str(exc)[:200]}"
                log.warning("%s could not be stamped: %s", title, exc)
        else:
            note = "Not stamped: not a PDF"
        try:
            with transaction.atomic():
                row = DocumentDownload.objects.create(
                    download_id=download_id,
                    document=document,
                    document_title=title[:250],
                    document_version=version,
                    classification=classification,
                    user=user,
                    recipient=recipient,
                    delegation=delegation,
                    at=now,
                    stamped=stamped,
                    note=note,
                    sha256=hashlib.sha256(data).hexdigest(),
                )
            audit(
                action="copy_issued",
                obj=document,
                actor=user,
                summary=f"{title}: copy {download_id} issued to {recipient} ({delegation})"
                + ("" if stamped else f" — {note}"),
                data={"download_id": download_id, "stamped": stamped},
            )
        except IntegrityError:
            continue
        return Delivery(data, row)
    raise RuntimeError("no free download id after five tries")


def download_find(raw: str) -> DocumentDownload | None:
    """The download a stamped id (as typed) stands for, or one whose bytes have this SHA-256."""
    raw = raw.strip()
    if len(raw) == 64 and all(c in "0123456789abcdefABCDEF" for c in raw):
        return DocumentDownload.objects.select_related("user").filter(sha256=raw.lower()).first()
    return DocumentDownload.objects.select_related("user").filter(download_id=download_id_clean(raw)).first()
