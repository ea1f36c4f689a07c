"""What the record's pages share: the meeting a request names (404 if the user may not see it, 403 if they
may not manage it), and how a page answers after a service."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from governance.prepared import Prepared
from meetings.models import AgendaItem, Meeting
from meetings.permissions import meeting_visible
from meetings.selectors.meetings import can_manage
from meetings.services import meetings as meetings_services


def meeting_or_404(request, pk: int, *, manage: bool = False) -> Meeting:
    """The meeting if the user may see it (else 404); with ``manage``, only for its managers (else 403)."""
    # Loaded by key and checked against the rights already read for this request: cheaper than compiling
    # the visibility filter into the query, and the same rule (governance.permissions).
    meeting = next(iter(_MEETING(pk=int(pk))), None)
    if meeting is None or not meeting_visible(request.user, meeting):
        raise Http404("No such meeting")
    if manage and not can_manage(request.user, meeting.body_id):
        raise PermissionDenied("Only the Secretariat and the chair manage this meeting.")
    return meeting


# Every page of a meeting reads it: compiled once per process (governance.prepared).
_MEETING = Prepared(lambda pk: Meeting.objects.select_related("body", "host", "series").filter(pk=pk))


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


# --- Asking first -------------------------------------------------------------------------------------
# An irreversible or mail-sending action has its own URL: GET shows what will happen and who is e-mailed,
# the POST acts only when it carries the confirmation field that page's button sends. A POST without it
# (an old form, a script, a double click on a stale page) is refused with the same page: nothing is done.

CONFIRM_FIELD = "confirmed"


@dataclass(frozen=True)
class Confirmation:
    question: str  # the page's heading: "Cancel the 21st ACCMSME Meeting?"
    effects: list[str]  # what will happen, in the order it happens
    mailed: str  # who is e-mailed, with counts; "Nobody is e-mailed." when nobody is
    button: str
    back_url: str
    warning: str = ""  # shown above the button (e.g. nobody is invited yet)
    reach: str = ""  # who the action's messages reach, for the message after it ("3 people in 2 delegations")
    # Hidden fields carried to the POST; a list is a field with several values (ticked boxes).
    carry: dict[str, str | list[str]] = field(default_factory=dict)
    danger: bool = True

    @property
    def hidden(self) -> list[tuple[str, str]]:
        return [(k, v) for k, vs in self.carry.items() for v in ([vs] if isinstance(vs, str) else vs)]


def ask_first(request, confirmation: Confirmation, *, refused: bool = False) -> HttpResponse:
    if refused:
        messages.error(
            request, "Nothing was done: this action needs your confirmation. Read below and confirm."
        )
    return render(request, "confirm.html", {"c": confirmation}, status=400 if refused else 200)


def confirm_then(
    request, confirmation: Confirmation, act: Callable[[], str | None], *, then: HttpResponse
) -> HttpResponse:
    """GET: the confirmation page. POST without confirming: refused. POST confirmed: ``act`` runs and its
    message is shown (a service's refusal shown instead), then ``then``."""
    if request.method != "POST":
        return ask_first(request, confirmation)
    if request.POST.get(CONFIRM_FIELD) != "yes":
        return ask_first(request, confirmation, refused=True)
    try:
        done = act()
    except ValidationError as exc:
        messages.error(request, error_message(exc))
    else:
        if done:
            messages.success(request, done)
    return then
