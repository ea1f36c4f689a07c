"""Pages of a meeting: the list, the meeting page, scheduling, editing and its status."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import render
from django.views.decorators.http import require_POST

from governance.models import Body
from governance.permissions import body_ids_with, is_secretariat, today_in_asean
from meetings import forms as f
from meetings.models import Meeting
from meetings.selectors.meeting_page import meeting_page
from meetings.selectors.meetings import can_manage, meetings_for_list
from meetings.services import meetings as meetings_services
from meetings.views.base import back, error_message, meeting_or_404, warn_conflicts


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
    page = meeting_page(meeting=meeting, user=request.user, on=today_in_asean())
    conflicts = meetings_services.meeting_conflicts(meeting=meeting) if page.can_manage else []
    return render(
        request, "meetings/meeting_detail.html", {"meeting": meeting, "page": page, "conflicts": conflicts}
    )


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
            meeting = meetings_services.meeting_update(meeting=meeting, data=data)
        except ValidationError as exc:
            f.apply_errors(form, exc)
        else:
            messages.success(request, "Meeting saved.")
            warn_conflicts(request, meeting)
            return back(meeting)
    return render(
        request,
        "meetings/meeting_form.html",
        {"form": form, "postpone": postpone, "zones": f.ASEAN_ZONES, "meeting": meeting},
    )


@login_required
@require_POST
def meeting_status(request, pk: int):
    meeting = meeting_or_404(request, pk, manage=True)
    action = request.POST.get("action")
    try:
        if action == "confirm":
            meetings_services.meeting_confirm(meeting=meeting)
            messages.success(request, "Meeting confirmed; invitations go out to everyone on the list.")
        elif action == "cancel":
            meetings_services.meeting_cancel(meeting=meeting)
            messages.success(request, "Meeting cancelled; invitees are told.")
        elif action == "held":
            meetings_services.meeting_mark_held(meeting=meeting)
            messages.success(request, "Meeting recorded as held.")
        elif action == "postpone":
            form = f.PostponeForm(request.POST, prefix="pp")
            if not form.is_valid():
                raise ValidationError(form.errors.as_data())
            meetings_services.meeting_postpone(
                meeting=meeting, start=form.cleaned_data["start"], end=form.cleaned_data["end"]
            )
            messages.success(request, "Meeting postponed.")
        else:
            raise ValidationError({"action": "Unknown action."})
    except ValidationError as exc:
        messages.error(request, error_message(exc))
    return back(meeting)
