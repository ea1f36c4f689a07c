"""The record page: attendance, minutes per item, the follow-up of action items, and a new decision or
action item, saved by one form in one transaction (``services.record_sheet``), so nothing typed on the page
is lost when one part of it is refused; removing a decision asks first. Every row carries the version it was
drawn from, so two people saving the page at once do not overwrite each other (``services.record_sheet``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from meetings import forms as f
from meetings.models import Decision, Invitation, Meeting
from meetings.selectors.agenda import agenda_items_for, number_agenda
from meetings.selectors.meeting_page import MeetingPage, meeting_page
from meetings.selectors.meetings import meeting_date
from meetings.selectors.record import record_versions
from meetings.services import participation as participation_services
from meetings.services import record as record_services
from meetings.services import record_sheet
from meetings.views.base import Confirmation, back, confirm_then, meeting_or_404

DECISION, ACTION = "d", "a"  # the prefixes of the new decision and the new action item on the sheet


def _filled(data, prefix: str, name: str) -> bool:
    """A new decision or action item is part of the save only when its text was typed."""
    return bool(data is not None and str(data.get(f"{prefix}-{name}", "")).strip())


def _forms(meeting: Meeting, page: MeetingPage, data=None):
    live = [inv for inv in page.invitations if not inv.is_withdrawn]
    actions = [*page.matters_arising, *page.action_items]
    sheet = f.RecordForm(
        data,
        invitations=live,
        present_ids={a.person_id for a in page.attendance if a.present},
        remote_ids={a.person_id for a in page.attendance if a.remote},
        # Remote attendance exists only where the meeting can be joined remotely.
        remote_allowed=meeting.modality != Meeting.Modality.IN_PERSON,
        items=page.agenda,
        actions=actions,
        versions=record_versions(
            items=[row.item for row in page.agenda],
            actions=actions,
            attendance=page.attendance,
            people=[inv.person_id for inv in live],
        ),
    )
    numbered = number_agenda(agenda_items_for(meeting.pk))
    decision = f.DecisionForm(
        data if _filled(data, DECISION, "text") else None,
        meeting=meeting,
        numbered=numbered,
        on=meeting_date(meeting),
        prefix=DECISION,
    )
    action = f.ActionItemForm(
        data if _filled(data, ACTION, "title") else None, meeting=meeting, prefix=ACTION
    )
    return sheet, decision, action


def _sheet_of(meeting: Meeting, form: f.RecordForm, decision, action) -> record_sheet.RecordSheet:
    cd = form.cleaned_data
    sheet = record_sheet.RecordSheet()
    if form.attendance_changed():
        live = Invitation.objects.filter(meeting=meeting, is_withdrawn=False).select_related(
            "person", "member_state"
        )
        sheet.attendance = [
            participation_services.AttendanceEntry(
                person=inv.person,
                present=cd[f"present_{inv.person_id}"],
                remote=bool(cd.get(f"remote_{inv.person_id}")),  # absent when in person
                member_state=inv.member_state,
            )
            for inv in live
            if f"present_{inv.person_id}" in cd  # on the list when the page was shown
        ]
    for row, field in form.minutes_rows:
        if field.name in form.changed_data:
            sheet.minutes[row.item] = cd[field.name]
    for a, status, note in form.action_rows:
        if status.name in form.changed_data or note.name in form.changed_data:
            sheet.follow_ups.append(record_sheet.ActionFollowUp(a, cd[status.name], cd[note.name]))
    if decision.is_bound:
        d = dict(decision.cleaned_data)
        d["participating_states"] = list(d["participating_states"])
        sheet.new_decision = d
    if action.is_bound:
        sheet.new_action = dict(action.cleaned_data)
    sheet.versions = form.drawn_versions()
    return sheet


def _show_refusal(refused: record_sheet.RecordRefused, form, decision, action) -> None:
    """The service's error on the field of the row it names; errors of the new decision or action item on
    their own fields. Rows someone else saved meanwhile: each refusal on its row and at the top, and the form
    caught up with the current versions (what was typed kept), so saving again goes through."""
    if isinstance(refused, record_sheet.RecordStale):
        for where, error in refused.rows.items():
            for message in error.messages:
                form.add_error(where, message)
                form.add_error(None, f"{form.fields[where].label}: {message}")
        form.caught_up(set(refused.rows), redrawn=refused.left_as_drawn)
    elif refused.where in ("decision", "action"):
        f.apply_errors(decision if refused.where == "decision" else action, refused.error)
    elif refused.where in form.fields:
        for message in refused.error.messages:
            form.add_error(refused.where, message)
    else:
        for message in refused.error.messages:
            form.add_error(None, f"{refused.where.capitalize()}: {message}")


@login_required
@require_http_methods(["GET", "POST"])
def record(request, pk: int):
    """Attendance, minutes per item, decisions and action items, and the open actions from before."""
    meeting = meeting_or_404(request, pk, manage=True)
    page = meeting_page(meeting=meeting, user=request.user)
    data = request.POST if request.method == "POST" else None
    form, decision, action = _forms(meeting, page, data)
    status = 200
    if data is not None:
        valid = [x.is_valid() for x in (form, decision, action) if x.is_bound]
        if all(valid):
            try:
                saved = record_sheet.record_sheet_save(
                    meeting=meeting, sheet=_sheet_of(meeting, form, decision, action)
                )
            except record_sheet.RecordRefused as refused:
                _show_refusal(refused, form, decision, action)
            else:
                messages.success(request, f"Saved: {', '.join(saved)}." if saved else "Nothing had changed.")
                return back(meeting, "record")
        messages.error(
            request, "Nothing was saved: correct the field marked below; everything you typed is kept."
        )
        status = 400
    return render(
        request,
        "meetings/record.html",
        {
            "meeting": meeting,
            "page": page,
            "form": form,
            "decision_form": decision,
            "action_form": action,
            "remote_allowed": meeting.modality != Meeting.Modality.IN_PERSON,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def record_decision_delete(request, pk: int):
    meeting = meeting_or_404(request, pk, manage=True)
    data = request.POST if request.method == "POST" else request.GET
    d = Decision.objects.filter(meeting=meeting, pk=str(data.get("decision", "")).strip() or None).first()
    if d is None:
        raise Http404("No such decision")
    confirmation = Confirmation(
        question=f"Remove the decision “{d.get_kind_display()} {d.text[:80]}”?",
        effects=[
            "The decision is deleted from the record of the meeting and from the report generated next."
        ],
        mailed="Nobody is e-mailed.",
        button="Remove the decision",
        back_url=reverse("meetings:record", args=[meeting.pk]),
        carry={"decision": str(d.pk)},
    )

    def act() -> str:
        record_services.decision_delete(decision=d)
        return "Decision removed."

    return confirm_then(request, confirmation, act, then=back(meeting, "record"))
