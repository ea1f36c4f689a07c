"""The changes the audit trail used to miss, each made through its own URL by a named person: the trail
holds it with that person as the actor (and, for account events and sensitive reads, the client
address). A table, like the permissions matrix: one row per URL."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from governance.models import AuditEvent
from meetings.calendar.rsvp import rsvp_url
from meetings.models import Invitation, Meeting
from tests.world.build import api_as, client_as

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Kopi-and-Kaya-2026"


@dataclass
class Row:
    url_name: str
    actor: str  # the role whose act it is
    act: Callable  # (roles) -> response
    action: str  # the AuditEvent action that records it ("" when simple-history records it)


def confirmed(roles) -> Meeting:
    Meeting.objects.filter(pk=roles.m_acc.pk).update(status=Meeting.Status.CONFIRMED)
    return roles.m_acc


def record_attendance(roles):
    m = confirmed(roles)
    return api_as(roles.secretariat).post(
        "/api/v1/attendance/", {"meeting": m.pk, "person": roles.delegate.person.pk, "present": True}
    )


def adopt_agenda(roles):
    m = confirmed(roles)
    return client_as(roles.secretariat).post(reverse("meetings:agenda_adopt", args=[m.pk, 1]))


def rotate_feed(roles):
    return client_as(roles.delegate).post(reverse("profile_feed_rotate"))


def change_password(roles):
    roles.delegate.set_password("Old-Password-2026")
    roles.delegate.save()
    AuditEvent.objects.filter(action="password").delete()  # the fixture's own setting, not the act
    return client_as(roles.delegate).post(
        reverse("password_change"),
        {"old_password": "Old-Password-2026", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )


def reset_password(roles):
    user = roles.delegate
    c = Client()
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    r = c.get(reverse("password_reset_confirm", args=[uid, token]), follow=True)
    return c.post(r.request["PATH_INFO"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})


def fail_login(roles):
    return Client().post(
        reverse("login"), {"username": "delegate", "password": "wrong"}, REMOTE_ADDR="10.1.2.3"
    )


def download_confidential(roles):
    return client_as(roles.secretariat).get(
        reverse("meetings:document_download", args=[roles.doc_confidential.pk]), REMOTE_ADDR="10.4.5.6"
    )


ROWS = [
    Row("attendance (API)", "secretariat", record_attendance, "attendance"),
    Row("meetings:agenda_adopt", "secretariat", adopt_agenda, "agenda_adopted"),
    Row("profile_feed_rotate", "delegate", rotate_feed, "feed_token_rotated"),
    Row("password_change", "delegate", change_password, "password"),
    Row("password_reset_confirm", "delegate", reset_password, "password"),
    Row("login (failed)", "delegate", fail_login, "login_failed"),
    Row("meetings:document_download", "secretariat", download_confidential, "copy_issued"),
]


@pytest.mark.parametrize("row", ROWS, ids=[r.url_name for r in ROWS])
def test_the_change_is_in_the_audit_trail_with_its_actor(roles, row):
    before = AuditEvent.objects.filter(action=row.action).count()
    r = row.act(roles)
    assert r.status_code < 400, (r.status_code, r.content[:300])
    events = AuditEvent.objects.filter(action=row.action).order_by("-id")
    assert events.count() == before + 1
    event = events.first()
    actor = getattr(roles, row.actor)
    if row.action == "login_failed":
        assert event.actor is None and event.object_id == actor.pk  # nobody logged in: the target named
        assert event.data["ip"] == "10.1.2.3"
    else:
        assert event.actor_id == actor.pk
    if row.action == "copy_issued":  # the Confidential copy, with where it went
        assert event.data["ip"] == "10.4.5.6"


def test_an_answer_by_rsvp_link_is_the_invitees(roles):
    """Nobody is logged in when the link is followed: the history names the invitee, not nobody."""
    inv = roles.inv_delegate
    url = rsvp_url(inv, "ACCEPTED").split("://", 1)[-1].split("/", 1)[-1]
    r = Client().post("/" + url)
    assert r.status_code < 400
    inv = Invitation.objects.get(pk=inv.pk)
    assert inv.partstat == "ACCEPTED"
    last = inv.history.order_by("-history_id").first()
    assert last.history_user_id == roles.delegate.pk
