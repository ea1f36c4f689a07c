"""The delegations a user sits on, and the seats "invite all delegations" would add to a meeting's list."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from governance.accounts import person_of
from governance.models import Body, Membership, MemberState
from governance.permissions import delegation_seats
from governance.prepared import Prepared
from meetings.models import Invitation, Meeting
from meetings.selectors.meetings import meeting_date, meeting_local


def delegation_states_for(user, *, body: Body | int, on: dt.date) -> list[int]:
    """Ids of the member states whose delegation the user sits on (head, alternate or delegate) on ``on``:
    any member of a delegation may edit that delegation's registration, never another state's."""
    person = person_of(user)
    if person is None:
        return []
    body_id = body if isinstance(body, int) else body.pk
    return _DELEGATION_STATES(person_id=person.pk, body_id=body_id, on=on)


# Read on every meeting page: compiled once per process (governance.prepared).
_DELEGATION_STATES = Prepared(
    lambda person_id, body_id, on: (
        delegation_seats(on=on, person_id=person_id, body_id=body_id)
        # Ordered by id: the Meta ordering would join the body and the state for names nobody reads here.
        .order_by("member_state_id")
        .values_list("member_state_id", flat=True)
    )
)


def registration_open(meeting: Meeting, *, on: dt.date) -> bool:
    """A delegation registers its members until the meeting is held: not once it is marked held or
    cancelled, nor after its last day at the venue (a meeting nobody has marked held yet is still over)."""
    if meeting.status in (Meeting.Status.CANCELLED, Meeting.Status.HELD):
        return False
    return on <= meeting_local(meeting)[1].date()


def delegation_seats_to_invite(meeting: Meeting) -> list[Membership]:
    """The seats "invite all delegations" adds: every current member of the body (observers aside) for the
    states that are ASEAN members on the meeting's date, one seat per person, leaving out anyone already on
    the list or taken off it. The service invites exactly these; its confirmation page counts them."""
    day = meeting_date(meeting)
    seats = (
        Membership.objects.filter(
            body_id=meeting.body_id, member_state__in=MemberState.objects.members_on(day), start_date__lte=day
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
        .exclude(role=Membership.Role.OBSERVER)
        .exclude(person_id__in=Invitation.objects.filter(meeting=meeting).values("person_id"))
        .select_related("person", "member_state")
        .order_by("member_state__short_name", "person__full_name", "pk")
    )
    chosen: dict[int, Membership] = {}
    for seat in seats:
        chosen.setdefault(seat.person_id, seat)
    return list(chosen.values())
