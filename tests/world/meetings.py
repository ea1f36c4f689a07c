"""Meetings: the meetings scene (the `world` fixture: ACCMSME with a chair term, a Secretariat officer, the
chair state's head of delegation and the delegation of the Philippines), meetings scheduled through the
services or written as rows, and invitations. Every date is fixed; nothing depends on today."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from chairmanship.models import ChairTerm
from governance.models import Body, Membership, MemberState
from governance.rights import sync_user_rights
from meetings import services
from meetings.models import Invitation, Meeting, MeetingSeries
from meetings.rights import sync_meeting_rights
from tests.world.clock import DAY
from tests.world.people import seat, state


@dataclass
class World:
    body: Body
    series: MeetingSeries
    sec: object
    chair: object  # head of delegation of Viet Nam, the chair state in 2026
    head_ph: object
    delegate_ph: object
    outsider: object


def meeting_schedule(
    w: World,
    *,
    number: int = 21,
    start: dt.datetime = dt.datetime(2026, 5, 13, 9, 0),
    end: dt.datetime = dt.datetime(2026, 5, 14, 17, 0),
    host: str = "VN",
    confirm: bool = False,
) -> Meeting:
    """A meeting of the scene's series, scheduled (and confirmed if told) through the services."""
    m = services.meeting_create(
        body=w.body, series=w.series, number=number, start=start, end=end, host=state(host)
    )
    if confirm:
        m = services.meeting_confirm(meeting=m)
    return m


def meeting_row(
    body: Body,
    *,
    start: dt.datetime,
    end: dt.datetime,
    host: MemberState | None = None,
    tz: str = "Asia/Jakarta",
    **fields,
) -> Meeting:
    """A meeting written as a row, past the services' rules: confirmed (invitations go out for it) at
    sequence 1 unless ``fields`` say otherwise."""
    defaults = dict(
        title="21st ACCMSME Meeting",
        city=host.capital if host else "",
        venue="ASEAN Secretariat",
        status=Meeting.Status.CONFIRMED,
        sequence=1,
    )
    defaults.update(fields)
    return Meeting.objects.create(body=body, host=host, start=start, end=end, timezone=tz, **defaults)


def invite(meeting: Meeting, people) -> list[Invitation]:
    """Invitations for ``people`` (Persons), each for their own state, with the rights they give."""
    invitations = [
        Invitation.objects.create(meeting=meeting, person=p, member_state=p.member_state) for p in people
    ]
    sync_meeting_rights(meeting, person_ids=[p.pk for p in people])  # as the invitation services do
    return invitations


def meetings_scene(make_user) -> World:
    """Needs the seeded ASEAN data (the `seeded` fixture)."""
    body = Body.objects.get(acronym="ACCMSME")
    ChairTerm.objects.create(
        body=body,
        member_state=state("VN"),
        start_date=dt.date(2026, 1, 1),
        end_date=dt.date(2026, 12, 31),
        reason="Test chair term",
    )
    sec = make_user("sec", secretariat=True)
    chair = make_user("chair-vn", state=state("VN"))
    seat(chair.person, body, "VN", Membership.Role.HEAD_OF_DELEGATION)
    head_ph = make_user("head-ph", state=state("PH"))
    seat(head_ph.person, body, "PH", Membership.Role.HEAD_OF_DELEGATION)
    delegate_ph = make_user("delegate-ph", state=state("PH"))
    seat(delegate_ph.person, body, "PH")
    outsider = make_user("outsider", state=state("SG"))
    for u in (chair, head_ph, delegate_ph, outsider):
        sync_user_rights(u, on=DAY)
    return World(
        body=body,
        series=MeetingSeries.objects.get(name="ACCMSME Meeting"),
        sec=sec,
        chair=chair,
        head_ph=head_ph,
        delegate_ph=delegate_ph,
        outsider=outsider,
    )


def record_page_post(client, meeting: Meeting, *, form=None, **typed) -> dict:
    """What the browser posts from the record page as ``client`` draws it (or from ``form``, a page drawn
    earlier), with ``typed`` changed: every field, a ticked box as "on", an unticked one left out."""
    form = form if form is not None else client.get(f"/meetings/{meeting.pk}/record/").context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is True:
            data[name] = "on"
        elif value not in (False, None):
            data[name] = value
    for name, value in typed.items():
        if value is False:
            data.pop(name, None)
        else:
            data[name] = value
    return data
