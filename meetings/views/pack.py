"""A meeting's pack as one PDF: the pack of the reader's classification level (the same pages and numbers
for every reader of that level), stamped for them when it holds Restricted or Confidential papers."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404

from meetings.models import Document
from meetings.selectors.documents import document_level
from meetings.services.downloads import copy_issue
from meetings.services.pack import pack_get
from meetings.views.base import meeting_or_404
from meetings.views.documents import document_response


@login_required
def meeting_pack(request, pk: int):
    meeting = meeting_or_404(request, pk)
    level = document_level(request.user, meeting.body_id)
    try:
        pack = pack_get(meeting=meeting, level=level, base_url=settings.SITE_URL)
    except ValidationError as exc:
        raise Http404(" ".join(exc.messages)) from None
    name = f"{meeting.title} - pack.pdf"
    with pack.file.open("rb") as handle:
        data = handle.read()
    stand_in = Document(original_name=name, content_type="application/pdf")
    if level == Document.Classification.PUBLIC:
        return document_response(stand_in, data=data)
    delivery = copy_issue(
        data,
        user=request.user,
        title=f"Meeting pack: {meeting.title} (agenda v{pack.agenda_version.number})",
        version=pack.agenda_version.number,
        classification=level,
        is_pdf=True,
    )
    response: FileResponse = document_response(stand_in, data=delivery.data)
    response["X-Download-Id"] = delivery.download.download_id
    return response
