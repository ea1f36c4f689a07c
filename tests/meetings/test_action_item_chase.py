"""Action items owned by a task force remind its leads, and an overdue action item is chased to its owners
once per chase interval of its body: planned by an idempotent beat task through the outbox (a key per item,
recipient and interval), so a task run twice sends nothing twice; a closed or re-dated item is not chased.
The last test runs the beat task and the outbox on a real Redis and a real Celery worker."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from chairmanship.models import ChairTerm
from governance.models import Body, Membership, StrategicGoal
from meetings import services
from meetings.calendar.action_chase import plan_action_item_chasers
from meetings.calendar.action_items import plan_action_item_reminders
from meetings.calendar.kinds import Kind
from meetings.models import ActionItem, ActionItemNotice
from meetings.selectors.action_items import chase_interval, next_chase_on
from outbox.models import Message
from tests.world.build import api_as
from tests.world.clock import at, clock
from tests.world.mail import deliver
from tests.world.meetings import meeting_schedule
from tests.world.people import body_make, seat, state, user_make

DUE = dt.date(2026, 7, 31)


def chase(now: dt.datetime) -> int:
    """The beat's planning as at ``now``."""
    with clock(now):
        return plan_action_item_chasers()


def test_the_chase_intervals_run_from_the_day_after_the_due_date(settings):
    beat = {e["task"]: e["schedule"] for e in settings.CELERY_BEAT_SCHEDULE.values()}
    assert beat["meetings.calendar.tasks.action_items_chase"] <= 3600  # at least hourly
    due = dt.date(2026, 7, 31)
    assert chase_interval(due_date=due, today=due, every=14) == 0
    assert chase_interval(due_date=due, today=dt.date(2026, 8, 1), every=14) == 1
    assert chase_interval(due_date=due, today=dt.date(2026, 8, 14), every=14) == 1
    assert chase_interval(due_date=due, today=dt.date(2026, 8, 15), every=14) == 2
    assert chase_interval(due_date=due, today=dt.date(2026, 8, 3), every=1) == 3
    assert next_chase_on(due_date=due, today=dt.date(2026, 7, 1), every=14) == dt.date(2026, 8, 1)
    assert next_chase_on(due_date=due, today=dt.date(2026, 8, 1), every=14) == dt.date(2026, 8, 15)


@pytest.fixture
def task_force_item(world):
    """An action item of ACCMSME's 21st meeting owned by Task Force A, whose leads are the Philippines
    (chairing it: its head of delegation on the task force) and a named co-chair person."""
    tf = Body.objects.get(acronym="ACCMSME TF-A")
    lead = user_make("tf-lead-ph", state=state("PH"))
    seat(lead.person, tf, "PH", Membership.Role.HEAD_OF_DELEGATION)
    co = user_make("tf-cochair-sg", state=state("SG"))
    ChairTerm.objects.create(
        body=tf, member_state=state("PH"), start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 12, 31)
    )
    ChairTerm.objects.create(
        body=tf,
        member_state=state("SG"),
        role=ChairTerm.Role.CO_CHAIR,
        chair_person=co.person,
        start_date=dt.date(2026, 1, 1),
        end_date=dt.date(2026, 12, 31),
    )
    officer = user_make("tf-desk")  # the task force's Secretariat desk: reminded only while it has no lead
    seat(officer.person, tf, None, Membership.Role.SECRETARIAT, organisation=_asec())
    m = meeting_schedule(world, confirm=True)
    goal = StrategicGoal.objects.get(plan__short_name="SAP SMED 2025", code="C")
    item = services.action_item_create(
        meeting=m, title="Map the export-readiness programmes", owner_body=tf, due_date=DUE, goal=goal
    )
    return item, {lead.email, co.email}


def _asec():
    from governance.models import Organisation

    return Organisation.objects.get(acronym="ASEC")


def _chasers(item) -> Counter:
    return Counter(
        (m.recipient, m.key.rsplit(".", 1)[-1]) for m in Message.objects.filter(kind=Kind.ACTION_CHASE)
    )


@pytest.mark.django_db
def test_a_task_force_item_reminds_its_leads_before_it_is_due(task_force_item):
    item, leads = task_force_item
    plan_action_item_reminders(now=at(2026, 7, 23))
    reminders = Message.objects.filter(kind=Kind.ACTION_DUE, key__contains=f"actionitem-{item.pk}:")
    assert {m.recipient for m in reminders} == leads  # its leads, not the Secretariat desk


