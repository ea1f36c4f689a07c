"""Calendar feeds: the private per-user feed (secret token, exactly the meetings the user may see, rotatable,
revoked with the account), the public feed of a body, and the feed link on the dashboard."""

from __future__ import annotations

import datetime as dt
import re

import ics
import pytest
from django.test import Client
from django.urls import reverse
from freezegun import freeze_time
from icalendar import Calendar

from governance.accounts import user_deactivate
from governance.models import Person
from meetings.calendar.feeds import feed_token_ensure, feed_token_rotate, revoke_inactive_feeds
from meetings.selectors import visible_meetings
from tests.world.build import client_as
from tests.world.clock import NOW, at
from tests.world.meetings import meeting_row
from tests.world.people import body_make

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock():
    # A personal feed counts its year of past meetings from now; the meetings here are in 2026.
    with freeze_time(NOW, tick=True):
        yield


@pytest.fixture
def published(zones):
    """The zones scene plus public meetings for the feeds: SEOM's (beside a private one) and ACCMSME's."""
    seom = body_make("SEOM")
    zones.seom_private = meeting_row(
        seom,
        host=zones.states["TH"],
        start=at(2026, 5, 20, 9),
        end=at(2026, 5, 20, 17),
        title="SEOM 2/57",
        tz="Asia/Bangkok",
    )
    zones.seom_public = meeting_row(
        seom,
        host=zones.states["TH"],
        start=at(2026, 5, 21, 9),
        end=at(2026, 5, 21, 12),
        title="SEOM public session",
        is_public=True,
        tz="Asia/Bangkok",
    )
    zones.public = meeting_row(
        zones.body,
        host=zones.states["PH"],
        start=at(2026, 11, 9, 9, tz="Asia/Manila"),
        end=at(2026, 11, 10, 17, tz="Asia/Manila"),
        title="22nd ACCMSME Meeting",
        tz="Asia/Manila",
        is_public=True,
        sequence=0,
    )
    return zones


def uids(content: bytes) -> set[str]:
    cal = Calendar.from_ical(content)
    assert str(cal["METHOD"]) == "PUBLISH"
    parsed = ics.Calendar(content.decode())
    found = {str(e["UID"]) for e in cal.walk("VEVENT")}
    assert {e.uid for e in parsed.events} == found
    return found


