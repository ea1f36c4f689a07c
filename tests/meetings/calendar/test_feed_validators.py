"""Feeds answer 304 by RFC 9110's rules (Django's ``condition()``): weak ETags as compressing proxies send
them, lists of ETags, ``*``, Last-Modified with If-Modified-Since; and never 304 once something changed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils.http import http_date
from freezegun import freeze_time

from meetings.calendar.feeds import feed_token_ensure
from meetings.models import Meeting
from tests.world.clock import NOW, at
from tests.world.meetings import meeting_row

pytestmark = pytest.mark.django_db


@pytest.fixture
def url(zones):
    # The scene was written on the real clock; these tests run on NOW's.
    Meeting.objects.update(updated_at=NOW - dt.timedelta(days=1))
    return reverse("meetings:feed", args=[feed_token_ensure(zones.people.manila)])


def test_weak_etags_lists_and_star_get_304(client, url):
    with freeze_time(NOW):
        first = client.get(url)
        assert first.status_code == 200
        etag = first["ETag"]
        assert etag.startswith('"') and first["Last-Modified"]
        for header in (etag, f"W/{etag}", f'"other", W/{etag}', f'W/"x",{etag}', "*"):
            again = client.get(url, HTTP_IF_NONE_MATCH=header)
            assert again.status_code == 304, header
            assert again["ETag"] == etag and again["Cache-Control"] == "private, max-age=900"
            assert again.content == b""
        assert client.get(url, HTTP_IF_NONE_MATCH='W/"other", "else"').status_code == 200


def test_if_modified_since_gets_304_until_something_changes(client, url, zones):
    with freeze_time(NOW):
        first = client.get(url)
        since = first["Last-Modified"]
        assert client.get(url, HTTP_IF_MODIFIED_SINCE=since).status_code == 304
        earlier = http_date((NOW - dt.timedelta(days=1)).timestamp())
        assert client.get(url, HTTP_IF_MODIFIED_SINCE=earlier).status_code == 200
        # If-None-Match wins over If-Modified-Since (RFC 9110 §13.2.2): a stale ETag gets the body.
        stale = client.get(url, HTTP_IF_NONE_MATCH='W/"old"', HTTP_IF_MODIFIED_SINCE=since)
        assert stale.status_code == 200
    with freeze_time(NOW + dt.timedelta(hours=1)):
        zones.meeting.title = "21st ACCMSME Meeting (Jakarta)"
        zones.meeting.save()
        changed = client.get(url, HTTP_IF_NONE_MATCH=f"W/{first['ETag']}", HTTP_IF_MODIFIED_SINCE=since)
        assert changed.status_code == 200 and b"(Jakarta)" in changed.content
        assert client.get(url, HTTP_IF_MODIFIED_SINCE=since).status_code == 200


def test_a_meeting_leaving_the_feed_is_a_change_for_if_modified_since_too(client, url, zones):
    """A deleted meeting changes no other meeting's ``updated_at``; the feed must still not answer 304."""
    with freeze_time(NOW):
        other = meeting_row(zones.body, host=zones.states["ID"], start=at(2026, 6, 1), end=at(2026, 6, 2))
        first = client.get(url)
        assert other.uid.encode() in first.content and zones.meeting.uid.encode() in first.content
        since = first["Last-Modified"]
    with freeze_time(NOW + dt.timedelta(hours=2)):
        zones.meeting.delete()  # the older one: the newest updated_at stays as it was
        response = client.get(url, HTTP_IF_MODIFIED_SINCE=since)
        assert response.status_code == 200 and zones.meeting.uid.encode() not in response.content
        assert client.get(url, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"]).status_code == 304
