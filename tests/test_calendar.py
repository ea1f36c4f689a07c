"""Calendar files and the emails that carry them: RFC 5545/5546, read back with icalendar and with the
independent ``ics`` parser."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import ics
import pytest
from django.core.management import CommandError, call_command
from icalendar import Calendar

from meetings.calendar.ics import CANCEL, REQUEST, PersonalCalendars, meeting_calendar
from meetings.calendar.itip import parse_reply
from meetings.calendar.tasks import meeting_version_plan
from meetings.times import ZoneNamer
from tests.calendar_world import (
    NOW,
    at,
    calendar_part,
    cancel,
    deliver,
    ics_attachment,
    mime,
    move,
    postpone,
    redate,
    text_part,
    withdraw,
    world,
)

pytestmark = pytest.mark.django_db


def parse_both(text: str | bytes):
    """The same file through both parsers; returns (icalendar Calendar, its VEVENT, ics Event)."""
    raw = text if isinstance(text, bytes) else text.encode()
    cal = Calendar.from_ical(raw)
    events = list(cal.walk("VEVENT"))
    assert len(events) == 1
    other = ics.Calendar(raw.decode())
    assert len(other.events) == 1
    return cal, events[0], next(iter(other.events))


def by_recipient(messages):
    return {m.to[0]: m for m in messages}


def test_invite_is_a_real_meeting_request():
    w = world()
    meeting_version_plan(meeting_id=w.meeting.pk, now=NOW)
    sent = by_recipient(deliver(NOW))
    assert set(sent) == {p.email for p in w.everyone}
    msg = sent[w.people.manila.email]
    assert msg.subject == "Invitation: 21st ACCMSME Meeting, Mon 4 May 2026"

    # multipart/mixed > multipart/alternative (plain, html, calendar) + the .ics file
    tree = mime(msg)
    assert tree.get_content_type() == "multipart/mixed"
    alternative = next(p for p in tree.walk() if p.get_content_type() == "multipart/alternative")
    assert [p.get_content_type() for p in alternative.iter_parts()] == [
        "text/plain",
        "text/html",
        "text/calendar",
    ]
    params, body = calendar_part(msg)
    assert params["method"] == "REQUEST"
    attached = ics_attachment(msg)
    assert attached is not None
    assert Calendar.from_ical(attached).to_ical() == Calendar.from_ical(body).to_ical()  # the same calendar

    cal, event, other = parse_both(body)
    assert str(cal["METHOD"]) == params["method"] == "REQUEST"
    assert str(event["UID"]) == w.meeting.uid == other.uid
    assert event["SEQUENCE"] == w.meeting.sequence == 1
    # Times stay in the host's zone, with its VTIMEZONE, and nothing else (no needless UTC zone).
    assert "DTSTART;TZID=Asia/Jakarta:20260504T090000" in body.replace("\r\n", "\n")
    assert "DTEND;TZID=Asia/Jakarta:20260504T170000" in body.replace("\r\n", "\n")
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Asia/Jakarta"]
    assert cal.get_missing_tzids() == set()
    assert event.decoded("DTSTART") == at(2026, 5, 4, 9)
    assert event.decoded("DTSTART").utcoffset() == dt.timedelta(hours=7)
    assert other.begin.datetime == at(2026, 5, 4, 9)
    assert other.end.datetime == at(2026, 5, 4, 17)
    assert event.decoded("DTSTAMP").tzinfo is not None
    # Organizer, one attendee (the recipient) with everything a client needs to show Accept/Decline.
    assert str(event["ORGANIZER"]) == "mailto:accmsme@asean.org"
    attendee = event["ATTENDEE"]
    assert str(attendee) == f"mailto:{w.people.manila.email}"
    assert attendee.params["CN"] == "Ben Manila"
    assert attendee.params["ROLE"] == "REQ-PARTICIPANT"
    assert attendee.params["PARTSTAT"] == "NEEDS-ACTION"
    assert attendee.params["RSVP"] == "TRUE"
    assert [a.email for a in other.attendees] == [w.people.manila.email]
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["SUMMARY"]) == "21st ACCMSME Meeting" == other.name
    assert str(event["LOCATION"]) == "ASEAN Secretariat, Jakarta" == other.location
    assert str(event["URL"]).endswith(f"/meetings/{w.meeting.pk}/")
    alarms = list(event.walk("VALARM"))
    assert len(alarms) == 1 and alarms[0].decoded("TRIGGER") == -dt.timedelta(days=1)

    # The DESCRIPTION says the time with the email's words; the agenda link is there too.
    description = str(event["DESCRIPTION"])
    expected = [
        "Mon 4 May 2026, 09:00–17:00 Jakarta time (UTC+7)",
        "10:00–18:00 in your time, Manila (UTC+8)",
    ]
    assert description.splitlines()[:2] == expected
    assert f"/meetings/{w.meeting.pk}/#agenda" in description
    text = text_part(msg)
    for line in expected:
        assert line in text
    assert "/rsvp/" in text and "Accept:" in text and "Decline:" in text and "Tentative:" in text


def test_invite_email_has_the_same_times_as_the_ics_for_each_reader():
    w = world()
    meeting_version_plan(meeting_id=w.meeting.pk, now=NOW)
    sent = by_recipient(deliver(NOW))
    for person in w.everyone:
        msg = sent[person.email]
        _, body = calendar_part(msg)
        event = Calendar.from_ical(body).walk("VEVENT")[0]
        time_lines = [line for line in str(event["DESCRIPTION"]).splitlines() if "time" in line]
        assert time_lines and all(line in text_part(msg) for line in time_lines)
    # Jakarta and Bangkok share a clock: only the host time is said.
    _, body = calendar_part(sent[w.people.bangkok.email])
    assert "your time" not in str(Calendar.from_ical(body).walk("VEVENT")[0]["DESCRIPTION"])


def test_update_keeps_the_uid_and_raises_the_sequence():
    w = world()
    meeting_version_plan(meeting_id=w.meeting.pk, now=NOW)
    first = by_recipient(deliver(NOW))
    move(w.meeting, at(2026, 5, 6, 13), at(2026, 5, 6, 18))
    second = by_recipient(deliver(NOW))
    assert set(second) == set(first)
    for email_ in first:
        _, old_body = calendar_part(first[email_])
        params, new_body = calendar_part(second[email_])
        _, old, old_other = parse_both(old_body)
        cal, new, new_other = parse_both(new_body)
        assert params["method"] == str(cal["METHOD"]) == "REQUEST"
        assert str(new["UID"]) == str(old["UID"]) == new_other.uid == old_other.uid
        assert new["SEQUENCE"] > old["SEQUENCE"]
        assert new.decoded("DTSTART") == at(2026, 5, 6, 13)
        assert new_other.begin.datetime == at(2026, 5, 6, 13)
        assert second[email_].subject == "Updated: 21st ACCMSME Meeting, Wed 6 May 2026"


def test_cancel_and_withdrawal_send_cancel():
    w = world()
    meeting_version_plan(meeting_id=w.meeting.pk, now=NOW)
    deliver(NOW)
    withdraw(w.meeting.invitations.get(person=w.people.yangon))
    [removed] = deliver(NOW)
    assert removed.to == [w.people.yangon.email]
    params, body = calendar_part(removed)
    cal, event, _ = parse_both(body)
    assert params["method"] == str(cal["METHOD"]) == "CANCEL"
    assert str(event["ATTENDEE"]) == f"mailto:{w.people.yangon.email}"

    cancel(w.meeting)
    sent = by_recipient(deliver(NOW))
    assert set(sent) == {p.email for p in w.everyone} - {w.people.yangon.email}
    for msg in sent.values():
        params, body = calendar_part(msg)
        cal, event, other = parse_both(body)
        assert params["method"] == str(cal["METHOD"]) == "CANCEL"
        assert str(event["STATUS"]) == "CANCELLED"
        assert str(event["UID"]) == w.meeting.uid == other.uid
        assert event["SEQUENCE"] == w.meeting.sequence
        assert ics_attachment(msg) is not None
        assert msg.subject == "Cancelled: 21st ACCMSME Meeting"
    # A second call of the hook (a retry, a second worker) plans nothing new.
    meeting_version_plan(meeting_id=w.meeting.pk, now=NOW)
    assert deliver(NOW) == []


def test_postponed_without_date_cancels_and_redated_requests_with_a_higher_sequence():
    w = world()
    meeting_version_plan(meeting_id=w.meeting.pk, now=NOW)
    invites = by_recipient(deliver(NOW))
    postpone(w.meeting)
    cancels = by_recipient(deliver(NOW))
    assert set(cancels) == set(invites)
    msg = cancels[w.people.manila.email]
    assert msg.subject == "Postponed: 21st ACCMSME Meeting (new date to follow)"
    params, body = calendar_part(msg)
    cal, event, _ = parse_both(body)
    assert params["method"] == str(cal["METHOD"]) == "CANCEL"

    redate(w.meeting, at(2026, 6, 8, 9), at(2026, 6, 9, 17))
    requests = by_recipient(deliver(NOW))
    assert set(requests) == set(invites)
    params, body = calendar_part(requests[w.people.manila.email])
    cal, event, other = parse_both(body)
    assert params["method"] == str(cal["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == w.meeting.uid
    _, first, _ = parse_both(calendar_part(invites[w.people.manila.email])[1])
    assert event["SEQUENCE"] > first["SEQUENCE"]
    assert event.decoded("DTSTART") == at(2026, 6, 8, 9) == other.begin.datetime


def test_secretariat_export_lists_every_invitee_and_feeds_publish():
    w = world()
    out = io.StringIO()
    call_command("export_ics", "--meeting", str(w.meeting.pk), "--method", "REQUEST", stdout=out)
    cal, event, other = parse_both(out.getvalue())
    assert str(cal["METHOD"]) == "REQUEST"
    attendees = event["ATTENDEE"]
    assert sorted(str(a) for a in attendees) == sorted(f"mailto:{p.email}" for p in w.everyone)
    assert len(other.attendees) == len(w.everyone)
    # The command writes what the code serves, byte for byte.
    assert out.getvalue().encode() == meeting_calendar(
        w.meeting, method=REQUEST, now=event.decoded("DTSTAMP")
    )
    out = io.StringIO()
    call_command("export_ics", "--user", "ben-manila", stdout=out)
    cal = Calendar.from_ical(out.getvalue())
    assert str(cal["METHOD"]) == "PUBLISH"
    assert [str(e["UID"]) for e in cal.walk("VEVENT")] == [w.meeting.uid]
    assert "10:00–18:00 in your time, Manila (UTC+8)" in str(cal.walk("VEVENT")[0]["DESCRIPTION"])
    with pytest.raises(CommandError):
        call_command("export_ics", "--meeting", "999999", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("export_ics", "--user", "nobody", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("export_ics", stdout=io.StringIO())


def test_vtimezone_for_a_zone_with_daylight_saving_has_its_transitions():
    w = world()
    w.meeting.timezone = "Europe/Brussels"
    w.meeting.start = dt.datetime(2026, 3, 30, 10, tzinfo=ZoneInfo("Europe/Brussels"))
    w.meeting.end = dt.datetime(2026, 3, 30, 12, tzinfo=ZoneInfo("Europe/Brussels"))
    w.meeting.save()
    body = meeting_calendar(w.meeting, method=REQUEST, now=NOW)
    cal = Calendar.from_ical(body)
    [tz] = cal.walk("VTIMEZONE")
    assert tz["TZID"] == "Europe/Brussels"
    assert {c.name for c in tz.subcomponents} == {"STANDARD", "DAYLIGHT"}
    event = cal.walk("VEVENT")[0]
    assert event.decoded("DTSTART").utcoffset() == dt.timedelta(hours=2)  # CEST after 29 March
    other = next(iter(ics.Calendar(body.decode()).events))
    assert other.begin.to("UTC").datetime == dt.datetime(2026, 3, 30, 8, tzinfo=dt.UTC)


REPLY = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN
METHOD:REPLY
BEGIN:VEVENT
UID:{uid}
SEQUENCE:{seq}
DTSTAMP:20260303T010000Z
ATTENDEE;PARTSTAT={partstat};CN="Ben Manila":mailto:{email}
END:VEVENT
END:VCALENDAR
"""


