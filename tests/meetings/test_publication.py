"""The Secretariat's publish step: a preview of the public page, publish and withdraw asked first and
audited, and which decisions the public may read (docs/decisions/0049)."""

from __future__ import annotations

import pytest
from django.test import Client

from governance.models import AuditEvent
from meetings.models import Decision, Meeting
from meetings.services.publication import decisions_mark_public, meeting_publish, meeting_withdraw
from tests.world.build import client_as
from tests.world.clock import NOW, clock
from tests.world.people import seat, user_make
from tests.world.public import public_scene

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(media):
    with clock(NOW):
        w = public_scene()
    w.sec = user_make("sec", secretariat=True, staff=True)
    w.head = user_make("head", state=w.vn)
    seat(w.head.person, w.accmsme, w.vn, "head")
    from governance.rights import sync_all_rights

    sync_all_rights()
    return w


def test_publish_and_withdraw_are_audited_once_each(w):
    meeting_publish(meeting=w.private, actor=w.sec)
    meeting_publish(meeting=w.private, actor=w.sec)  # again: nothing changes, nothing more is audited
    meeting_withdraw(meeting=w.private, actor=w.sec)
    events = list(
        AuditEvent.objects.filter(object_type="meetings.meeting", object_id=w.private.pk).order_by("id")
    )
    assert [(e.action, e.actor_id) for e in events] == [
        ("meeting_published", w.sec.pk),
        ("meeting_withdrawn", w.sec.pk),
    ]
    assert Meeting.objects.get(pk=w.private.pk).is_public is False
    assert w.private.history.filter(is_public=True).exists()  # the field change is in the history too


def test_publishing_opens_the_public_page_and_withdrawing_closes_it(w):
    url = f"/public/meetings/{w.private.pk}/"
    with clock(NOW):
        assert Client().get(url).status_code == 404
        meeting_publish(meeting=w.private, actor=w.sec)
        page = Client().get(url).content.decode()
        assert "Item-Of-Private" in page and "Paper-Of-Private" in page and "Decision-Of-Private" in page
        assert "Mtg-Private" in Client().get("/calendar/bodies/ACCMSME.ics").content.decode()
        meeting_withdraw(meeting=w.private, actor=w.sec)
        assert Client().get(url).status_code == 404


def test_exactly_the_ticked_decisions_of_the_meeting_are_public(w):
    changed = decisions_mark_public(
        meeting=w.past,
        public_ids=[w.decision_unmarked.pk, w.decision_of_private.pk],  # the second is another meeting's
        actor=w.sec,
    )
    assert sorted(changed) == sorted([w.decision_public.pk, w.decision_unmarked.pk])
    public = dict(Decision.objects.values_list("pk", "is_public"))
    assert public[w.decision_unmarked.pk] and not public[w.decision_public.pk]
    assert public[w.decision_of_private.pk]  # untouched
    event = AuditEvent.objects.get(action="decisions_published")
    assert event.data == {"public": [w.decision_unmarked.pk], "withheld": [w.decision_public.pk]}
    assert decisions_mark_public(meeting=w.past, public_ids=[w.decision_unmarked.pk]) == []
    assert AuditEvent.objects.filter(action="decisions_published").count() == 1


def test_the_secretariat_previews_what_the_public_would_read(w):
    with clock(NOW):
        r = client_as(w.sec).get(f"/meetings/{w.private.pk}/public/")
    assert r.status_code == 200
    preview = r.content.decode().split('id="preview"')[1]
    assert "Item-Of-Private" in preview and "Paper-Of-Private" in preview and "Decision-Of-Private" in preview
    with clock(NOW):
        past = client_as(w.sec).get(f"/meetings/{w.past.pk}/public/").content.decode()
    preview = past.split('id="preview"')[1]
    assert "Item-Draft-Only" not in preview and "Paper-Restricted" not in preview
    assert "Decision-Unmarked" not in preview and "Decision-Public" in preview
    assert "Presenter Personname" not in preview


def test_only_the_secretariat_publishes_and_only_when_confirmed(w):
    url = f"/meetings/{w.private.pk}/public/publish/"
    assert client_as(w.head).get(f"/meetings/{w.private.pk}/public/").status_code == 403
    assert client_as(w.head).post(url, {"confirmed": "yes"}).status_code == 403
    outsider = user_make("outsider", state=w.id)
    assert client_as(outsider).post(url, {"confirmed": "yes"}).status_code == 404
    assert Client().post(url).status_code == 302  # to the login page
    sec = client_as(w.sec)
    assert sec.get(url).status_code == 200  # the question first
    assert sec.post(url).status_code == 400  # not confirmed: refused
    assert not Meeting.objects.get(pk=w.private.pk).is_public
    assert sec.post(url, {"confirmed": "yes"}).status_code == 302
    assert Meeting.objects.get(pk=w.private.pk).is_public
    r = sec.post(f"/meetings/{w.private.pk}/public/decisions/", {"public": []})
    assert r.status_code == 302
    assert not Decision.objects.get(pk=w.decision_of_private.pk).is_public
    assert sec.post(f"/meetings/{w.private.pk}/public/withdraw/", {"confirmed": "yes"}).status_code == 302
    assert not Meeting.objects.get(pk=w.private.pk).is_public
