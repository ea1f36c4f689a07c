"""Action-item reminders: planned by the sweep, sent to the owner or to the owner body's secretariat."""

from __future__ import annotations

import datetime as dt

import pytest

from meetings.calendar.action_items import plan_action_item_reminders
from meetings.calendar.kinds import Kind
from meetings.models import ActionItem
from outbox.models import Message
from outbox.tasks import sweep
from tests.world.calendar import zones_scene
from tests.world.clock import NOW, at
from tests.world.mail import deliver
from tests.world.people import person_make, seat

pytestmark = pytest.mark.django_db
Status = Message.Status


def test_the_sweep_plans_action_item_reminders(queued):
    w = zones_scene()
    ActionItem.objects.create(
        body=w.body,
        meeting=w.meeting,
        title="Report",
        owner_person=w.people.manila,
        due_date=dt.date(2026, 3, 20),
    )
    sweep(now=NOW)
    assert not Message.objects.filter(kind=Kind.ACTION_DUE).exists()  # not in the window yet
    sweep(now=at(2026, 3, 12, 9))
    sweep(now=at(2026, 3, 12, 9, 2))  # idempotent: the same two keys, nothing new
    assert sorted(Message.objects.filter(kind=Kind.ACTION_DUE).values_list("due_at", flat=True)) == [
        at(2026, 3, 13, 9, tz="Asia/Manila"),
        at(2026, 3, 19, 9, tz="Asia/Manila"),
    ]


def test_action_item_reminders_go_to_the_owner_and_the_heads_of_the_owner_state():
    w = zones_scene()
    head = person_make("hoa-head", state=w.states["VN"], body=w.body, role="head")
    item = ActionItem.objects.create(
        body=w.body,
        meeting=w.meeting,
        title="Submit the MSME finance survey",
        owner_state=w.states["VN"],
        due_date=dt.date(2026, 3, 20),
    )
    mine = ActionItem.objects.create(
        body=w.body,
        meeting=w.meeting,
        title="Circulate the draft",
        owner_person=w.people.manila,
        due_date=dt.date(2026, 3, 5),
    )
    plan_action_item_reminders(now=NOW)  # 7 days before 5 March had passed: policy "send" sends it now
    sent = deliver(NOW)
    assert [(m.to[0], m.subject) for m in sent] == [
        (w.people.manila.email, "Action item due 05 Mar 2026: Circulate the draft"),
    ]
    assert "due on Thu 5 Mar 2026" in sent[0].body
    # A moved deadline: the old reminder is cancelled when its moment comes, new ones are planned.
    mine.due_date = dt.date(2026, 3, 25)
    mine.save()
    plan_action_item_reminders(now=NOW)
    assert deliver(at(2026, 3, 4, 9)) == []
    old = Message.objects.get(
        key=f"action_due:actionitem-{mine.pk}:person-{w.people.manila.pk}:2026-03-05.d1"
    )
    assert (old.status, old.note) == (Status.CANCELLED, "due date changed")
    # The state's item goes to its head of delegation, at 09:00 in Hanoi, 7 days before.
    plan_action_item_reminders(now=at(2026, 3, 13, 8))
    assert deliver(at(2026, 3, 13, 8, 59)) == []
    sent = deliver(at(2026, 3, 13, 9))
    assert [(m.to[0], m.subject) for m in sent] == [
        (head.email, "Action item due 20 Mar 2026: Submit the MSME finance survey")
    ]
    plan_action_item_reminders(now=at(2026, 3, 18, 8))
    assert [m.subject for m in deliver(at(2026, 3, 18, 10))] == [
        "Action item due 25 Mar 2026: Circulate the draft"
    ]
    # Closed before its 1-day reminder: not sent, and recorded why.
    item.status = ActionItem.Status.DONE
    item.save()
    assert deliver(at(2026, 3, 19, 9)) == []
    closed = Message.objects.get(key__contains=f"actionitem-{item.pk}:", key__endswith="d1")
    assert (closed.status, closed.note) == (Status.SKIPPED, "action item closed")


def test_an_item_owned_by_a_body_reminds_that_bodys_secretariat_officers():
    """Owned by a body ("SEOM to consider ..."): the body's Secretariat desk officers in office on the
    day are reminded; a former officer and the other bodies' officers are not."""
    from governance.models import Body, Membership, Organisation

    w = zones_scene()
    asec = Organisation.objects.create(name="ASEAN Secretariat", acronym="ASEC", kind="secretariat")
    seom = Body.objects.create(
        name="Senior Economic Officials Meeting", acronym="SEOM-T", kind="senior_officials"
    )
    desk = person_make("seom-desk", state=None)
    former = person_make("seom-former", state=None)
    elsewhere = person_make("acc-desk", state=None)
    for person, body, end in (
        (desk, seom, None),
        (former, seom, dt.date(2025, 12, 31)),
        (elsewhere, w.body, None),
    ):
        seat(person, body, role=Membership.Role.SECRETARIAT, organisation=asec, end=end)
    ActionItem.objects.create(
        body=w.body,
        meeting=w.meeting,
        title="SEOM to consider the MSME roadmap",
        owner_body=seom,
        due_date=dt.date(2026, 3, 20),
    )
    plan_action_item_reminders(now=at(2026, 3, 13, 8))
    sent = deliver(at(2026, 3, 13, 9, tz="Asia/Jakarta"))
    assert [(m.to[0], m.subject) for m in sent] == [
        (desk.email, "Action item due 20 Mar 2026: SEOM to consider the MSME roadmap")
    ]
