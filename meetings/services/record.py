"""The record of a meeting: its decisions and the action items agreed, followed until closed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from governance import concurrency
from governance.models import Body, MemberState, Person, StrategicGoal
from meetings.models import ActionItem, AgendaItem, Decision, Meeting
from meetings.selectors.meetings import meeting_date
from meetings.services.meetings import fmt_day, locked_meeting

Status = Meeting.Status


def _check_record_open(meeting: Meeting) -> None:
    if meeting.status not in (Status.CONFIRMED, Status.HELD):
        raise ValidationError({"meeting": "The record is kept for a confirmed or held meeting."})


def _check_states(meeting: Meeting, states: Sequence[MemberState]) -> None:
    day = meeting_date(meeting)
    wrong = [s.short_name for s in states if not s.is_member_on(day)]
    if wrong:
        raise ValidationError(
            {"participating_states": f"Not ASEAN members on {fmt_day(day)}: {', '.join(wrong)}."}
        )


def decision_record(
    *,
    meeting: Meeting,
    agenda_item: AgendaItem,
    kind: str,
    text: str,
    participating_states: Sequence[MemberState] = (),
) -> Decision:
    """Record what the meeting decided on an item: agreed, noted, endorsed, tasked, deferred or referred (by
    consensus: no votes). ``participating_states`` records an "ASEAN Minus X" decision; empty means all."""
    errors = {}
    if agenda_item.meeting_id != meeting.pk:
        errors["agenda_item"] = "The agenda item belongs to another meeting."
    if kind not in Decision.Kind.values:
        errors["kind"] = f"Kind must be one of: {', '.join(Decision.Kind.values)}."
    if not (text or "").strip():
        errors["text"] = "Write the decision."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        m = locked_meeting(meeting)
        _check_record_open(m)
        _check_states(m, participating_states)
        position = (Decision.objects.filter(meeting=m).aggregate(p=Max("position"))["p"] or 0) + 1
        d = Decision.objects.create(
            meeting=m, agenda_item=agenda_item, kind=kind, text=text.strip(), position=position
        )
        if participating_states:
            d.participating_states.set(participating_states)
    return d


def decision_update(
    *,
    decision: Decision,
    data: dict[str, Any],
    participating_states: Sequence[MemberState] | None = None,
    expected_version: str | None = None,
) -> Decision:
    """Change a decision; with ``expected_version`` (the version the edit started from), a save over
    someone else's newer change is refused (``governance.concurrency``)."""
    unknown = set(data) - {"kind", "text", "agenda_item"}
    if unknown:
        raise ValidationError({k: "This field cannot be changed here." for k in sorted(unknown)})
    with transaction.atomic():
        m = locked_meeting(decision.meeting_id)
        _check_record_open(m)
        d = Decision.objects.select_for_update().get(pk=decision.pk)
        concurrency.check_current(d, expected_version, fields=sorted(data))
        for k, v in data.items():
            setattr(d, k, v)
        if d.agenda_item.meeting_id != m.pk:
            raise ValidationError({"agenda_item": "The agenda item belongs to another meeting."})
        if d.kind not in Decision.Kind.values:
            raise ValidationError({"kind": f"Kind must be one of: {', '.join(Decision.Kind.values)}."})
        if not d.text.strip():
            raise ValidationError({"text": "Write the decision."})
        d.save()
        if participating_states is not None:
            _check_states(m, participating_states)
            d.participating_states.set(participating_states)
    return d


def decision_delete(*, decision: Decision) -> None:
    with transaction.atomic():
        m = locked_meeting(decision.meeting_id)
        _check_record_open(m)
        Decision.objects.filter(pk=decision.pk).delete()


def action_item_create(
    *,
    meeting: Meeting,
    title: str,
    owner_state: MemberState | None = None,
    owner_person: Person | None = None,
    owner_body: Body | None = None,
    due_date: dt.date | None = None,
    decision: Decision | None = None,
    agenda_item: AgendaItem | None = None,
    goal: StrategicGoal | None = None,
) -> ActionItem:
    """An action the meeting gave someone: a member state, a person or a task force. It stays open across
    meetings until closed, and comes back as a matter arising at the next one."""
    errors = {}
    if not (title or "").strip():
        errors["title"] = "Say what is to be done."
    if not (owner_state or owner_person or owner_body):
        errors["owner"] = "Name an owner: a member state, a person or a task force."
    if decision is not None and decision.meeting_id != meeting.pk:
        errors["decision"] = "The decision belongs to another meeting."
    if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
        errors["agenda_item"] = "The agenda item belongs to another meeting."
    if due_date is not None and due_date < meeting_date(meeting):
        errors["due_date"] = "The due date is before the meeting."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        m = locked_meeting(meeting)
        _check_record_open(m)
        return ActionItem.objects.create(
            body_id=m.body_id,
            meeting=m,
            title=title.strip(),
            owner_state=owner_state,
            owner_person=owner_person,
            owner_body=owner_body,
            due_date=due_date,
            decision=decision,
            agenda_item=agenda_item or (decision.agenda_item if decision else None),
            goal=goal,
        )


CLOSED = (ActionItem.Status.DONE, ActionItem.Status.DROPPED)


def action_item_update(
    *,
    action_item: ActionItem,
    status: str | None = None,
    progress_note: str | None = None,
    due_date: dt.date | None = None,
    at_meeting: Meeting | None = None,
    expected_version: str | None = None,
) -> ActionItem:
    """Follow an action item: progress, a new due date, closing it (at a meeting, or between meetings).
    With ``expected_version``, a save over someone else's newer change is refused."""
    if status is not None and status not in ActionItem.Status.values:
        raise ValidationError({"status": f"Status must be one of: {', '.join(ActionItem.Status.values)}."})
    if at_meeting is not None and at_meeting.body_id != action_item.body_id:
        raise ValidationError(
            {"at_meeting": "That meeting is not a meeting of the body that owns the action."}
        )
    with transaction.atomic():
        a = ActionItem.objects.select_for_update().get(pk=action_item.pk)
        changing = {"status": status, "progress_note": progress_note, "due_date": due_date}
        concurrency.check_current(
            a, expected_version, fields=[k for k, v in changing.items() if v is not None]
        )
        if status is not None and status != a.status:
            if status in CLOSED:
                a.closed_at, a.closed_at_meeting = timezone.now(), at_meeting
            else:
                a.closed_at, a.closed_at_meeting = None, None
            a.status = status
        if progress_note is not None:
            a.progress_note = progress_note
        if due_date is not None:
            a.due_date = due_date
        a.save()
    return a
