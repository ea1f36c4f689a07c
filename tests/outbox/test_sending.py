"""The notification machinery: idempotent planning, one sender per row, retries with backoff, reclaiming
rows of a dead worker, the sweep's hand-out, plain notices of other apps, action items, agendas, the outbox."""

from __future__ import annotations

import datetime as dt
import smtplib

import pytest
from django.core import mail
from django.urls import reverse

from meetings.calendar import tasks as calendar_tasks
from meetings.calendar.kinds import Kind
from meetings.calendar.tasks import meeting_version_plan
from outbox import tasks as outbox_tasks
from outbox.handout import due_ids, reclaim_stuck
from outbox.keys import message_id
from outbox.models import Message
from outbox.sending import claim, send_batch
from outbox.tasks import dispatch, sweep
from tests.world.calendar import zones_scene
from tests.world.clock import NOW, at, clock
from tests.world.mail import deliver
from tests.world.people import user_make

pytestmark = pytest.mark.django_db
Status = Message.Status


def test_planning_twice_plans_nothing_new_and_sending_twice_sends_once():
    w = zones_scene()
    with clock(NOW):
        meeting_version_plan(meeting_id=w.meeting.pk)
    count = Message.objects.count()
    with clock(NOW):
        meeting_version_plan(meeting_id=w.meeting.pk)
    with clock(NOW):
        meeting_version_plan(meeting_id=w.meeting.pk)
    assert Message.objects.count() == count
    ids = due_ids(now=NOW, limit=100)
    assert len(ids) == len(w.everyone)
    send_batch(ids, now=NOW)
    send_batch(ids, now=NOW)  # a redelivered task, or a second worker with the same batch
    assert len(mail.outbox) == len(w.everyone)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in w.everyone)


def test_a_row_is_claimed_by_one_worker_only():
    w = zones_scene()
    with clock(NOW):
        meeting_version_plan(meeting_id=w.meeting.pk)
    row = Message.objects.filter(kind=Kind.INVITE).first()
    assert claim(row.pk, NOW) is True
    assert claim(row.pk, NOW) is False
    row.refresh_from_db()
    assert (row.status, row.attempts, row.claimed_at) == (Status.SENDING, 1, NOW)
    later = Message.objects.filter(kind=Kind.REMINDER).first()
    assert claim(later.pk, NOW) is False  # not due yet


def test_failed_send_is_retried_with_backoff_and_stays_visible_as_failed(monkeypatch, settings, client):
    settings.NOTIFY_MAX_ATTEMPTS = 3
    settings.NOTIFY_RETRY_BASE_SECONDS = 60
    w = zones_scene()
    with clock(NOW):
        meeting_version_plan(meeting_id=w.meeting.pk)
    row = Message.objects.get(kind=Kind.INVITE, meeting_notice__person=w.people.manila)

    def broken(self, messages):
        # A permanent answer to this message (a server fault would pause sending instead: test_delivery.py).
        raise smtplib.SMTPDataError(554, "SMTP server refused")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", broken)
    assert send_batch([row.pk], now=NOW) == {"retry": 1}
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.PLANNED, 1)
    assert row.next_attempt_at == NOW + dt.timedelta(seconds=60)
    assert "SMTP server refused" in row.last_error
    assert row.pk not in due_ids(now=NOW + dt.timedelta(seconds=59), limit=100)
    t2 = NOW + dt.timedelta(seconds=60)
    assert row.pk in due_ids(now=t2, limit=100)
    send_batch([row.pk], now=t2)
    row.refresh_from_db()
    assert row.next_attempt_at == t2 + dt.timedelta(seconds=120)  # exponential
    t3 = t2 + dt.timedelta(seconds=120)
    send_batch([row.pk], now=t3)
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.FAILED, 3)
    assert row.pk not in due_ids(now=t3 + dt.timedelta(days=1), limit=100)

    # The Secretariat sees it on the outbox page and can send it again.
    client.force_login(user_make("sec", secretariat=True))
    page = client.get(reverse("outbox:index") + "?status=failed")
    assert page.status_code == 200
    html = page.content.decode()
    assert row.recipient in html and "SMTP server refused" in html and "failed" in html
    monkeypatch.undo()
    client.post(reverse("outbox:retry", args=[row.pk]))
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.PLANNED, 0)


