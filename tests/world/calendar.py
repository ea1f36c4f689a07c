"""The zones scene (the `zones` fixture) and the record side's changes as the calendar side sees them.

The committee meets in Jakarta (UTC+7); delegates read from Manila (UTC+8), Yangon (UTC+6:30), Bangkok
(UTC+7, same clock as Jakarta) and Brussels (with daylight saving). The record side's changes (confirm,
move, postpone, withdraw) are applied directly here, with the hook the record side calls after commit, so
each test controls ``now``.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from meetings.calendar import changes
from meetings.calendar.tasks import meeting_version_plan
from meetings.models import Meeting
from tests.world.clock import NOW, at, clock
from tests.world.meetings import invite, meeting_row
from tests.world.people import body_make, person_make, states


def zones_scene(*, n_extra: int = 0, start: dt.datetime | None = None) -> SimpleNamespace:
    """ACCMSME's confirmed Jakarta meeting on Mon 4 May 2026 (or on ``start``), 09:00–17:00, with
    delegates invited from several zones (and ``n_extra`` more from Viet Nam)."""
    by_iso2 = states("ID", "PH", "MM", "TH", "MY", "VN")
    body = body_make()
    people = SimpleNamespace(
        jakarta=person_make("ana-jakarta", state=by_iso2["ID"], body=body),
        manila=person_make("ben-manila", state=by_iso2["PH"], body=body),
        yangon=person_make("cho-yangon", state=by_iso2["MM"], body=body),
        bangkok=person_make("dao-bangkok", state=by_iso2["TH"], body=body),
        brussels=person_make("eva-brussels", state=by_iso2["MY"], tz="Europe/Brussels", body=body),
    )
    extra = [person_make(f"extra-{i}", state=by_iso2["VN"], body=body) for i in range(n_extra)]
    start = start or at(2026, 5, 4, 9)
    meeting = meeting_row(body, host=by_iso2["ID"], start=start, end=start + dt.timedelta(hours=8))
    everyone = [people.jakarta, people.manila, people.yangon, people.bangkok, people.brussels, *extra]
    invite(meeting, everyone)
    return SimpleNamespace(states=by_iso2, body=body, people=people, meeting=meeting, everyone=everyone)


# --- Record-side changes, as services.py makes them, with the hook it calls after commit ----------------


def _new_version(meeting: Meeting, now, **changed) -> None:
    for field, value in changed.items():
        setattr(meeting, field, value)
    meeting.sequence += 1
    meeting.save()
    with clock(now):
        meeting_version_plan(meeting_id=meeting.pk)


def confirm(meeting, *, now=NOW):
    _new_version(meeting, now, status=Meeting.Status.CONFIRMED)


def move(meeting, start, end, *, now=NOW):
    _new_version(meeting, now, start=start, end=end)


def postpone(meeting, *, now=NOW):
    _new_version(meeting, now, status=Meeting.Status.POSTPONED)


def redate(meeting, start, end, *, now=NOW):
    """A postponed meeting gets its new date (services.meeting_postpone with a date)."""
    _new_version(meeting, now, start=start, end=end, status=Meeting.Status.CONFIRMED)


def cancel(meeting, *, now=NOW):
    _new_version(meeting, now, status=Meeting.Status.CANCELLED)


def withdraw(invitation, *, now=NOW):
    invitation.is_withdrawn = True
    invitation.link_version += 1
    invitation.save()
    with clock(now):
        changes.invitation_withdrawal_plan(invitation_id=invitation.pk)