@pytest.mark.django_db
def test_an_overdue_task_force_item_reaches_its_leads_once_per_chase_interval(task_force_item):
    item, leads = task_force_item
    assert chase(at(2026, 7, 31, 20)) == 0  # due today: not overdue yet

    first = at(2026, 8, 1, 9)
    assert chase(first) == 2
    assert chase(first + dt.timedelta(hours=1)) == 0  # the beat again: nothing new
    sent = [m for m in deliver(first + dt.timedelta(hours=1)) if m.subject.startswith("Overdue since")]
    assert sorted(m.to[0] for m in sent) == sorted(leads)
    body = sent[0].body
    assert "Map the export-readiness programmes" in body and "owned by ACCMSME TF-A" in body
    assert "the next reminder goes on Sat 15 Aug 2026" in body

    # Within the same interval: nothing; the next interval: one more each.
    assert chase(at(2026, 8, 14, 9)) == 0
    assert chase(at(2026, 8, 15, 9)) == 2
    assert chase(at(2026, 8, 15, 10)) == 0
    assert len([m for m in deliver(at(2026, 8, 15, 10)) if m.subject.startswith("Overdue")]) == 2
    assert _chasers(item) == Counter({(e, c): 1 for e in leads for c in ("c1", "c2")})
    assert set(ActionItemNotice.objects.filter(chase__isnull=False).values_list("chase", flat=True)) == {1, 2}

    # A shorter interval set by the Secretariat moves the schedule; the API shows the next chase.
    Body.objects.filter(pk=item.body_id).update(action_chase_days=7)
    r = api_as(_secretariat()).get(f"/api/v1/action-items/{item.pk}/")
    assert r.status_code == 200 and r.json()["goal"] == item.goal_id
    assert dt.date.fromisoformat(r.json()["next_chase_on"]) > DUE

    # Closed before the next chaser goes: it is planned by no one and nothing is sent.
    chase(at(2026, 8, 22, 9))  # interval 4 at 7 days
    services.action_item_update(action_item=item, status=ActionItem.Status.DONE)
    assert not [m for m in deliver(at(2026, 8, 22, 10)) if m.subject.startswith("Overdue")]
    assert chase(at(2026, 9, 30, 9)) == 0


@pytest.mark.django_db
def test_a_re_dated_item_is_not_chased_for_its_old_date(task_force_item):
    item, leads = task_force_item
    chase(at(2026, 8, 1, 9))
    services.action_item_update(action_item=item, due_date=dt.date(2026, 10, 31))
    assert not [m for m in deliver(at(2026, 8, 1, 10)) if m.subject.startswith("Overdue")]
    cancelled = Message.objects.filter(kind=Kind.ACTION_CHASE, status=Message.Status.CANCELLED)
    assert cancelled.count() == 2
    assert chase(at(2026, 8, 20, 9)) == 0


def _secretariat():
    return user_make("chase-sec", secretariat=True)


# --- On a real worker ---------------------------------------------------------------------------------------


@pytest.mark.worker
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_the_beat_task_run_twice_on_a_real_worker_chases_each_lead_once(require_redis, tmp_path):
    import redis

    from meetings.calendar.tasks import action_items_chase
    from outbox.tasks import sweep_task
    from tests.outbox.worker import Worker, sent, wait_for

    client = redis.Redis.from_url(require_redis)
    client.delete("celery", "unacked", "unacked_index", "unacked_mutex")
    # Dates from the real day (the worker's clock cannot be frozen): due yesterday in Jakarta.
    today = dt.datetime.now(dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=7))).date()
    parent = body_make("ACCMSME")
    tf = body_make("TFW", kind=Body.Kind.TASK_FORCE, chair_policy=Body.ChairPolicy.DESIGNATED)
    leads = []
    for iso2 in ("PH", "TH"):
        u = user_make(f"lead-{iso2.lower()}", state=state(iso2))
        seat(u.person, tf, iso2, Membership.Role.HEAD_OF_DELEGATION)
        ChairTerm.objects.create(
            body=tf,
            member_state=state(iso2),
            role=ChairTerm.Role.CO_CHAIR,
            start_date=today - dt.timedelta(days=30),
            end_date=today + dt.timedelta(days=30),
        )
        leads.append(u.email)
    from tests.world.meetings import meeting_row

    m = meeting_row(parent, start=at(today.year - 1, 1, 10), end=at(today.year - 1, 1, 11), status="held")
    ActionItem.objects.create(
        body=parent,
        meeting=m,
        title="Pilot the credit guarantee",
        owner_body=tf,
        due_date=today - dt.timedelta(days=1),
    )

    worker = Worker(require_redis, tmp_path)
    try:
        action_items_chase.delay()
        action_items_chase.delay()  # the beat twice (or two beats): one plan
        sweep_task.delay()
        worker.start()
        wait_for(lambda: sent(Kind.ACTION_CHASE) == 2, worker, timeout=120, what="two chasers sent")
        action_items_chase.delay()
        sweep_task.delay()
        wait_for(lambda: client.llen("celery") == 0, worker, timeout=60, what="the queue drained")
        wait_for(lambda: worker.deliveries() >= 2, worker, timeout=60, what="two deliveries")
    finally:
        worker.stop()
        client.delete("celery", "unacked", "unacked_index", "unacked_mutex")
    assert Message.objects.filter(kind=Kind.ACTION_CHASE).count() == 2
    assert sorted(msg["To"] for msg in worker.messages()) == sorted(leads)
    assert worker.deliveries() == 2
