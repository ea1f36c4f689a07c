"""Answers to invitations: signed links (scoped, expiring, revocable), the buttons on the dashboard and the
meeting page, and iTIP REPLY files posted to the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings as django_settings
from django.core import signing
from django.test import Client
from django.urls import reverse
from freezegun import freeze_time

from governance.accounts import user_deactivate
from meetings.calendar.rsvp import SALT, rsvp_token
from meetings.models import Invitation
from tests.world.build import client_as
from tests.world.clock import NOW
from tests.world.mail import itip_reply
from tests.world.people import user_make

pytestmark = pytest.mark.django_db


def inv(zones, who) -> Invitation:
    return Invitation.objects.get(meeting=zones.meeting, person=getattr(zones.people, who))


@freeze_time(NOW)
def test_signed_link_shows_a_button_and_records_on_post(client, zones):
    invitation = inv(zones, "manila")
    url = reverse("meetings:rsvp_link", args=[rsvp_token(invitation, "ACCEPTED")])
    page = client.get(url)  # a mail scanner fetching the link answers nothing
    assert page.status_code == 200 and b"rsvp-confirm" in page.content
    assert "10:00–18:00 in your time, Manila (UTC+8)" in page.content.decode()
    invitation.refresh_from_db()
    assert invitation.partstat == "NEEDS-ACTION"
    done = client.post(url)
    assert done.status_code == 200 and b"Recorded: accept" in done.content
    invitation.refresh_from_db()
    assert (invitation.partstat, invitation.responded_at) == ("ACCEPTED", NOW)
    decline = reverse("meetings:rsvp_link", args=[rsvp_token(invitation, "DECLINED")])
    client.post(decline)
    invitation.refresh_from_db()
    assert invitation.partstat == "DECLINED"


def test_links_are_scoped_expiring_and_revocable(client, zones, settings):
    invitation = inv(zones, "manila")
    with freeze_time(NOW):
        token = rsvp_token(invitation, "ACCEPTED")
    url = reverse("meetings:rsvp_link", args=[token])
    # Tampered: another invitation id under the same signature.
    forged = token.replace(
        token.split(":")[0], signing.dumps({"i": inv(zones, "yangon").pk}, salt=SALT).split(":")[0]
    )
    assert client.post(reverse("meetings:rsvp_link", args=[forged])).status_code == 410
    # Signed for another purpose (wrong salt).
    other = signing.dumps({"i": invitation.pk, "v": 1, "p": "ACCEPTED"})
    assert client.post(reverse("meetings:rsvp_link", args=[other])).status_code == 410
    # Expired.
    with freeze_time(NOW + dt.timedelta(days=settings.RSVP_LINK_MAX_AGE_DAYS, seconds=1)):
        page = client.post(url)
    assert page.status_code == 410 and b"expired" in page.content
    # Revoked: the invitation's link version was raised (withdrawn and re-invited, or links reissued).
    with freeze_time(NOW):
        Invitation.objects.filter(pk=invitation.pk).update(link_version=2)
        page = client.post(url)
    assert page.status_code == 410 and b"replaced by a newer one" in page.content
    invitation.refresh_from_db()
    assert invitation.partstat == "NEEDS-ACTION"


@freeze_time(NOW)
def test_answers_close_with_the_meeting(client, zones):
    invitation = inv(zones, "manila")
    url = reverse("meetings:rsvp_link", args=[rsvp_token(invitation, "ACCEPTED")])
    zones.meeting.status = "cancelled"
    zones.meeting.save()
    page = client.post(url)
    assert b"answers are closed" in page.content
    invitation.refresh_from_db()
    assert invitation.partstat == "NEEDS-ACTION"


@freeze_time(NOW)
def test_buttons_on_the_dashboard_answer_for_the_signed_in_user_only(client, zones):
    client.force_login(zones.people.manila.user)
    response = client.post(
        reverse("meetings:rsvp", args=[zones.meeting.pk]), {"answer": "tentative", "next": "/meetings/1/"}
    )
    assert response.status_code == 302 and response["Location"] == "/meetings/1/"
    assert inv(zones, "manila").partstat == "TENTATIVE"
    assert inv(zones, "yangon").partstat == "NEEDS-ACTION"
    evil = client.post(
        reverse("meetings:rsvp", args=[zones.meeting.pk]),
        {"answer": "accept", "next": "https://evil.example/"},
    )
    assert evil["Location"] == reverse("meetings:dashboard")
    bad = client.post(reverse("meetings:rsvp", args=[zones.meeting.pk]), {"answer": "maybe"})
    assert bad.status_code == 302 and inv(zones, "manila").partstat == "ACCEPTED"
    client.force_login(user_make("stranger"))
    assert (
        client.post(reverse("meetings:rsvp", args=[zones.meeting.pk]), {"answer": "accept"}).status_code
        == 404
    )
    assert client.get(reverse("meetings:rsvp", args=[zones.meeting.pk])).status_code == 405


@freeze_time(NOW)
def test_itip_reply_posted_to_the_api_updates_partstat(client, zones):
    client.force_login(zones.people.manila.user)
    api = "/api/v1/itip/reply/"
    body = itip_reply(
        uid=zones.meeting.uid,
        seq=zones.meeting.sequence,
        partstat="ACCEPTED",
        email=zones.people.manila.email,
    )
    response = client.post(api, data=body, content_type="text/calendar")
    assert response.status_code == 200, response.content
    assert response.json()["answers"] == [
        {
            "meeting": zones.meeting.pk,
            "uid": zones.meeting.uid,
            "attendee": zones.people.manila.email,
            "partstat": "ACCEPTED",
        }
    ]
    assert inv(zones, "manila").partstat == "ACCEPTED"
    # Someone else's answer.
    other = itip_reply(
        uid=zones.meeting.uid,
        seq=zones.meeting.sequence,
        partstat="DECLINED",
        email=zones.people.yangon.email,
    )
    assert client.post(api, data=other, content_type="text/calendar").status_code == 403
    # An answer to an earlier version of a meeting that has moved since.
    zones.meeting.sequence += 1
    zones.meeting.save()
    stale = itip_reply(
        uid=zones.meeting.uid,
        seq=zones.meeting.sequence - 1,
        partstat="DECLINED",
        email=zones.people.manila.email,
    )
    assert client.post(api, data=stale, content_type="text/calendar").status_code == 409
    assert inv(zones, "manila").partstat == "ACCEPTED"
    unknown = itip_reply(uid="nope@x", seq=9, partstat="DECLINED", email=zones.people.manila.email)
    assert client.post(api, data=unknown, content_type="text/calendar").status_code == 404
    assert client.post(api, data="garbage", content_type="text/calendar").status_code == 400
    # As a file in a form too.
    from django.core.files.uploadedfile import SimpleUploadedFile

    fresh = itip_reply(
        uid=zones.meeting.uid,
        seq=zones.meeting.sequence,
        partstat="TENTATIVE",
        email=zones.people.manila.email,
    )
    upload = SimpleUploadedFile("reply.ics", fresh.encode(), content_type="text/calendar")
    assert client.post(api, {"file": upload}).status_code == 200
    assert inv(zones, "manila").partstat == "TENTATIVE"


@freeze_time(NOW)
def test_the_secretariat_may_post_anyones_reply(client, zones):
    client.force_login(user_make("sec", secretariat=True))
    body = itip_reply(
        uid=zones.meeting.uid,
        seq=zones.meeting.sequence,
        partstat="DECLINED",
        email=zones.people.yangon.email.upper(),
    )
    assert client.post("/api/v1/itip/reply/", data=body, content_type="text/calendar").status_code == 200
    assert inv(zones, "yangon").partstat == "DECLINED"
    client.logout()
    assert client.post("/api/v1/itip/reply/", data=body, content_type="text/calendar").status_code in (
        401,
        403,
    )


def test_someone_elses_rsvp_cannot_be_answered_from_ones_session(roles):
    client = client_as(roles.delegate)
    # The delegate posts to a meeting where only the SEOM member is invited: no invitation of theirs.
    assert client.post(f"/meetings/{roles.m_seom.pk}/rsvp/", {"answer": "decline"}).status_code == 404
    roles.inv_seom.refresh_from_db()
    assert roles.inv_seom.partstat == Invitation.PartStat.NEEDS_ACTION


def link(invitation, answer: str = "ACCEPTED") -> str:
    return f"/rsvp/{rsvp_token(invitation, answer)}/"


def test_an_expired_rsvp_link_answers_nothing(roles):
    days = django_settings.RSVP_LINK_MAX_AGE_DAYS
    with freeze_time(dt.datetime.now(dt.UTC) - dt.timedelta(days=days + 1)):
        old = link(roles.inv_delegate)
    anonymous = Client()
    for method in ("get", "post"):
        r = getattr(anonymous, method)(old)
        assert r.status_code == 410
        assert "expired" in r.content.decode()
    roles.inv_delegate.refresh_from_db()
    assert roles.inv_delegate.partstat == Invitation.PartStat.NEEDS_ACTION
    with freeze_time(dt.datetime.now(dt.UTC) - dt.timedelta(days=days - 1)):
        recent = link(roles.inv_delegate)
    assert anonymous.post(recent).status_code == 200  # still within its life
    roles.inv_delegate.refresh_from_db()
    assert roles.inv_delegate.partstat == Invitation.PartStat.ACCEPTED


def test_revoked_tampered_and_withdrawn_rsvp_links_answer_nothing(roles):
    anonymous = Client()
    url = link(roles.inv_delegate, "DECLINED")
    assert anonymous.get(url).status_code == 200  # opening a link only shows a button
    roles.inv_delegate.refresh_from_db()
    assert roles.inv_delegate.partstat == Invitation.PartStat.NEEDS_ACTION
    # Tampered: the signature no longer matches.
    token = url.split("/")[2]
    assert anonymous.post(f"/rsvp/{token[:-2]}xx/").status_code == 410
    # Revoked: the invitation's link_version moved on (a newer email, a withdrawal, a deactivation).
    Invitation.objects.filter(pk=roles.inv_delegate.pk).update(
        link_version=roles.inv_delegate.link_version + 1
    )
    assert anonymous.post(url).status_code == 410
    roles.inv_delegate.refresh_from_db()
    assert roles.inv_delegate.partstat == Invitation.PartStat.NEEDS_ACTION
    # Deactivation revokes every link sent to the person.
    url = link(roles.inv_head)
    user_deactivate(roles.head, reason="left")
    assert anonymous.post(url).status_code == 410