def test_a_row_left_sending_by_a_dead_worker_is_reclaimed_and_sent_once(settings):
    settings.NOTIFY_CLAIM_TIMEOUT_SECONDS = 600
    w = zones_scene()
    with clock(NOW):
        meeting_version_plan(meeting_id=w.meeting.pk)
    row = Message.objects.get(kind=Kind.INVITE, meeting_notice__person=w.people.manila)
    assert claim(row.pk, NOW)  # ... and the worker was killed here
    assert reclaim_stuck(now=NOW + dt.timedelta(seconds=599)) == 0
    assert reclaim_stuck(now=NOW + dt.timedelta(seconds=601)) == 1
    row.refresh_from_db()
    assert row.status == Status.PLANNED and "worker lost" in row.last_error
    sent = deliver(NOW + dt.timedelta(seconds=601))
    assert [m.to[0] for m in sent].count(w.people.manila.email) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.SENT, 2)


def test_sweep_hands_out_due_rows_once_per_lease(queued, settings):
    settings.NOTIFY_BATCH_SIZE = 2
    settings.NOTIFY_DISPATCH_LEASE_SECONDS = 600
    settings.NOTIFY_LEASE_PER_BATCH_SECONDS = 0  # one lease for every batch of this hand-out
    w = zones_scene()
    with clock(NOW):
        meeting_version_plan(meeting_id=w.meeting.pk)  # on_commit never runs in a test
    with clock(NOW):
        result = sweep()
    assert result.dispatched == len(w.everyone)
    handed = [i for batch, _ in queued for i in batch]
    assert sorted(handed) == sorted(Message.objects.filter(kind=Kind.INVITE).values_list("pk", flat=True))
    assert all(len(batch) <= 2 and kw is None for batch, kw in queued)  # the worker sends on its own clock
    with clock(NOW + dt.timedelta(seconds=60)):
        assert sweep().dispatched == 0  # still leased: the queue has them
    with clock(NOW + dt.timedelta(seconds=601)):
        assert sweep().dispatched == len(w.everyone)  # lease ran out


def test_dispatch_survives_a_broker_that_is_down(monkeypatch):
    w = zones_scene()
    with clock(NOW):
        meeting_version_plan(meeting_id=w.meeting.pk)

    def down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(outbox_tasks.send_messages, "apply_async", down)
    with clock(NOW):
        assert dispatch(due_ids(now=NOW, limit=100)) == 0
    # Nothing was leased: the next sweep hands them out.
    assert len(due_ids(now=NOW, limit=100)) == len(w.everyone)


def test_plain_rows_from_other_apps_are_sent_from_their_subject_and_text(monkeypatch):
    """Another app's kind: the outbox sends what the builder that app registered returns, at send time."""
    from django.core.mail import EmailMessage

    from outbox import registry

    monkeypatch.setattr(registry, "_kinds", dict(registry._kinds))
    registry.register_kind(
        registry.KindSpec(
            kind="plain",
            label="Plain notice",
            build=lambda message, ctx: EmailMessage(
                "Handover of the ACCMSME chair on 1 January 2027",
                "Dear Ben,\n\nThe chair passes to Singapore on 1 January 2027.",
                to=[message.recipient],
            ),
        )
    )
    w = zones_scene()
    Message.objects.create(
        key=f"plain:handover-1:person-{w.people.manila.pk}:2027",
        kind="plain",
        recipient=w.people.manila.email,
        due_at=at(2026, 12, 1, 9),
    )
    assert deliver(at(2026, 11, 30, 9)) == []
    [msg] = deliver(at(2026, 12, 1, 9))
    assert msg.subject == "Handover of the ACCMSME chair on 1 January 2027"
    assert "passes to Singapore" in msg.body and msg.to == [w.people.manila.email]
    assert msg.extra_headers["Message-ID"] == message_id(f"plain:handover-1:person-{w.people.manila.pk}:2027")


def test_notify_sweep_command_sends_without_a_worker():
    import io

    from django.core.management import CommandError, call_command

    w = zones_scene()  # confirmed, its hook never ran
    out = io.StringIO()
    call_command("notify_sweep", "--send", "--now", NOW.isoformat(), stdout=out)
    assert out.getvalue().strip() == f"reconciled 1 meeting(s), reclaimed 0; {len(w.everyone)} sent"
    assert len(mail.outbox) == len(w.everyone)
    with pytest.raises(CommandError):
        call_command("notify_sweep", "--now", "2026-05-04T09:00", stdout=io.StringIO())