def test_private_feed_lists_exactly_the_meetings_the_user_may_see(client, published):
    person = published.people.manila
    token = feed_token_ensure(person)
    assert len(token) >= 40
    response = client.get(reverse("meetings:feed", args=[token]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    expected = set(visible_meetings(person.user).values_list("uid", flat=True))
    assert uids(response.content) == expected == {published.meeting.uid, published.public.uid}
    cal = Calendar.from_ical(response.content)
    assert not cal.walk("VALARM") and not cal.walk("VEVENT")[0].get("ATTENDEE")
    # Each zone the feed uses has its VTIMEZONE, and only those.
    assert {tz["TZID"] for tz in cal.walk("VTIMEZONE")} == {"Asia/Jakarta", "Asia/Manila"}
    # Same wording as the emails, for this reader.
    jakarta = next(e for e in cal.walk("VEVENT") if str(e["UID"]) == published.meeting.uid)
    assert "10:00–18:00 in your time, Manila (UTC+8)" in str(jakarta["DESCRIPTION"])


def test_wrong_token_gets_a_plain_404(client, published):
    feed_token_ensure(published.people.manila)
    for token in ("nope", "x" * 43):
        response = client.get(f"/calendar/feed/{token}.ics")
        assert response.status_code == 404
        assert response["Content-Type"].startswith("text/plain") and response.content == b"Not found\n"


def test_rotating_the_token_kills_the_old_url(client, published):
    person = published.people.manila
    old = feed_token_ensure(person)
    client.force_login(person.user)
    response = client.post(reverse("profile_feed_rotate"))
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.feed_token != old
    assert client.get(reverse("meetings:feed", args=[old])).status_code == 404
    assert client.get(reverse("meetings:feed", args=[person.feed_token])).status_code == 200
    assert feed_token_rotate(person) != old


def test_deactivated_account_has_its_feed_revoked(client, published):
    person = published.people.manila
    token = feed_token_ensure(person)
    person.user.is_active = False
    person.user.save()
    assert client.get(reverse("meetings:feed", args=[token])).status_code == 404
    assert Person.objects.get(pk=person.pk).feed_token is None
    other = feed_token_ensure(published.people.yangon)
    published.people.yangon.user.is_active = False
    published.people.yangon.user.save()
    revoke_inactive_feeds()  # the sweep clears it even if nobody calls the URL (and the account side may have)
    assert Person.objects.get(pk=published.people.yangon.pk).feed_token is None
    assert client.get(reverse("meetings:feed", args=[other])).status_code == 404


def test_public_feed_of_a_body_lists_its_public_meetings(client, published):
    response = client.get(reverse("meetings:body_feed", args=["ACCMSME"]))
    assert response.status_code == 200
    assert uids(response.content) == {published.public.uid}
    assert uids(client.get("/calendar/bodies/SEOM.ics").content) == {published.seom_public.uid}
    assert client.get("/calendar/bodies/NOPE.ics").status_code == 404
    cal = Calendar.from_ical(response.content)
    event = cal.walk("VEVENT")[0]
    assert "your time" not in str(event["DESCRIPTION"])  # nobody's zone but the host's
    assert "Mon 9 Nov 2026, 09:00 – Tue 10 Nov 2026, 17:00 Manila time (UTC+8)" in str(event["DESCRIPTION"])


def test_feed_answers_304_when_nothing_changed(client, published):
    url = reverse("meetings:feed", args=[feed_token_ensure(published.people.manila)])
    first = client.get(url)
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    published.meeting.title = "21st ACCMSME Meeting (Jakarta)"
    published.meeting.save()
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_dashboard_shows_the_webcal_feed_link(client, published):
    client.force_login(published.people.manila.user)
    html = client.get("/").content.decode()
    person = Person.objects.get(pk=published.people.manila.pk)
    assert person.feed_token
    assert f'href="webcal://127.0.0.1:8000/calendar/feed/{person.feed_token}.ics"' in html


def test_meeting_download_for_a_visible_meeting_only(client, published):
    client.force_login(published.people.manila.user)
    response = client.get(reverse("meetings:meeting_ics", args=[published.meeting.pk]))
    assert response.status_code == 200 and uids(response.content) == {published.meeting.uid}
    assert client.get(reverse("meetings:meeting_ics", args=[published.seom_private.pk])).status_code == 404


def test_private_feed_keeps_a_year_of_past_meetings(client, published):
    """Twenty years of record stay on the site; a calendar gets what is ahead and the last year."""
    old = meeting_row(
        published.body,
        host=published.states["PH"],
        start=NOW - dt.timedelta(days=400),
        end=NOW - dt.timedelta(days=399),
    )
    recent = meeting_row(
        published.body,
        host=published.states["PH"],
        start=NOW - dt.timedelta(days=300),
        end=NOW - dt.timedelta(days=299),
    )
    person = published.people.manila
    assert visible_meetings(person.user).filter(pk__in=[old.pk, recent.pk]).count() == 2
    found = uids(client.get(reverse("meetings:feed", args=[feed_token_ensure(person)])).content)
    assert recent.uid in found and published.meeting.uid in found
    assert old.uid not in found


def test_feed_body_is_rendered_once_per_version(client, published, monkeypatch):
    """Clients that poll without If-None-Match get the cached body; a change renders afresh."""
    from meetings.calendar import feeds

    renders = []
    real = feeds.feed_calendar
    monkeypatch.setattr(feeds, "feed_calendar", lambda *a, **k: renders.append(1) or real(*a, **k))
    url = reverse("meetings:feed", args=[feed_token_ensure(published.people.manila)])
    first = client.get(url)
    second = client.get(url)
    assert second.status_code == 200 and second.content == first.content
    assert len(renders) == 1
    published.meeting.title = "21st ACCMSME Meeting (Jakarta)"
    published.meeting.save()
    third = client.get(url)
    assert len(renders) == 2 and b"(Jakarta)" in third.content and third["ETag"] != first["ETag"]


def feed(client: Client, token: str):
    return client.get(f"/calendar/feed/{token}.ics")


def test_feed_tokens_are_unguessable_and_every_near_miss_is_a_plain_404(roles):
    from meetings.calendar.feeds import feed_token_ensure

    roles.head.person.feed_token = None
    roles.head.person.save()
    token = feed_token_ensure(roles.head.person)
    assert len(token) >= 43 and re.fullmatch(r"[A-Za-z0-9_-]+", token)  # 32 random bytes
    anonymous = Client()
    assert feed(anonymous, token).status_code == 200
    for guess in (
        token[:-1],
        token.upper() if token != token.upper() else token.lower(),
        token + "x",
        "",
        "0" * 43,
    ):
        r = feed(anonymous, guess)
        assert r.status_code == 404, guess
        assert b"Mtg-" not in r.content
    nope = feed(anonymous, "no-such-token")
    assert feed(anonymous, token[:-1]).content == nope.content  # nothing says how close a guess was


def test_a_stolen_feed_token_shows_only_its_owners_meetings_and_dies_on_rotation(roles):
    """An observer who got hold of the head's feed URL learns the head's calendar, nothing more; the head
    rotates the token and the stolen URL stops working at once."""
    stolen = roles.head.person.feed_token
    thief = client_as(roles.observer)
    body = feed(thief, stolen).content.decode()
    assert "Mtg-ACC-private" in body and "Mtg-SEOM" not in body and "Mtg-TFX" not in body
    # The token is a credential for the feed only: it opens no page.
    assert thief.get(f"/meetings/{roles.m_acc.pk}/?token={stolen}").status_code == 404
    r = client_as(roles.head).post("/accounts/profile/feed/rotate/")
    assert r.status_code == 302
    assert feed(thief, stolen).status_code == 404
    roles.head.person.refresh_from_db()
    assert roles.head.person.feed_token != stolen
    assert feed(thief, roles.head.person.feed_token).status_code == 200


def test_a_deactivated_users_feed_dies(roles):
    token = roles.delegate.person.feed_token
    user_deactivate(roles.delegate, reason="left the delegation")
    assert feed(Client(), token).status_code == 404
