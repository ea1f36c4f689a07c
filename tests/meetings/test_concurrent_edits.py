"""Optimistic locking (issue 20): two people edit the same meeting or agenda item; the second save, made
from the version before the first, is refused with the other person's change shown, and nothing is lost.
The same through the API with ``If-Match``."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from meetings.models import AgendaItem, Meeting
from meetings.services import agenda as agenda_services
from tests.world.build import api_as
from tests.world.meetings import meeting_schedule

pytestmark = pytest.mark.django_db
STALE = "while you were editing it"


def hidden_version(html: str) -> str:
    return re.search(r'name="edit_version" value="([^"]*)"', html)[1]


def session(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def meeting_post(meeting: Meeting, version: str, **changes) -> dict:
    local = lambda d: d.astimezone(__import__("zoneinfo").ZoneInfo(meeting.timezone))  # noqa: E731
    data = {
        "series": meeting.series_id or "",
        "number": meeting.number or "",
        "label": meeting.label,
        "title": meeting.title,
        "start": local(meeting.start).strftime("%Y-%m-%dT%H:%M"),
        "end": local(meeting.end).strftime("%Y-%m-%dT%H:%M"),
        "timezone": meeting.timezone,
        "host": meeting.host_id or "",
        "venue": meeting.venue,
        "city": meeting.city,
        "modality": meeting.modality,
        "join_url": meeting.join_url,
        "edit_version": version,
    }
    data.update(changes)
    return data


def test_two_people_edit_one_meeting_the_second_save_is_refused_and_nothing_is_lost(world):
    meeting = meeting_schedule(world)
    url = reverse("meetings:edit", args=[meeting.pk])
    sec, chair = session(world.sec), session(world.chair)
    v_sec = hidden_version(sec.get(url).content.decode())
    v_chair = hidden_version(chair.get(url).content.decode())
    assert v_sec == v_chair != ""

    r = sec.post(url, meeting_post(meeting, v_sec, title="21st ACCMSME Meeting (Hanoi)"))
    assert r.status_code == 302
    r = chair.post(url, meeting_post(meeting, v_chair, venue="National Convention Center"))
    assert r.status_code == 200
    page = r.content.decode()
    assert STALE in page and "21st ACCMSME Meeting (Hanoi)" in page  # their change, shown
    meeting.refresh_from_db()
    assert (meeting.title, meeting.venue) == ("21st ACCMSME Meeting (Hanoi)", "")  # nothing overwritten

    # Having seen it, the chair saves again from the version the refusal carried: both changes stay.
    fresh = hidden_version(page)
    assert fresh != v_chair
    r = chair.post(
        url,
        meeting_post(
            meeting, fresh, title="21st ACCMSME Meeting (Hanoi)", venue="National Convention Center"
        ),
    )
    assert r.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.title, meeting.venue) == ("21st ACCMSME Meeting (Hanoi)", "National Convention Center")


def test_two_people_edit_one_agenda_item_the_second_save_is_refused_and_nothing_is_lost(world):
    meeting = meeting_schedule(world)
    item = agenda_services.agenda_item_add(meeting=meeting, title="Adoption of the agenda")
    url = reverse("meetings:agenda_item", args=[meeting.pk, item.pk])
    sec, chair = session(world.sec), session(world.chair)
    v_sec = hidden_version(sec.get(url).content.decode())
    v_chair = hidden_version(chair.get(url).content.decode())
    base = {"title": item.title, "description": "", "purpose": item.purpose, "edit_version": v_sec}

    assert sec.post(url, {**base, "title": "Adoption of the provisional agenda"}).status_code == 302
    r = chair.post(url, {**base, "description": "Draft circulated on 1 May", "edit_version": v_chair})
    assert r.status_code == 200
    page = r.content.decode()
    assert STALE in page and "Adoption of the provisional agenda" in page
    item.refresh_from_db()
    assert (item.title, item.description) == ("Adoption of the provisional agenda", "")

    again = {
        **base,
        "title": "Adoption of the provisional agenda",
        "description": "Draft circulated on 1 May",
        "edit_version": hidden_version(page),
    }
    assert chair.post(url, again).status_code == 302
    item.refresh_from_db()
    assert (item.title, item.description) == (
        "Adoption of the provisional agenda",
        "Draft circulated on 1 May",
    )


def test_api_writes_with_a_stale_if_match_are_refused(world):
    meeting = meeting_schedule(world)
    item = agenda_services.agenda_item_add(meeting=meeting, title="Adoption of the agenda")
    api = api_as(world.sec)
    for path, field, first, second in (
        (f"/api/v1/meetings/{meeting.pk}/", "venue", "Hall A", "Hall B"),
        (f"/api/v1/agenda-items/{item.pk}/", "title", "Opening", "Welcome"),
    ):
        etag = api.get(path)["ETag"]
        ok = api.patch(path, {field: first}, format="json", HTTP_IF_MATCH=etag)
        assert ok.status_code == 200, ok.content
        stale = api.patch(path, {field: second}, format="json", HTTP_IF_MATCH=etag)
        assert stale.status_code == 400 and "edit_version" in stale.json(), stale.content
        assert first in str(stale.json())
        again = api.patch(path, {field: second}, format="json", HTTP_IF_MATCH=ok["ETag"])
        assert again.status_code == 200, again.content
    meeting.refresh_from_db()
    assert meeting.venue == "Hall B"
    assert AgendaItem.objects.get(pk=item.pk).title == "Welcome"
