"""Pages of a meeting: the list, the meeting page, scheduling, editing and its status."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from governance import concurrency
from governance.models import Body
from governance.permissions import body_ids_with, is_secretariat
from meetings import forms as f
from meetings.models import Meeting
from meetings.selectors.meeting_page import meeting_page
from meetings.selectors.meetings import can_manage, meetings_for_list
from meetings.services import meetings as meetings_services
from meetings.times import ZoneNamer, reader_timezone
from meetings.views import confirmations
from meetings.views.base import back, confirm_then, error_message, meeting_or_404, warn_conflicts
from meetings.views.meeting_rows import action_rows, agenda_rows, arising_rows, document_rows, members_cell


@login_required
def meeting_list(request):
    body_id = request.GET.get("body") or None
    year = request.GET.get("year") or None
    status = request.GET.get("status") or ""
    try:
        body_id = int(body_id) if body_id else None
        year = int(year) if year else None
    except ValueError:
        body_id = year = None
    meetings = list(meetings_for_list(request.user, body_id=body_id, year=year, status=status)[:200])
    return render(
        request,
        "meetings/meeting_list.html",
        {
            "meetings": meetings,
            "bodies": Body.objects.filter(series__isnull=False).distinct().order_by("acronym"),
            "statuses": Meeting.Status.choices,
            "selected": {"body": body_id, "year": year, "status": status},
            "may_plan": is_secretariat(request.user),
        },
    )


@login_required
def meeting_detail(request, pk: int):
    meeting = meeting_or_404(request, pk)
    page = meeting_page(meeting=meeting, user=request.user)
    conflicts = meetings_services.meeting_conflicts(meeting=meeting) if page.can_manage else []
    # The repeated rows are written in Python (meetings/views/meeting_rows.py).
    namer = request._zone_namer = ZoneNamer()
    context = {
        "meeting": meeting,
        "page": page,
        "conflicts": conflicts,
        "agenda_rows": agenda_rows(page.agenda, meeting, reader_timezone(request.user), namer),
        "delegations": [(name, members_cell(invs)) for name, invs in page.delegations],
        "document_rows": document_rows(page.documents),
        "action_rows": action_rows(page.action_items),
        "arising_rows": arising_rows(page.matters_arising),
    }
    return render(request, "meetings/meeting_detail.html", context)


def _meeting_data(cd: dict) -> dict:
    return {
        "series": cd["series"],
        "number": cd["number"],
        "label": cd["label"] or "",
        "title": cd["title"] or "",
        "start": cd["start"],
        "end": cd["end"],
        "host": cd["host"],
        "venue": cd["venue"],
        "city": cd["city"],
        "modality": cd["modality"],
        "join_url": cd["join_url"],
        "is_public": cd["is_public"],
    }


@login_required
def meeting_new(request):
    managed = body_ids_with(request.user, "manage_body")
    bodies = Body.objects.order_by("acronym")
    if managed is not None:
        bodies = bodies.filter(pk__in=managed)
        if not bodies.exists():
            raise PermissionDenied("Only the Secretariat and the chairs schedule meetings.")
    form = f.MeetingForm(request.POST or None, initial={"modality": Meeting.Modality.IN_PERSON})
    form.fields["body"].queryset = bodies
    if request.method == "POST" and form.is_valid():
        body = form.cleaned_data["body"]
        if not can_manage(request.user, body):
            raise PermissionDenied("Only the Secretariat and the chair schedule the body's meetings.")
        try:
            meeting = meetings_services.meeting_create(
                body=body, timezone_name=form.cleaned_data["timezone"], **_meeting_data(form.cleaned_data)
            )
        except ValidationError as exc:
            f.apply_errors(form, exc)
        else:
            messages.success(request, f"{meeting.title} scheduled (planned).")
            warn_conflicts(request, meeting)
            return back(meeting)
    return render(
        request, "meetings/meeting_form.html", {"form": form, "zones": f.ASEAN_ZONES, "meeting": None}
    )


@login_required
def meeting_edit(request, pk: int):
    meeting = meeting_or_404(request, pk, manage=True)
    form = f.MeetingForm(request.POST or None, initial=f.MeetingForm.initial_for(meeting), editing=True)
    postpone = f.PostponeForm(prefix="pp")
    if request.method == "POST" and form.is_valid():
        data = _meeting_data(form.cleaned_data)
        data["timezone"] = form.cleaned_data["timezone"] or (meeting.host.timezone if meeting.host else "")
        if not data["title"]:
            data.pop("title")
        try:
            meeting = meetings_services.meeting_update(
                meeting=meeting, data=data, expected_version=concurrency.form_version(form)
            )
        except ValidationError as exc:
            f.apply_errors(form, exc)
            concurrency.form_caught_up(form, meeting)
        else:
            messages.success(request, "Meeting saved.")
            warn_conflicts(request, meeting)
            return back(meeting)
    return render(
        request,
        "meetings/meeting_form.html",
        {"form": form, "postpone": postpone, "zones": f.ASEAN_ZONES, "meeting": meeting},
    )


# --- Status: one URL per action; each asks first (see ``views.base.confirm_then``) -----------------------


@login_required
@require_http_methods(["GET", "POST"])
def meeting_confirm(request, pk: int):
    meeting = meeting_or_404(request, pk, manage=True)

    def act() -> str:
        meetings_services.meeting_confirm(meeting=meeting)
        return "Meeting confirmed; invitations go out to everyone on the list."

    return confirm_then(request, confirmations.meeting_confirm(meeting), act, then=back(meeting))


@login_required
@require_http_methods(["GET", "POST"])
def meeting_cancel(request, pk: int):
    meeting = meeting_or_404(request, pk, manage=True)
    confirmation = confirmations.meeting_cancel(meeting)

    def act() -> str:
        meetings_services.meeting_cancel(meeting=meeting)
        return f"Meeting cancelled. {confirmation.mailed}"

    return confirm_then(request, confirmation, act, then=back(meeting))


@login_required
@require_http_methods(["GET", "POST"])
def meeting_held(request, pk: int):
    meeting = meeting_or_404(request, pk, manage=True)

    def act() -> str:
        meetings_services.meeting_mark_held(meeting=meeting)
        return "Meeting recorded as held."

    return confirm_then(request, confirmations.meeting_held(meeting), act, then=back(meeting))


@login_required
@require_http_methods(["GET", "POST"])
def meeting_postpone(request, pk: int):
    """The postpone form on the edit page sends its dates here by GET: the confirmation page carries them."""
    meeting = meeting_or_404(request, pk, manage=True)
    data = request.POST if request.method == "POST" else request.GET
    form = f.PostponeForm(data, prefix="pp")
    if not form.is_valid():
        messages.error(request, error_message(ValidationError(form.errors.as_data())))
        return back(meeting, "edit")
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    new_dates = f"{start:%d %b %Y %H:%M} – {end:%d %b %Y %H:%M} (venue time)" if start and end else ""
    carry = {name: data.get(name, "") for name in ("pp-start", "pp-end")}
    confirmation = confirmations.meeting_postpone(meeting, new_dates=new_dates, carry=carry)

    def act() -> str:
        meetings_services.meeting_postpone(meeting=meeting, start=start, end=end)
        return f"Meeting postponed. {confirmation.mailed}"

    return confirm_then(request, confirmation, act, then=back(meeting))
