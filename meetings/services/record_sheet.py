"""The record page saved as one sheet: attendance, the minutes of every item, the follow-up of action items
and, when filled in, a new decision and a new action item, all in one transaction. Either everything typed
is stored or nothing is, and a refusal names the row it is about, so the page can show every field again as
typed with the wrong one marked.

Two people saving the page at once (issue 20): every row carries the version it was drawn from
(``governance.concurrency``, as the action-item list and the handover checklist do). A row someone else
saved since is refused when the person changed it, and skipped when they left it as drawn (saving the page
never reverts another person's row). Attendance keeps no history, so its "version" is the state drawn."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from governance import concurrency
from meetings.models import ActionItem, AgendaItem, Attendance, Meeting
from meetings.selectors.record import attendance_version
from meetings.services import agenda as agenda_services
from meetings.services import participation as participation_services
from meetings.services import record as record_services
from meetings.services.meetings import locked_meeting


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
    # The version each row was drawn from, by the row's key ("minutes_12", "status_7", "present_3"); a row
    # without one (a post not made from the page) is not compared.
    versions: dict[str, str] = field(default_factory=dict)


class RecordRefused(Exception):
    """One row of the sheet was refused: ``where`` names it ("attendance", "minutes_12", "status_7",
    "decision", "action") and ``error`` is the service's ``ValidationError``. Nothing was stored."""

    def __init__(self, where: str, error: ValidationError):
        super().__init__(f"{where}: {' '.join(error.messages)}")
        self.where, self.error = where, error


class RecordStale(RecordRefused):
    """Rows someone else saved since the page was drawn, which the person changed too: ``rows`` maps each
    row's key to the refusal naming the other change; ``left_as_drawn`` are the rows someone else changed
    that this person did not touch (to be drawn again as they now are). Nothing was stored."""

    def __init__(self, rows: dict[str, ValidationError], left_as_drawn: set[str]):
        where, error = next(iter(rows.items()))
        super().__init__(where, error)
        self.rows, self.left_as_drawn = rows, left_as_drawn


def _row_against(model, pk: int, expected: str | None, typed: dict) -> ValidationError | str:
    """ "ok" (current, or not compared), "skip" (stale but left as drawn: the newer change stays) or the
    refusal naming the other person's change; the row stays locked until the end of the save."""
    if expected is None:
        return "ok"
    locked = model.objects.select_for_update().get(pk=pk)
    if concurrency.edit_version(locked) == str(expected).strip():
        return "ok"
    if concurrency.drawn_unchanged(locked, expected, typed):
        return "skip"
    try:
        concurrency.check_current(locked, expected, fields=sorted(typed))
    except ValidationError as exc:
        return ValidationError(exc.message_dict[concurrency.VERSION_FIELD])
    return "ok"


def _stale_rows(meeting: Meeting, sheet: RecordSheet) -> tuple[dict[str, ValidationError], set[str]]:
    """Compare every versioned row before anything is written, so one refusal names every conflict."""
    stale: dict[str, ValidationError] = {}
    skip: set[str] = set()
    rows = [(f"minutes_{i.pk}", AgendaItem, i.pk, {"minutes": t}) for i, t in sheet.minutes.items()]
    rows += [
        (f"status_{f.action_item.pk}", ActionItem, f.action_item.pk, _follow_up_values(f))
        for f in sheet.follow_ups
    ]
    for where, model, pk, typed in rows:
        verdict = _row_against(model, pk, sheet.versions.get(where), typed)
        if verdict == "skip":
            skip.add(where)
        elif isinstance(verdict, ValidationError):
            stale[where] = verdict
    if sheet.attendance is not None:
        now = {
            a.person_id: attendance_version(a.present, a.remote)
            for a in Attendance.objects.filter(meeting=meeting)
        }
        for e in sheet.attendance:
            where = f"present_{e.person.pk}"
            drawn, current = sheet.versions.get(where), now.get(e.person.pk, "00")
            if drawn is None or current == drawn.strip():
                continue
            typed = attendance_version(e.present, e.remote)
            if typed == drawn.strip():
                skip.add(where)  # left as drawn: the other person's record stays
            elif typed != current:
                stale[where] = ValidationError(
                    f"Someone else recorded {e.person} as {_attendance_label(current)} while you were "
                    "editing this record. Your changes were not saved. Review the row below (it shows "
                    "your choice) and save again."
                )
    return stale, skip


def _follow_up_values(f: ActionFollowUp) -> dict[str, str]:
    return {"status": f.status, "progress_note": f.progress_note}


def _attendance_label(version: str) -> str:
    return {"10": "present", "11": "present, remote"}.get(version, "absent")


def _step(where: str, write: Callable[[], Any]) -> Any:
    try:
        return write()
    except ValidationError as exc:
        raise RecordRefused(where, exc) from exc


def _without(sheet: RecordSheet, skip: set[str]) -> RecordSheet:
    """The sheet without the rows left as drawn that someone else has changed since."""
    if not skip:
        return sheet
    attendance = sheet.attendance
    if attendance is not None:
        attendance = [e for e in attendance if f"present_{e.person.pk}" not in skip]
    return RecordSheet(
        attendance=attendance,
        minutes={i: t for i, t in sheet.minutes.items() if f"minutes_{i.pk}" not in skip},
        follow_ups=[f for f in sheet.follow_ups if f"status_{f.action_item.pk}" not in skip],
        new_decision=sheet.new_decision,
        new_action=sheet.new_action,
        versions=sheet.versions,
    )


def record_sheet_save(*, meeting: Meeting, sheet: RecordSheet) -> list[str]:
    """Store the sheet in one transaction; returns what was saved, for the page's message."""
    saved: list[str] = []
    with transaction.atomic():
        locked_meeting(meeting)  # first, as every record write does: one lock order
        stale, skip = _stale_rows(meeting, sheet)
        if stale:
            raise RecordStale(stale, skip)
        sheet = _without(sheet, skip)
        if sheet.attendance:
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
