"""Calendar files and the emails that carry them: RFC 5545/5546, read back with icalendar and with the
independent ``ics`` parser."""

from __future__ import annotations

import datetime as dt

import pytest
from icalendar import Calendar

from meetings.calendar.tasks import meeting_version_plan
from tests.world.calendar import cancel, move, postpone, redate, withdraw, zones_scene
from tests.world.clock import NOW, at, clock
from tests.world.mail import calendar_part, deliver, ics_attachment, mime, parse_both, text_part

pytestmark = pytest.mark.django_db


def by_recipient(messages):
    return {m.to[0]: m for m in messages}


def test_invite_is_a_real_meeting_request():
    w = zones_scene()
    with clock(NOW):
        meeting_version_plan(meeting_id=w.meeting.pk)
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
    assert attendee.params["CN"] == "Ben-Manila"
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
    w = zones_scene()
    with clock(NOW):
        meeting_version_plan(meeting_id=w.meeting.pk)
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
    w = zones_scene()
    with clock(NOW):
        meeting_version_plan(meeting_id=w.meeting.pk)
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
    w = zones_scene()
    with clock(NOW):
        meeting_version_plan(meeting_id=w.meeting.pk)
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
    with clock(NOW):
        meeting_version_plan(meeting_id=w.meeting.pk)
    assert deliver(NOW) == []


def test_postponed_without_date_cancels_and_redated_requests_with_a_higher_sequence():
    w = zones_scene()
    with clock(NOW):
        meeting_version_plan(meeting_id=w.meeting.pk)
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