def test_parse_an_itip_reply():
    [reply] = parse_reply(REPLY.format(uid="u@x", seq=3, partstat="ACCEPTED", email="BEN@example.org"))
    assert (reply.uid, reply.sequence, reply.email, reply.partstat) == (
        "u@x",
        3,
        "BEN@example.org",
        "ACCEPTED",
    )
    from meetings.calendar.itip import ReplyError

    with pytest.raises(ReplyError):
        parse_reply(REPLY.replace("METHOD:REPLY", "METHOD:REQUEST"))
    with pytest.raises(ReplyError):
        parse_reply("not a calendar")


@pytest.mark.parametrize("method", [REQUEST, CANCEL])
def test_a_batch_builds_each_personal_calendar_byte_for_byte_as_the_single_builder(method):
    """A fan-out serialises a meeting's calendar once per batch and swaps in each recipient's ATTENDEE
    line; what each recipient gets must be exactly what ``meeting_calendar`` gives for them alone, long
    folded names and other zones included."""
    w = world()
    w.meeting.timezone = "Europe/Brussels"  # a zone with transitions: the VTIMEZONE is not trivial
    w.meeting.save()
    invitations = list(w.meeting.invitations.select_related("person").order_by("pk"))
    longest = invitations[0].person
    longest.full_name = "Dato' Seri Haji Muhammad Abdul Rahman bin Abdullah Sulaiman Al-Haj, Director-General"
    longest.save()
    namer = ZoneNamer()
    calendars = PersonalCalendars(NOW, namer)
    for reader_tz in (None, "Asia/Manila", "Asia/Yangon"):
        for inv in [*invitations, None]:
            mine = calendars.calendar(w.meeting, method=method, invitation=inv, reader_tz=reader_tz)
            alone = meeting_calendar(
                w.meeting,
                method=method,
                now=NOW,
                invitations=[inv] if inv else [],
                reader_tz=reader_tz,
                namer=namer,
            )
            assert mine == alone
            assert b"ATTENDEE-SLOT" not in mine
    assert len(calendars._templates) == 3  # one per reader zone, whatever the number of recipients
    event = Calendar.from_ical(
        calendars.calendar(w.meeting, method=method, invitation=invitations[0], reader_tz=None)
    ).walk("VEVENT")[0]
    assert str(event["ATTENDEE"]) == f"mailto:{longest.email}"
    assert str(event["ATTENDEE"].params["CN"]) == longest.full_name
