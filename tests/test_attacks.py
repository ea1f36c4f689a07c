"""The classic attacks of the issue: another user's object id, another user's feed token, a delegate editing
another state's registration, an expired RSVP link, a chair acting after the handover."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings as django_settings
from django.test import Client
from freezegun import freeze_time

from chairmanship.services import chair_term_save
from governance.accounts import user_deactivate
from meetings.calendar.rsvp import rsvp_token
from meetings.models import Document, Invitation, Meeting
from tests.permission_world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return build_world()


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- Another user's object id --------------------------------------------------------------------


def test_walking_object_ids_reveals_nothing_beyond_ones_rights(w):
    """The delegate tries every document and meeting id: exactly their own reach answers, the rest is 404
    (not 403: whether the object exists is not leaked)."""
    client = as_user(w.delegate)
    allowed_docs = {w.doc_public.pk, w.doc_restricted.pk, w.doc_pub_public.pk, w.doc_pub_restricted.pk}
    top = max(Document.objects.values_list("pk", flat=True)) + 3
    for pk in range(1, top):
        r = client.get(f"/documents/{pk}/download/")
        assert r.status_code == (200 if pk in allowed_docs else 404), pk
    allowed_meetings = {w.m_acc.pk, w.m_pub.pk}
    top = max(Meeting.objects.values_list("pk", flat=True)) + 3
    for pk in range(1, top):
        assert client.get(f"/meetings/{pk}/").status_code == (200 if pk in allowed_meetings else 404), pk
        assert client.get(f"/meetings/{pk}/calendar.ics").status_code == (
            200 if pk in allowed_meetings else 404
        )


def test_a_404_looks_the_same_for_a_hidden_object_and_a_missing_one(w):
    client = as_user(w.observer)
    hidden = client.get(f"/documents/{w.doc_confidential.pk}/download/")
    missing = client.get("/documents/999999/download/")
    assert hidden.status_code == missing.status_code == 404
    assert b"Doc-ACC" not in hidden.content
    hidden = client.get(f"/api/v1/handovers/{w.handover.pk}/")
    missing = client.get("/api/v1/handovers/999999/")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()


def test_an_item_of_another_handover_cannot_be_reached_through_ones_own(w):
    from chairmanship.models import HandoverItem

    foreign = HandoverItem.objects.create(handover=w.handover, kind="other", label="Old files")
    client = as_user(w.chair)
    r = client.patch(
        f"/api/v1/handovers/{w.next_handover.pk}/items/{foreign.pk}/",
        data='{"comment": "hijacked"}',
        content_type="application/json",
    )
    assert r.status_code == 404
    foreign.refresh_from_db()
    assert foreign.comment == ""


def test_someone_elses_rsvp_cannot_be_answered_from_ones_session(w):
    client = as_user(w.delegate)
    # The delegate posts to a meeting where only the SEOM member is invited: no invitation of theirs.
    assert client.post(f"/meetings/{w.m_seom.pk}/rsvp/", {"answer": "decline"}).status_code == 404
    w.inv_seom.refresh_from_db()
    assert w.inv_seom.partstat == Invitation.PartStat.NEEDS_ACTION


def test_a_hand_written_itip_reply_for_someone_else_is_refused(w):
    ics = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//attack//EN\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\n"
        f"UID:{w.m_acc.uid}\r\nSEQUENCE:0\r\nDTSTAMP:20260101T000000Z\r\n"
        f"ATTENDEE;PARTSTAT=DECLINED:mailto:{w.head.person.email}\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    r = as_user(w.delegate).post("/api/v1/itip/reply/", data=ics, content_type="text/calendar")
    assert r.status_code == 403
    w.inv_head.refresh_from_db()
    assert w.inv_head.partstat == Invitation.PartStat.NEEDS_ACTION


# --- Another user's feed token -------------------------------------------------------------------


def feed(client: Client, token: str):
    return client.get(f"/calendar/feed/{token}.ics")


def test_feed_tokens_are_unguessable_and_every_near_miss_is_a_plain_404(w):
    from meetings.calendar.feeds import feed_token_ensure

    w.head.person.feed_token = None
    w.head.person.save()
    token = feed_token_ensure(w.head.person)
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


def test_a_stolen_feed_token_shows_only_its_owners_meetings_and_dies_on_rotation(w):
    """An observer who got hold of the head's feed URL learns the head's calendar, nothing more; the head
    rotates the token and the stolen URL stops working at once."""
    stolen = w.head.person.feed_token
    thief = as_user(w.observer)
    body = feed(thief, stolen).content.decode()
    assert "Mtg-ACC-private" in body and "Mtg-SEOM" not in body and "Mtg-TFX" not in body
    # The token is a credential for the feed only: it opens no page.
    assert thief.get(f"/meetings/{w.m_acc.pk}/?token={stolen}").status_code == 404
    r = as_user(w.head).post("/accounts/profile/feed/rotate/")
    assert r.status_code == 302
    assert feed(thief, stolen).status_code == 404
    w.head.person.refresh_from_db()
    assert w.head.person.feed_token != stolen
    assert feed(thief, w.head.person.feed_token).status_code == 200


def test_a_deactivated_users_feed_dies(w):
    token = w.delegate.person.feed_token
    user_deactivate(w.delegate, reason="left the delegation")
    assert feed(Client(), token).status_code == 404


# --- A delegate editing another state's registration ---------------------------------------------


def test_a_delegate_cannot_withdraw_another_states_delegate(w):
    client = as_user(w.delegate)  # Indonesia
    r = client.post(f"/meetings/{w.m_acc.pk}/participants/{w.inv_head.pk}/withdraw/")  # Singapore's
    assert r.status_code == 403
    w.inv_head.refresh_from_db()
    assert not w.inv_head.is_withdrawn


def test_a_head_of_delegation_cannot_register_another_states_people(w):
    client = as_user(w.head)  # Singapore
    r = client.post(
        f"/meetings/{w.m_acc.pk}/participants/delegation/",
        {"member_state": w.id.pk, "persons": [w.delegate.person.pk]},
    )
    assert r.status_code in (200, 403)  # refused either by the form's choices or outright
    assert not Invitation.objects.filter(
        meeting=w.m_acc, person=w.delegate.person, registered_by=w.head
    ).exists()
    assert Invitation.objects.filter(meeting=w.m_acc).count() == 4
    # Nor through another meeting's URL: the invitation id must belong to the meeting in the path.
    r = client.post(f"/meetings/{w.m_pub.pk}/participants/{w.inv_delegate.pk}/withdraw/")
    assert r.status_code == 404
    w.inv_delegate.refresh_from_db()
    assert not w.inv_delegate.is_withdrawn


# --- An expired RSVP link ------------------------------------------------------------------------


def link(invitation, answer: str = "ACCEPTED") -> str:
    return f"/rsvp/{rsvp_token(invitation, answer)}/"


def test_an_expired_rsvp_link_answers_nothing(w):
    days = django_settings.RSVP_LINK_MAX_AGE_DAYS
    with freeze_time(dt.datetime.now(dt.UTC) - dt.timedelta(days=days + 1)):
        old = link(w.inv_delegate)
    anonymous = Client()
    for method in ("get", "post"):
        r = getattr(anonymous, method)(old)
        assert r.status_code == 410
        assert "expired" in r.content.decode()
    w.inv_delegate.refresh_from_db()
    assert w.inv_delegate.partstat == Invitation.PartStat.NEEDS_ACTION
    with freeze_time(dt.datetime.now(dt.UTC) - dt.timedelta(days=days - 1)):
        recent = link(w.inv_delegate)
    assert anonymous.post(recent).status_code == 200  # still within its life
    w.inv_delegate.refresh_from_db()
    assert w.inv_delegate.partstat == Invitation.PartStat.ACCEPTED


def test_revoked_tampered_and_withdrawn_rsvp_links_answer_nothing(w):
    anonymous = Client()
    url = link(w.inv_delegate, "DECLINED")
    assert anonymous.get(url).status_code == 200  # opening a link only shows a button
    w.inv_delegate.refresh_from_db()
    assert w.inv_delegate.partstat == Invitation.PartStat.NEEDS_ACTION
    # Tampered: the signature no longer matches.
    token = url.split("/")[2]
    assert anonymous.post(f"/rsvp/{token[:-2]}xx/").status_code == 410
    # Revoked: the invitation's link_version moved on (a newer email, a withdrawal, a deactivation).
    Invitation.objects.filter(pk=w.inv_delegate.pk).update(link_version=w.inv_delegate.link_version + 1)
    assert anonymous.post(url).status_code == 410
    w.inv_delegate.refresh_from_db()
    assert w.inv_delegate.partstat == Invitation.PartStat.NEEDS_ACTION
    # Deactivation revokes every link sent to the person.
    url = link(w.inv_head)
    user_deactivate(w.head, reason="left")
    assert anonymous.post(url).status_code == 410


# --- A chair acting after the handover -----------------------------------------------------------


def test_the_former_chair_can_no_longer_manage(w):
    """Malaysia chaired until the handover to the Philippines: its head still sits on the body and sees
    its meetings, but manages nothing."""
    client = as_user(w.former_chair)
    assert client.get(f"/meetings/{w.m_acc.pk}/").status_code == 200
    for url in (
        f"/meetings/{w.m_acc.pk}/edit/",
        f"/meetings/{w.m_acc.pk}/agenda/",
        f"/meetings/{w.m_acc.pk}/documents/upload/",
        f"/meetings/{w.m_acc.pk}/record/",
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/meetings/{w.m_acc.pk}/status/", {"action": "cancel"}).status_code == 403
    assert client.post(f"/chairmanship/handovers/{w.handover.pk}/complete/").status_code == 403
    r = client.patch(
        f"/api/v1/handovers/{w.next_handover.pk}/items/{w.next_item.pk}/",
        data='{"comment": "still here"}',
        content_type="application/json",
    )
    assert r.status_code == 403
    w.m_acc.refresh_from_db()
    assert w.m_acc.status == Meeting.Status.PLANNED


def test_a_logged_in_chair_loses_manage_rights_the_moment_the_handover_takes_effect(w):
    """The chair's session outlives the handover: rights are read per request, so the same session is
    refused once the terms move, and the incoming chair's is admitted."""
    chair, incoming = as_user(w.chair), as_user(w.head)
    url = f"/meetings/{w.m_acc.pk}/edit/"
    assert chair.get(url).status_code == 200
    assert incoming.get(url).status_code == 403
    # The handover takes effect (recorded long ago, so it holds whatever today is): terms move.
    w.next_handover.delete()
    w.term.end_date = dt.date(2001, 1, 1)
    chair_term_save(term=w.term)
    w.next_term.start_date = dt.date(2001, 1, 2)
    w.next_term.end_date = dt.date(2999, 12, 31)
    chair_term_save(term=w.next_term)
    assert chair.get(url).status_code == 403
    assert chair.post(f"/meetings/{w.m_acc.pk}/status/", {"action": "cancel"}).status_code == 403
    assert incoming.get(url).status_code == 200
