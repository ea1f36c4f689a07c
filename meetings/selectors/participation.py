"""The delegations a user sits on."""

from __future__ import annotations

import datetime as dt

from governance.accounts import person_of
from governance.models import Body
from governance.permissions import delegation_seats
from meetings.models import Meeting
from meetings.selectors.meetings import meeting_local


def delegation_states_for(user, *, body: Body | int, on: dt.date) -> list[int]:
    """Ids of the member states whose delegation the user sits on (head, alternate or delegate) on ``on``:
    any member of a delegation may edit that delegation's registration, never another state's."""
    person = person_of(user)
    if person is None:
        return []
    body_id = body if isinstance(body, int) else body.pk
    # Ordered by id: the Meta ordering would join the body and the state for names nobody reads here.
    seats = delegation_seats(on=on, person=person, body_id=body_id).order_by("member_state_id")
    return list(seats.values_list("member_state_id", flat=True))


def registration_open(meeting: Meeting, *, on: dt.date) -> bool:
    """A delegation registers its members until the meeting is held: not once it is marked held or
    cancelled, nor after its last day at the venue (a meeting nobody has marked held yet is still over)."""
    if meeting.status in (Meeting.Status.CANCELLED, Meeting.Status.HELD):
        return False
    return on <= meeting_local(meeting)[1].date()
