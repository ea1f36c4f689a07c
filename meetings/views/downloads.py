"""The Secretariat's tool to trace a copy: the download id stamped on its pages (or the SHA-256 of the
file) gives who received it, when, and which paper. Anyone else gets a 404: the page does not exist."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from governance.permissions import is_secretariat
from meetings.models import DocumentDownload
from meetings.services.downloads import download_find


@login_required
def download_trace(request):
    if not is_secretariat(request.user):
        raise Http404("Not found")
    raw = request.GET.get("id", "")[:80]
    found = download_find(raw) if raw.strip() else None
    others = []
    if found is not None and found.document_id:
        others = list(
            DocumentDownload.objects.filter(document_id=found.document_id)
            .exclude(pk=found.pk)
            .order_by("-at")[:50]
        )
    status = 404 if raw.strip() and found is None else 200
    return render(
        request, "meetings/download_trace.html", {"raw": raw, "found": found, "others": others}, status=status
    )
