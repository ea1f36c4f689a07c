"""What the record's pages share: the meeting a request names (404 if the user may not see it, 403 if they
may not manage it), and how a page answers after a service."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect

from meetings.models import AgendaItem, Meeting
from meetings.permissions import meeting_visible
from meetings.selectors.meetings import can_manage
from meetings.services import meetings as meetings_services


def meeting_or_404(request, pk: int, *, manage: bool = False) -> Meeting:
    """The meeting if the user may see it (else 404); with ``manage``, only for its managers (else 403)."""
    # Loaded by key and checked against the rights already read for this request: cheaper than compiling
    # the visibility filter into the query, and the same rule (governance.permissions).
    try:
        meeting = Meeting.objects.select_related("body", "host", "series").get(pk=pk)
    except Meeting.DoesNotExist:
        raise Http404("No such meeting") from None
    if not meeting_visible(request.user, meeting):
        raise Http404("No such meeting")
    if manage and not can_manage(request.user, meeting.body_id):
        raise PermissionDenied("Only the Secretariat and the chair manage this meeting.")
    return meeting


def agenda_item_or_404(meeting: Meeting, item_pk: int) -> AgendaItem:
    item = AgendaItem.objects.filter(meeting=meeting, pk=item_pk).first()
    if item is None:
        raise Http404("No such agenda item")
    return item


def error_message(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def back(meeting: Meeting, name: str = "detail") -> HttpResponse:
    return redirect(f"meetings:{name}", pk=meeting.pk)


def warn_conflicts(request, meeting: Meeting) -> None:
    for c in meetings_services.meeting_conflicts(meeting=meeting):
        messages.warning(request, c.message)
