"""Meeting versions as calendars see them: an attendee CANCEL and a re-invitation (RFC 5546 §3.2.5),
updates for what a delegate sees (and nothing for what they do not), answers that belong to a date, RSVP
links tied to the version they were sent for, and the circulated agenda for people added late."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from meetings import services
from meetings.calendar import changes
from meetings.calendar.kinds import Kind
from meetings.calendar.rsvp import invitation_respond
from meetings.calendar.tasks import meeting_version_plan
from meetings.models import AgendaVersion, Invitation
from outbox.models import Message
from tests.world.build import api_as
from tests.world.calendar import withdraw, zones_scene
from tests.world.clock import NOW, at, clock
from tests.world.mail import calendar_part, deliver, itip_reply, parse_both, text_part
from tests.world.people import user_make

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("queued")]
PartStat = Invitation.PartStat
# Rows a change hands to workers at once are leased for half a minute; the tests send them after.
SOON = NOW + dt.timedelta(minutes=1)


def sent_to(messages) -> dict:
    return {m.to[0]: m for m in messages}


def event_of(message):
    params, body = calendar_part(message)
    cal, event, other = parse_both(body)
    assert str(cal["METHOD"]) == params["method"]
    return cal, event, other


def invited(w):
    with clock(NOW):
        meeting_version_plan(meeting_id=w.meeting.pk)
    return sent_to(deliver(NOW))


@pytest.fixture
def sec(db):
    return user_make("secretariat-officer", secretariat=True)


def test_an_attendee_cancel_raises_their_sequence_without_status_and_a_reinvite_goes_higher(
    sec, django_capture_on_commit_callbacks
):
    w = zones_scene()
    invited(w)
    meeting = w.meeting
    manila = Invitation.objects.get(meeting=meeting, person=w.people.manila)

    withdraw(manila)
    out = deliver(NOW)
    assert [m.to[0] for m in out] == [w.people.manila.email]  # nobody else hears of it
    cal, event, other = event_of(out[0])
    assert str(cal["METHOD"]) == "CANCEL"
    assert event["SEQUENCE"] == meeting.sequence + 1  # raised for this attendee's copy only
    assert "STATUS" not in event  # STATUS:CANCELLED would call off the whole meeting
    assert str(event["ATTENDEE"]) == f"mailto:{w.people.manila.email}"
    assert str(event["UID"]) == meeting.uid == other.uid

    with clock(NOW), django_capture_on_commit_callbacks(execute=True):
        services.invitation_add(meeting=meeting, person=w.people.manila, actor=sec)
    out = deliver(SOON)
    assert [m.to[0] for m in out] == [w.people.manila.email]
    cal, event, _ = event_of(out[0])
    assert str(cal["METHOD"]) == "REQUEST"
    assert event["SEQUENCE"] == meeting.sequence + 2  # after the CANCEL they hold
    assert str(event["STATUS"]) == "CONFIRMED"

    # The meeting's own later versions keep their order in that copy too, and a meeting CANCEL says so.
    with clock(NOW), django_capture_on_commit_callbacks(execute=True):
        services.meeting_cancel(meeting=meeting)
    meeting.refresh_from_db()
    out = sent_to(deliver(SOON))
    assert set(out) == {p.email for p in w.everyone}
    _, event, _ = event_of(out[w.people.manila.email])
    assert event["SEQUENCE"] == meeting.sequence + 2 and str(event["STATUS"]) == "CANCELLED"
    _, event, _ = event_of(out[w.people.jakarta.email])
    assert event["SEQUENCE"] == meeting.sequence and str(event["STATUS"]) == "CANCELLED"


def test_an_itip_reply_must_carry_the_attendees_own_sequence(sec, django_capture_on_commit_callbacks):
    w = zones_scene()
    invited(w)
    manila = Invitation.objects.get(meeting=w.meeting, person=w.people.manila)
    withdraw(manila)
    with clock(NOW), django_capture_on_commit_callbacks(execute=True):
        services.invitation_add(meeting=w.meeting, person=w.people.manila, actor=sec)
    seq = w.meeting.sequence
    api = api_as(sec)
    for stale in (seq, seq + 1):  # the first invitation, and the CANCEL's version
        reply = itip_reply(uid=w.meeting.uid, seq=stale, partstat="ACCEPTED", email=w.people.manila.email)
        r = api.post("/api/v1/itip/reply/", data=reply, content_type="text/calendar")
        assert r.status_code == 409, r.content
    reply = itip_reply(uid=w.meeting.uid, seq=seq + 2, partstat="ACCEPTED", email=w.people.manila.email)
    with clock(NOW):
        r = api.post("/api/v1/itip/reply/", data=reply, content_type="text/calendar")
    assert r.status_code == 200, r.content
    manila.refresh_from_db()
    assert manila.partstat == PartStat.ACCEPTED


def test_a_title_only_change_sends_exactly_one_update_each_and_nothing_else(
    django_capture_on_commit_callbacks,
):
    w = zones_scene(start=at(2026, 3, 4, 9))
    meeting = w.meeting
    invited_on, changed_on = at(2026, 2, 20), at(2026, 2, 26)
    with clock(invited_on):
        meeting_version_plan(meeting_id=meeting.pk)
    assert len(deliver(invited_on)) == len(w.everyone)
    # A first change after the 7-day reminder's moment: one "coming up" each instead of it.
    with clock(changed_on), django_capture_on_commit_callbacks(execute=True):
        services.meeting_update(meeting=meeting, data={"title": "21st ACCMSME Meeting (Jakarta)"})
    kinds = sorted(m.subject.split(":")[0] for m in deliver(changed_on + dt.timedelta(minutes=1)))
    assert kinds == ["Coming up"] * len(w.everyone) + ["Updated"] * len(w.everyone)
    coming_up = Message.objects.filter(kind=Kind.COMING_UP).count()
    version = AgendaVersion.objects.create(meeting=meeting, number=1, items=[{"title": "Adoption"}])
    with clock(NOW):
        changes.agenda_circulation_plan(version_id=version.pk)
    deliver(NOW)
    jakarta = Invitation.objects.get(meeting=meeting, person=w.people.jakarta)
    with clock(NOW):
        invitation_respond(invitation=jakarta, partstat=PartStat.ACCEPTED)
    rows = Message.objects.count()

    later = NOW + dt.timedelta(hours=1)
    with clock(later), django_capture_on_commit_callbacks(execute=True):
        services.meeting_update(meeting=meeting, data={"title": "21st ACCMSME Meeting (Special Session)"})
    meeting.refresh_from_db()
    out = deliver(later + dt.timedelta(minutes=1))
    assert sorted(m.to[0] for m in out) == sorted(p.email for p in w.everyone)  # one each
    for message in out:
        assert message.subject.startswith("Updated: 21st ACCMSME Meeting (Special Session)")
        _, event, _ = event_of(message)
        assert event["SEQUENCE"] == meeting.sequence
        assert str(event["SUMMARY"]) == "21st ACCMSME Meeting (Special Session)"
        assert "Agenda\n" not in text_part(message)  # the agenda is not sent again
        assert [a[0] for a in message.attachments] == ["invite.ics"]  # nothing else attached
    assert Message.objects.filter(kind=Kind.COMING_UP).count() == coming_up  # no second "coming up"
    assert not Message.objects.filter(kind=Kind.AGENDA, status=Message.Status.SENT, sent_at__gt=NOW).exists()
    jakarta.refresh_from_db()
    assert jakarta.partstat == PartStat.ACCEPTED  # a new title keeps the answer

    # A save that changes nothing a delegate sees sends nothing and plans nothing.
    rows = Message.objects.count()
    with clock(later), django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.meeting_update(
            meeting=meeting, data={"title": meeting.title, "venue": meeting.venue, "is_public": True}
        )
    assert callbacks == [] and Message.objects.count() == rows
    assert deliver(later + dt.timedelta(minutes=5)) == []


def test_a_move_resets_the_answers_and_says_the_earlier_one_was_for_the_earlier_date(
    client, django_capture_on_commit_callbacks
):
    w = zones_scene()
    first = invited(w)
    meeting = w.meeting
    manila = Invitation.objects.get(meeting=meeting, person=w.people.manila)
    with clock(NOW):
        invitation_respond(invitation=manila, partstat=PartStat.ACCEPTED)
    old_links = re.findall(r"Accept: (\S+)", text_part(first[w.people.manila.email]))
    assert old_links

    with clock(NOW), django_capture_on_commit_callbacks(execute=True):
        services.meeting_update(
            meeting=meeting, data={"start": at(2026, 5, 11, 9), "end": at(2026, 5, 11, 17)}
        )
    meeting.refresh_from_db()
    manila.refresh_from_db()
    assert manila.partstat == PartStat.NEEDS_ACTION
    assert (manila.earlier_partstat, manila.earlier_start) == (PartStat.ACCEPTED, at(2026, 5, 4, 9))
    assert manila.history.first().partstat == PartStat.NEEDS_ACTION  # the reset is in the audit trail

    update = sent_to(deliver(SOON))[w.people.manila.email]
    text = text_part(update)
    assert "Your earlier answer (Accepted) was for the earlier date, Mon 4 May 2026." in text
    assert "Your answer so far: Accepted" not in text
    _, event, _ = event_of(update)
    assert event["ATTENDEE"].params["PARTSTAT"] == "NEEDS-ACTION"  # never "accepted" for a new date

    # The link of the first invitation says the meeting moved, records nothing, offers the current one.
    path = old_links[0].split("://", 1)[1].split("/", 1)[1]
    with clock(NOW):
        page = client.post(f"/{path}")
    assert page.status_code == 409
    assert b"has moved" in page.content
    manila.refresh_from_db()
    assert manila.partstat == PartStat.NEEDS_ACTION
    current = re.findall(r'href="https?://[^/]+(/rsvp/[^"]+)" class="rsvp-current"', page.content.decode())
    assert len(current) == 3
    new_links = re.findall(r"Accept: \S+?://[^/]+(/\S+)", text)
    with clock(NOW):
        assert client.post(new_links[0]).status_code == 200
    manila.refresh_from_db()
    assert manila.partstat == PartStat.ACCEPTED and manila.earlier_partstat == ""

    # A title change later: the links of the latest version stay good (only time and place reset).
    with clock(NOW), django_capture_on_commit_callbacks(execute=True):
        services.meeting_update(meeting=meeting, data={"title": "21st ACCMSME Meeting (retreat)"})
    with clock(NOW):
        assert client.get(current[1]).status_code == 200


def test_someone_added_after_the_agenda_went_out_gets_it_at_once_and_once(
    sec, django_capture_on_commit_callbacks
):
    w = zones_scene()
    invited(w)
    version = AgendaVersion.objects.create(meeting=w.meeting, number=1, items=[{"title": "Adoption"}])
    with clock(NOW):
        changes.agenda_circulation_plan(version_id=version.pk)
    deliver(NOW)
    late = user_make("fay-hanoi", state=w.states["VN"]).person
    with clock(NOW), django_capture_on_commit_callbacks(execute=True):
        services.invitation_add(meeting=w.meeting, person=late, actor=sec)
    out = [m for m in deliver(SOON) if m.to[0] == late.email]
    assert sorted(m.subject.split(":")[0] for m in out) == ["Agenda", "Invitation"]
    agenda = next(m for m in out if m.subject.startswith("Agenda"))
    assert "1. Adoption" in text_part(agenda)
    # The 14-day lead-time notice finds it already circulated: nothing twice.
    later = [m for m in deliver(at(2026, 4, 20, 9)) if m.to[0] == late.email and "Agenda" in m.subject]
    assert later == []


def test_someone_added_to_a_planned_meeting_gets_the_circulated_agenda_at_once(
    sec, django_capture_on_commit_callbacks
):
    """Planned (not confirmed): the list had the agenda when it was circulated, so a newcomer gets it at
    once too; no invitation until the meeting is confirmed, and then no second agenda."""
    from tests.world.calendar import confirm

    w = zones_scene()
    w.meeting.status = w.meeting.Status.PLANNED
    w.meeting.save()
    version = AgendaVersion.objects.create(meeting=w.meeting, number=1, items=[{"title": "Adoption"}])
    with clock(NOW):
        changes.agenda_circulation_plan(version_id=version.pk)
    first = deliver(NOW)
    assert {m.to[0] for m in first} == {p.email for p in w.everyone}
    assert {m.subject for m in first} == {"Agenda: 21st ACCMSME Meeting (version 1)"}
    late = user_make("fay-hanoi", state=w.states["VN"]).person
    with clock(NOW), django_capture_on_commit_callbacks(execute=True):
        services.invitation_add(meeting=w.meeting, person=late, actor=sec)
    out = [m for m in deliver(SOON) if m.to[0] == late.email]
    assert [m.subject for m in out] == ["Agenda: 21st ACCMSME Meeting (version 1)"]
    assert "1. Adoption" in text_part(out[0])
    assert calendar_part(out[0]) == (None, None)  # no calendar entry for a meeting not yet confirmed
    confirm(w.meeting, now=SOON)
    later = [m for m in deliver(SOON + dt.timedelta(minutes=1)) if m.to[0] == late.email]
    assert [m.subject.split(":")[0] for m in later] == ["Invitation"]  # the agenda is not sent twice
