"""A database migrated at the layout before the outbox upgrades in place: every notification row is kept as
an outbox message, with the typed reference of what it was about."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("meetings", "0006_actionitem_open_indexes"),
    ("chairmanship", "0004_handoveritem_done_has_time"),
    ("governance", "0003_feeds_reminders_links"),
]
AFTER = [("meetings", "0009_notification_to_outbox"), ("outbox", "0002_beat_task_names")]
T = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _old_world(apps):
    Body = apps.get_model("governance", "Body")
    Person = apps.get_model("governance", "Person")
    Meeting = apps.get_model("meetings", "Meeting")
    body = Body.objects.create(name="Committee", acronym="UPG", kind="sectoral_committee")
    person = Person.objects.create(full_name="Ben", email="ben@example.org")
    meeting = Meeting.objects.create(
        body=body,
        title="1st UPG",
        start=T,
        end=T + dt.timedelta(hours=8),
        timezone="Asia/Jakarta",
        uid="u1@x",
        sequence=2,
    )
    item = apps.get_model("meetings", "ActionItem").objects.create(
        body=body, meeting=meeting, title="Report", owner_person=person, due_date=dt.date(2026, 3, 20)
    )
    return body, person, meeting, item


@pytest.mark.django_db(transaction=True)
def test_notifications_become_outbox_messages_with_typed_references():
    old = _migrate(BEFORE)
    _, person, meeting, item = _old_world(old)
    Notification = old.get_model("meetings", "Notification")
    common = dict(recipient="ben@example.org", due_at=T, person_id=person.pk)
    Notification.objects.create(
        key=f"request:meeting-{meeting.pk}:person-{person.pk}:s2.l1",
        kind="invite",
        status="sent",
        meeting_id=meeting.pk,
        meeting_sequence=2,
        object_ref=f"meeting:{meeting.pk}",
        **common,
    )
    Notification.objects.create(
        key=f"reminder:meeting-{meeting.pk}:person-{person.pk}:s2.d7",
        kind="reminder",
        meeting_id=meeting.pk,
        meeting_sequence=2,
        object_ref=f"meeting:{meeting.pk}",
        **common,
    )
    Notification.objects.create(
        key=f"action_due:actionitem-{item.pk}:person-{person.pk}:2026-03-20.d1",
        kind="action_due",
        meeting_id=meeting.pk,
        object_ref=f"actionitem:{item.pk}",
        subject="s",
        body_text="b",
        **common,
    )
    Notification.objects.create(
        key="action_due:actionitem-999:person-1:2026-03-20.d1",
        kind="action_due",
        object_ref="actionitem:999",
        **common,
    )
    new = _migrate(AFTER)
    Message = new.get_model("outbox", "Message")
    assert Message._meta.db_table == "meetings_notification"
    assert Message.objects.count() == 4
    invite = Message.objects.get(kind="invite")
    assert (invite.status, invite.meeting_notice.meeting_id, invite.meeting_notice.sequence) == (
        "sent",
        meeting.pk,
        2,
    )
    assert Message.objects.get(kind="reminder").meeting_notice.days == 7
    due = new.get_model("meetings", "ActionItemNotice").objects.get(action_item_id=item.pk)
    assert (due.due_date, due.days, due.person_id) == (dt.date(2026, 3, 20), 1, person.pk)
    orphan = Message.objects.get(key__contains="actionitem-999")
    assert orphan.status == "cancelled"
    _migrate(executor_leaf())


def executor_leaf():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()
