"""Delegates follow their own state's action items (progress, status, closing) on the page and through the
API, never another state's; overdue items are marked on every list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from freezegun import freeze_time

from meetings import services
from meetings.models import ActionItem
from meetings.selectors.action_items import with_overdue
from meetings.services.action_items import action_item_follow
from tests.world.build import api_as, client_as
from tests.world.meetings import meeting_schedule
from tests.world.people import state

LATER = dt.datetime(2026, 9, 1, 3, tzinfo=dt.UTC)  # 1 Sep 2026 in Jakarta: the PH item is overdue


@pytest.fixture
def items(world):
    m = meeting_schedule(world, confirm=True)
    ph = services.action_item_create(
        meeting=m, title="Share the PH MSME census", owner_state=state("PH"), due_date=dt.date(2026, 7, 31)
    )
    vn = services.action_item_create(
        meeting=m,
        title="Host the digitalisation workshop",
        owner_state=state("VN"),
        due_date=dt.date(2026, 12, 1),
    )
    return m, ph, vn


@pytest.mark.django_db
def test_a_delegate_closes_their_states_item_and_cannot_touch_another_states(world, items):
    m, ph, vn = items
    client = client_as(world.delegate_ph)
    with freeze_time(LATER):
        r = client.post(
            f"/action-items/{ph.pk}/update/", {"status": "done", "progress_note": "Census shared on 20 Aug."}
        )
        assert r.status_code == 302
        ph.refresh_from_db()
        assert ph.status == "done" and ph.progress_note == "Census shared on 20 Aug." and ph.closed_at
        r = client.post(f"/action-items/{vn.pk}/update/", {"status": "dropped", "progress_note": "x"})
    assert r.status_code == 403
    vn.refresh_from_db()
    assert vn.status == "open" and vn.progress_note == ""
    with pytest.raises(PermissionDenied):
        action_item_follow(action_item=vn, actor=world.head_ph, status="done")
    # The chair (Viet Nam, chairing 2026) and the Secretariat may update any item of the body.
    action_item_follow(action_item=vn, actor=world.chair, progress_note="Venue booked")
    action_item_follow(action_item=ph, actor=world.sec, status="in_progress")
    # An outsider does not even see it.
    assert (
        client_as(world.outsider).post(f"/action-items/{ph.pk}/update/", {"status": "done"}).status_code
        == 404
    )


@pytest.mark.django_db
def test_through_the_api_a_delegate_updates_only_status_and_progress_of_their_own(world, items):
    m, ph, vn = items
    api = api_as(world.delegate_ph)
    r = api.patch(
        f"/api/v1/action-items/{ph.pk}/",
        {"status": "in_progress", "progress_note": "Half done"},
        format="json",
    )
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "in_progress"
    r = api.patch(f"/api/v1/action-items/{ph.pk}/", {"due_date": "2027-01-01"}, format="json")
    assert r.status_code == 400 and "due_date" in r.json()
    r = api.patch(f"/api/v1/action-items/{vn.pk}/", {"status": "done"}, format="json")
    assert r.status_code == 403
    assert ActionItem.objects.get(pk=vn.pk).status == "open"


@pytest.mark.django_db
def test_overdue_items_are_marked_on_every_list(world, items):
    m, ph, vn = items
    assert ph.is_overdue_on(dt.date(2026, 8, 1)) and not vn.is_overdue_on(dt.date(2026, 8, 1))
    annotated = {a.pk: a.is_overdue for a in with_overdue(ActionItem.objects.all(), on=dt.date(2026, 8, 1))}
    assert annotated == {ph.pk: True, vn.pk: False}
    client = client_as(world.delegate_ph)
    with freeze_time(LATER):
        pages = {
            "action items": client.get("/action-items/").content.decode(),
            "meeting": client.get(f"/meetings/{m.pk}/").content.decode(),
            "dashboard": client.get("/").content.decode(),
        }
    for name, html in pages.items():
        assert html.count('class="badge overdue"') == 1, name  # PH's item only
    sec_page = client_as(world.sec)
    with freeze_time(LATER):
        record = sec_page.get(f"/meetings/{m.pk}/record/").content.decode()
        action_item_follow(action_item=ph, actor=world.sec, status="done")
        after = client.get("/action-items/").content.decode()
    assert 'class="badge overdue"' in record
    assert 'class="badge overdue"' not in after  # closed: no longer overdue
