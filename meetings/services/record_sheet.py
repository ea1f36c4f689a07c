"""The record page saved as one sheet: attendance, the minutes of every item, the follow-up of action items
and, when filled in, a new decision and a new action item, all in one transaction. Either everything typed
is stored or nothing is, and a refusal names the row it is about, so the page can show every field again as
typed with the wrong one marked."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from meetings.models import ActionItem, AgendaItem, Meeting
from meetings.services import agenda as agenda_services
from meetings.services import participation as participation_services
from meetings.services import record as record_services


@dataclass(frozen=True)
class ActionFollowUp:
    action_item: ActionItem
    status: str
    progress_note: str


@dataclass
class RecordSheet:
    """What changed on the page; rows left as they were are not in it (nothing is rewritten for nothing)."""

    attendance: Sequence[participation_services.AttendanceEntry] | None = None  # None: attendance untouched
    minutes: dict[AgendaItem, str] = field(default_factory=dict)
    follow_ups: list[ActionFollowUp] = field(default_factory=list)
    new_decision: dict[str, Any] | None = None  # decision_record's arguments
    new_action: dict[str, Any] | None = None  # action_item_create's arguments


class RecordRefused(Exception):
    """One row of the sheet was refused: ``where`` names it ("attendance", "minutes_12", "status_7",
    "decision", "action") and ``error`` is the service's ``ValidationError``. Nothing was stored."""

    def __init__(self, where: str, error: ValidationError):
        super().__init__(f"{where}: {' '.join(error.messages)}")
        self.where, self.error = where, error


def _step(where: str, write: Callable[[], Any]) -> Any:
    try:
        return write()
    except ValidationError as exc:
        raise RecordRefused(where, exc) from exc


def record_sheet_save(*, meeting: Meeting, sheet: RecordSheet) -> list[str]:
    """Store the sheet in one transaction; returns what was saved, for the page's message."""
    saved: list[str] = []
    with transaction.atomic():
        if sheet.attendance is not None:
            _step(
                "attendance",
                lambda: participation_services.attendance_record(meeting=meeting, entries=sheet.attendance),
            )
            saved.append("attendance")
        for item, text in sheet.minutes.items():
            _step(
                f"minutes_{item.pk}",
                lambda item=item, text=text: agenda_services.agenda_item_record_minutes(
                    item=item, minutes=text
                ),
            )
        if sheet.minutes:
            saved.append(f"minutes of {len(sheet.minutes)} item(s)")
        for f in sheet.follow_ups:
            _step(
                f"status_{f.action_item.pk}",
                lambda f=f: record_services.action_item_update(
                    action_item=f.action_item,
                    status=f.status,
                    progress_note=f.progress_note,
                    at_meeting=meeting,
                ),
            )
        if sheet.follow_ups:
            saved.append(f"{len(sheet.follow_ups)} action item(s) followed up")
        if sheet.new_decision is not None:
            _step("decision", lambda: record_services.decision_record(meeting=meeting, **sheet.new_decision))
            saved.append("a new decision")
        if sheet.new_action is not None:
            _step("action", lambda: record_services.action_item_create(meeting=meeting, **sheet.new_action))
            saved.append("a new action item")
    return saved
