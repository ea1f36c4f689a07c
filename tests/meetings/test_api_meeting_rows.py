"""The API's meeting rows are written out by hand (``MeetingSerializer.to_representation``): each must be
what DRF's walk over the declared fields gives, times in the meeting's own zone, for every shape a meeting
takes (no series or number, a month-only date, links to other meetings, a zone with DST, hostile text)."""

from __future__ import annotations

import json
import zoneinfo

import pytest
from rest_framework import serializers
from rest_framework.test import APIClient

from meetings.api.meetings import MeetingSerializer
from meetings.models import Meeting
from tests.world.clock import at
from tests.world.meetings import meeting_row

pytestmark = pytest.mark.django_db


def by_fields(meeting: Meeting, context: dict) -> dict:
    """What the serializer gave before its rows were written out: DRF's own walk, then the venue's zone."""
    ser = MeetingSerializer(context=context)
    data = serializers.ModelSerializer.to_representation(ser, meeting)
    zone = zoneinfo.ZoneInfo(meeting.timezone)
    data["start"] = meeting.start.astimezone(zone).isoformat()
    data["end"] = meeting.end.astimezone(zone).isoformat()
    return dict(data)


def test_each_row_is_what_the_declared_fields_give(world):
    first = Meeting.objects.order_by("pk").first()
    meeting_row(
        world.body,
        start=at(2027, 3, 28, 9, tz="Europe/Brussels"),
        end=at(2027, 3, 29, 17, tz="Europe/Brussels"),
        tz="Europe/Brussels",
        title='<script>alert("x")</script> & "quotes" — Nguyễn',
        venue="",
        city="",
        join_url="https://meet.example.org/a?b=c&d=e",
        is_public=True,
        date_precision="month",
        previous=first,
        prepares_for=first,
        status=Meeting.Status.PLANNED,
        sequence=0,
    )
    c = APIClient()
    c.force_authenticate(world.sec)
    context = {"request": c.get("/api/v1/meetings/").wsgi_request}
    meetings = list(Meeting.objects.all())
    assert len(meetings) >= 3
    for m in meetings:
        fast = MeetingSerializer(m, context=context).data
        slow = by_fields(m, context)
        assert dict(fast) == slow, m.pk
        assert list(fast) == list(slow)  # the same keys in the same order
        assert json.dumps(fast) == json.dumps(slow)  # the same types (an int stays an int)


def test_the_list_and_one_meeting_answer_the_same_rows(world):
    c = APIClient()
    c.force_authenticate(world.sec)
    listed = {m["id"]: m for m in c.get("/api/v1/meetings/?limit=500").json()["results"]}
    assert listed
    for pk, row in listed.items():
        assert c.get(f"/api/v1/meetings/{pk}/").json() == row
    for m in Meeting.objects.filter(pk__in=listed):
        assert listed[m.pk]["start"] == m.start.astimezone(zoneinfo.ZoneInfo(m.timezone)).isoformat()
