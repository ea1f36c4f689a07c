"""Uploading a meeting's documents, and the one way to a document's bytes."""

from __future__ import annotations

import io

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import render

from meetings import forms as f
from meetings.models import Document
from meetings.selectors.documents import readable_documents
from meetings.services import documents as documents_services
from meetings.services import downloads as downloads_services
from meetings.views.base import back, meeting_or_404


@login_required
def document_upload(request, pk: int):
    meeting = meeting_or_404(request, pk, manage=True)
    form = f.DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            doc = documents_services.document_upload(
                meeting=meeting,
                file=form.cleaned_data["file"],
                title=form.cleaned_data["title"],
                kind=form.cleaned_data["kind"],
                classification=form.cleaned_data["classification"],
                actor=request.user,
            )
        except ValidationError as exc:
            f.apply_errors(form, exc)
        else:
            messages.success(request, f"{doc.title} stored as version {doc.version}.")
            return back(meeting)
    docs = list(
        Document.objects.filter(meeting=meeting).select_related("uploaded_by").order_by("title", "-version")
    )
    return render(
        request,
        "meetings/document_upload.html",
        {"meeting": meeting, "form": form, "docs": docs, "max_bytes": settings.DOCUMENT_MAX_BYTES},
    )


def document_response(doc: Document, *, data: bytes | None = None) -> FileResponse:
    """The bytes of a document the caller already checked (``data`` when they are this reader's own copy):
    always an attachment, never sniffed."""
    try:
        handle = io.BytesIO(data) if data is not None else doc.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing from storage") from None
    response = FileResponse(
        handle, as_attachment=True, filename=doc.original_name, content_type=doc.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
def document_download(request, pk: int):
    """The only way to a document's bytes: the reader must be cleared for it; otherwise it does not exist
    for them (404)."""
    doc = readable_documents(request.user).filter(pk=pk).first()
    if doc is None:
        raise Http404("No such document")
    return document_download_response(doc, request.user)


def document_download_response(doc: Document, user) -> FileResponse:
    """Public papers as uploaded; Restricted and Confidential ones as this reader's own copy, stamped and
    logged (meetings/services/downloads.py), with its download id in ``X-Download-Id``."""
    if doc.classification == Document.Classification.PUBLIC:
        return document_response(doc)
    try:
        delivery = downloads_services.document_deliver(document=doc, user=user)
    except FileNotFoundError:
        raise Http404("The file is missing from storage") from None
    response = document_response(doc, data=delivery.data)
    response["X-Download-Id"] = delivery.download.download_id
    return response
