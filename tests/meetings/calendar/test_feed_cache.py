"""Feed events kept serialised per meeting version and reader zone (meetings.calendar.ics.feed_calendar):
a new version of a meeting is served at once, and what one reader's feed put in the cache never shows in
another reader's feed (neither a meeting they may not see nor a time said in the other's zone)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.urls import reverse
from freezegun import freeze_time
from icalendar import Calendar

from meetings.calendar.feeds import feed_token_ensure
from meetings.calendar.ics import feed_calendar, feed_event_key
from meetings.models import Meeting
from tests.world.clock import NOW, at
from tests.world.meetings import meeting_row
from tests.world.people import body_make, person_make

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock():
    with freeze_time(NOW, tick=True):
        yield


def events(content: bytes) -> dict[str, dict]:
    cal = Calendar.from_ical(content)
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


def feed(client, person) -> dict[str, dict]:
    response = client.get(reverse("meetings:feed", args=[feed_token_ensure(person)]))
    assert response.status_code == 200
    return events(response.content)


def test_a_new_version_of_a_meeting_replaces_its_cached_event(client, zones):
    manila = zones.people.manila
    before = feed(client, manila)[zones.meeting.uid]
    assert str(before["SUMMARY"]) == zones.meeting.title
    meeting = Meeting.objects.get(pk=zones.meeting.pk)  # as the feed read it
    assert cache.get(feed_event_key(meeting, manila.effective_timezone)) is not None

    meeting.title = "Moved and renamed"
    meeting.city = "Surabaya"
    meeting.sequence += 1
    meeting.save()
    after = feed(client, manila)[meeting.uid]
    assert str(after["SUMMARY"]) == "Moved and renamed" and "Surabaya" in str(after["LOCATION"])
    assert int(after["SEQUENCE"]) == meeting.sequence

    # A queryset update leaves updated_at as it was: the key reads the fields themselves.
    Meeting.objects.filter(pk=meeting.pk).update(title="Renamed in bulk")
    qs = Meeting.objects.filter(pk=meeting.pk)
    raw = feed_calendar(qs, name="x", now=NOW, reader_tz=manila.effective_timezone)
    assert str(events(raw)[meeting.uid]["SUMMARY"]) == "Renamed in bulk"


def test_each_cached_event_gets_the_requests_dtstamp():
    body = body_make()
    meeting = meeting_row(body, start=at(2026, 6, 1, 9), end=at(2026, 6, 1, 17))
    qs = Meeting.objects.filter(pk=meeting.pk)
    first = feed_calendar(qs, name="x", now=NOW)
    later = NOW + dt.timedelta(hours=3)
    second = feed_calendar(qs, name="x", now=later)  # served from the cache
    assert events(first)[meeting.uid].decoded("DTSTAMP") == NOW.astimezone(dt.UTC).replace(microsecond=0)
    assert events(second)[meeting.uid].decoded("DTSTAMP") == later.astimezone(dt.UTC).replace(microsecond=0)
    assert b"19700101" not in second


def test_one_readers_cached_events_never_reach_another(client, zones):
    seom = body_make("SEOM")
    private = meeting_row(
        seom,
        start=at(2026, 5, 20, 9),
        end=at(2026, 5, 20, 17),
        title="SEOM closed session",
        tz="Asia/Bangkok",
    )
    insider = person_make("fay-seom", state=zones.states["TH"], body=seom)
    # The insider's feed and the Brussels reader's fill the cache first.
    assert private.uid in feed(client, insider)
    brussels = feed(client, zones.people.brussels)[zones.meeting.uid]
    assert "Brussels" in str(brussels["DESCRIPTION"])

    manila = feed(client, zones.people.manila)
    assert private.uid not in manila  # a meeting only the insider may see
    description = str(manila[zones.meeting.uid]["DESCRIPTION"])
    assert "10:00–18:00 in your time, Manila (UTC+8)" in description and "Brussels" not in description
