"""The record page: attendance, minutes per item, decisions and action items, and the open actions from
before; one view per form it posts."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from governance.permissions import today_in_asean
from meetings import forms as f
from meetings.models import ActionItem, Decision, Invitation, Meeting
from meetings.selectors.agenda import agenda_items_for, number_agenda
from meetings.selectors.meeting_page import meeting_page
from meetings.selectors.meetings import meeting_date
from meetings.services import agenda as agenda_services
from meetings.services import participation as participation_services
from meetings.services import record as record_services
from meetings.views.base import agenda_item_or_404, back, error_message, meeting_or_404


def _decision_form(meeting: Meeting, data=None) -> f.DecisionForm:
    numbered = number_agenda(agenda_items_for(meeting.pk))
    return f.DecisionForm(data, meeting=meeting, numbered=numbered, on=meeting_date(meeting))


def _record_page(request, meeting: Meeting, *, decision=None, action=None):
    """The record page; a form that was posted and refused comes back with its errors."""
    if decision is None:
        decision = _decision_form(meeting)
    if action is None:
        action = f.ActionItemForm(None, meeting=meeting)
    page = meeting_page(meeting=meeting, user=request.user, on=today_in_asean())
    return render(
        request,
        "meetings/record.html",
        {
            "meeting": meeting,
            "page": page,
            "present_ids": {a.person_id for a in page.attendance if a.present},
            "remote_ids": {a.person_id for a in page.attendance if a.remote},
            "decision_form": decision,
            "action_form": action,
            "statuses": ActionItem.Status.choices,
            "open_before": page.matters_arising,
        },
    )


@login_required
@require_safe
def record(request, pk: int):
    """Attendance, minutes per item, decisions and action items, and the open actions from before."""
    return _record_page(request, meeting_or_404(request, pk, manage=True))


@login_required
@require_POST
def record_attendance(request, pk: int):
    meeting = meeting_or_404(request, pk, manage=True)
    invitations = Invitation.objects.filter(meeting=meeting, is_withdrawn=False).select_related(
        "person", "member_state"
    )
    entries = [
        participation_services.AttendanceEntry(
            person=inv.person,
            present=f"present_{inv.person_id}" in request.POST,
            remote=f"remote_{inv.person_id}" in request.POST,
            member_state=inv.member_state,
        )
        for inv in invitations
    ]
    try:
        participation_services.attendance_record(meeting=meeting, entries=entries)
    except ValidationError as exc:
        messages.error(request, error_message(exc))
        return _record_page(request, meeting)
    messages.success(request, "Attendance saved.")
    return back(meeting, "record")


@login_required
@require_POST
def record_minutes(request, pk: int):
    meeting = meeting_or_404(request, pk, manage=True)
    item = agenda_item_or_404(meeting, int(request.POST.get("item", "0") or 0))
    try:
        agenda_services.agenda_item_record_minutes(item=item, minutes=request.POST.get("minutes", ""))
    except ValidationError as exc:
        messages.error(request, error_message(exc))
        return _record_page(request, meeting)
    messages.success(request, "Minutes saved.")
    return redirect(reverse("meetings:record", args=[meeting.pk]) + f"#item-{item.pk}")


@login_required
@require_POST
def record_decision(request, pk: int):
    meeting = meeting_or_404(request, pk, manage=True)
    decision = _decision_form(meeting, request.POST)
    saved, _ = f.form_submit(
        decision,
        lambda cd: record_services.decision_record(
            meeting=meeting,
            agenda_item=cd["agenda_item"],
            kind=cd["kind"],
            text=cd["text"],
            participating_states=list(cd["participating_states"]),
        ),
    )
    if saved:
        messages.success(request, "Decision recorded.")
        return back(meeting, "record")
    return _record_page(request, meeting, decision=decision)


@login_required
@require_POST
def record_decision_delete(request, pk: int):
    meeting = meeting_or_404(request, pk, manage=True)
    d = Decision.objects.filter(meeting=meeting, pk=request.POST.get("decision")).first()
    if d is None:
        raise Http404("No such decision")
    try:
        record_services.decision_delete(decision=d)
    except ValidationError as exc:
        messages.error(request, error_message(exc))
        return _record_page(request, meeting)
    messages.success(request, "Decision removed.")
    return back(meeting, "record")


@login_required
@require_POST
def record_action(request, pk: int):
    meeting = meeting_or_404(request, pk, manage=True)
    action = f.ActionItemForm(request.POST, meeting=meeting)
    saved, _ = f.form_submit(action, lambda cd: record_services.action_item_create(meeting=meeting, **cd))
    if saved:
        messages.success(request, "Action item recorded.")
        return back(meeting, "record")
    return _record_page(request, meeting, action=action)


@login_required
@require_POST
def record_action_update(request, pk: int):
    meeting = meeting_or_404(request, pk, manage=True)
    a = ActionItem.objects.filter(body_id=meeting.body_id, pk=request.POST.get("action_item")).first()
    if a is None:
        raise Http404("No such action item")
    upd = f.ActionItemUpdateForm(request.POST)
    try:
        if not upd.is_valid():
            raise ValidationError({"status": "Choose a status."})
        record_services.action_item_update(
            action_item=a,
            status=upd.cleaned_data["status"],
            progress_note=upd.cleaned_data["progress_note"],
            at_meeting=meeting,
        )
    except ValidationError as exc:
        messages.error(request, error_message(exc))
        return _record_page(request, meeting)
    messages.success(request, "Action item updated.")
    return back(meeting, "record")