def test_tasks_ack_late_reject_on_worker_lost_and_beat_sweeps_from_the_database(settings):
    for task in (outbox_tasks.send_messages, outbox_tasks.sweep_task, calendar_tasks.plan_meeting_version):
        assert task.acks_late is True and task.reject_on_worker_lost is True
    entry = settings.CELERY_BEAT_SCHEDULE["outbox-sweep"]
    assert entry["task"] == outbox_tasks.sweep_task.name
    assert entry["schedule"] == settings.NOTIFY_SWEEP_SECONDS
    assert "eta" not in entry.get("options", {}) and "countdown" not in entry.get("options", {})


def test_a_fan_out_is_sent_in_chunks_each_row_recorded_with_what_it_went_out_with(settings):
    """State is written per chunk, not per e-mail (issue 21): a few statements for each chunk, yet every
    row records its own subject and text, and every invitee gets one message with their own name."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.NOTIFY_SEND_CHUNK = 16
    settings.NOTIFY_SEND_CHUNK_SECONDS = 600  # chunks of 1, 2, 4, 8, 16, then the rest
    w = zones_scene(n_extra=35)
    with clock(NOW):
        meeting_version_plan(meeting_id=w.meeting.pk)
    ids = due_ids(now=NOW, limit=100)
    assert len(ids) == 40
    with CaptureQueriesContext(connection) as queries:
        assert send_batch(ids, now=NOW) == {"sent": 40}
    # Six chunks; per e-mail, one statement was seven before (claim, lock, meeting, invitation, record...).
    assert len(queries) < 80, len(queries)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in w.everyone)
    names = {p.email: p.full_name for p in w.everyone}
    for row in Message.objects.filter(pk__in=ids):
        assert row.status == Status.SENT and row.sent_at == NOW
        assert row.subject.startswith("Invitation:") and f"Dear {names[row.recipient]}," in row.body_text
    for msg in mail.outbox:
        assert f"Dear {names[msg.to[0]]}," in msg.body


def test_the_shared_rendering_is_byte_for_byte_what_each_reader_would_get_alone():
    """The two templates are rendered once per reading and the person's parts put in: the same bytes as
    rendering them for that person, HTML escaping included."""
    from django.template.loader import render_to_string

    from meetings.calendar import ics
    from meetings.calendar.messages import render_bodies
    from meetings.calendar.rsvp import rsvp_links
    from meetings.models import Invitation
    from meetings.times import meeting_times

    w = zones_scene(n_extra=2)
    odd = w.everyone[-1]
    odd.full_name = 'Nguyễn <b>"Bảo" & Co</b>'
    odd.save()
    for person in [w.everyone[-2], odd, w.everyone[-2]]:
        inv = Invitation.objects.select_related("person", "meeting").get(meeting=w.meeting, person=person)
        context = {
            "kind": Kind.INVITE,
            "subject": "Invitation: x",
            "intro": ["You are invited <now>."],
            "person": person,
            "meeting": w.meeting,
            "times": meeting_times(w.meeting, person.effective_timezone),
            "where": ics.location_text(w.meeting),
            "meeting_url": ics.meeting_url(w.meeting),
            "agenda_url": ics.agenda_url(w.meeting),
            "rsvp_links": rsvp_links(inv),
            "partstat": inv.get_partstat_display(),
            "agenda": [],
            "calendar_attached": True,
        }
        text, html, *_ = render_bodies(context, person)
        assert text == render_to_string("meetings/email/message.txt", context)
        assert html == render_to_string("meetings/email/message.html", context)


def test_rsvp_links_are_signed_as_django_signs_them_and_read_back():
    from django.core import signing

    from meetings.calendar.rsvp import SALT, read_token, rsvp_token
    from meetings.models import Invitation

    w = zones_scene()
    inv = Invitation.objects.select_related("meeting").get(meeting=w.meeting, person=w.people.manila)
    with clock(NOW):
        token = rsvp_token(inv, "ACCEPTED")
        data = {"i": inv.pk, "v": inv.link_version, "p": "ACCEPTED", "s": w.meeting.sequence}
        assert token == signing.dumps(data, salt=SALT)
        assert read_token(token) == (inv, "ACCEPTED")
    assert signing.loads(token, salt=SALT) == data


def test_a_send_task_carries_an_eighth_of_the_hand_out_within_its_bounds(settings):
    from outbox.tasks import batch_size

    settings.NOTIFY_BATCH_SIZE = 500
    assert [batch_size(n) for n in (1, 120, 400, 800, 3000, 10000)] == [50, 50, 50, 100, 375, 500]
    settings.NOTIFY_BATCH_SIZE = 4  # a test's many small tasks stay small
    assert [batch_size(n) for n in (1, 60, 10000)] == [4, 4, 4]
