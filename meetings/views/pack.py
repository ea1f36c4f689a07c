"""A meeting's pack as one PDF: the pack of the reader's classification level (the same pages and numbers
for every reader of that level), stamped for them when it holds Restricted or Confidential papers."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from meetings import pack_tasks
from meetings.models import Document, Meeting
from meetings.selectors.documents import document_level
from meetings.services.downloads import copy_issue
from meetings.services.pack import pack_get
from meetings.services.pack_builds import PackState, pack_build_request, pack_state
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


def pack_status_context(meeting: Meeting, level: int, state: PackState, *, on_status_page: bool) -> dict:
    """What the pack part of a page shows (the meeting page and the status page share it)."""
    return {
        "meeting": meeting,
        "pack": state,
        "level_label": Document.Classification(level).label,
        "on_status_page": on_status_page,
    }


def _reader_state(request, pk: int):
    meeting = meeting_or_404(request, pk)
    level = document_level(request.user, meeting.body_id)
    return meeting, level, pack_state(meeting=meeting, level=level)


@login_required
@require_safe
def pack_status(request, pk: int):
    """The state of the reader's pack (their level's only): JSON for the page's script, else a small page
    that refreshes itself while the pack is waiting or being built (no script needed)."""
    meeting, level, state = _reader_state(request, pk)
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse(
            {
                "status": state.state,
                "status_label": state.label,
                "step": state.label,
                "live": state.live,
                "pages": state.pages,
                "error": state.error,
            }
        )
    return render(
        request, "meetings/pack_status.html", pack_status_context(meeting, level, state, on_status_page=True)
    )


@login_required
@require_POST
def pack_build_now(request, pk: int):
    """ "Build now": queue the build of the reader's pack. Pressed again while it waits or is built, nothing
    more is queued."""
    meeting = meeting_or_404(request, pk)
    level = document_level(request.user, meeting.body_id)
    try:
        job, created = pack_build_request(meeting=meeting, level=level, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if created:
            pack_tasks.pack_build_queue(meeting.pk, level)
            messages.info(request, "The meeting pack is queued to be built.")
        elif job is not None:
            messages.info(request, "The meeting pack is already being built.")
    if request.POST.get("next") == "status":
        return redirect("meetings:pack_status", pk=meeting.pk)
    return redirect(reverse("meetings:detail", args=[meeting.pk]) + "#pack-status")
