"""The iCalendar files: the Secretariat's export, time zones with their transitions, batch = single builder."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import ics
import pytest
from django.core.management import CommandError, call_command
from icalendar import Calendar

from meetings.calendar.ics import CANCEL, REQUEST, PersonalCalendars, meeting_calendar
from meetings.times import ZoneNamer
from tests.world.calendar import zones_scene
from tests.world.clock import NOW
from tests.world.mail import parse_both

pytestmark = pytest.mark.django_db


def test_secretariat_export_lists_every_invitee_and_feeds_publish():
    w = zones_scene()
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
    w = zones_scene()
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


@pytest.mark.parametrize("method", [REQUEST, CANCEL])
def test_a_batch_builds_each_personal_calendar_byte_for_byte_as_the_single_builder(method):
    """A fan-out serialises a meeting's calendar once per batch and swaps in each recipient's ATTENDEE
    line; what each recipient gets must be exactly what ``meeting_calendar`` gives for them alone, long
    folded names and other zones included."""
    w = zones_scene()
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
