"""Delivery you can stake a meeting on (issue 20), in-process against a real SMTP sink (aiosmtpd):
timeouts, the breaker per mail server, server faults versus message faults, the window after DATA made
visible, each message checked against the meeting as it stands when it is sent, reminders only after the
invitation, a CANCEL to everyone told anything, the lease written before the batch is published."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.core import mail

from meetings.calendar.kinds import Kind
from meetings.calendar.tasks import meeting_version_plan
from meetings.models import Meeting
from outbox import sending
from outbox import tasks as outbox_tasks
from outbox.handout import due_ids, reclaim_stuck
from outbox.keys import message_id
from outbox.models import MailServer, Message
from outbox.sending import claim, send_batch
from outbox.tasks import dispatch
from tests.outbox.sink import SMTPSink
from tests.world.calendar import cancel, move, zones_scene
from tests.world.clock import NOW, at, clock
from tests.world.mail import deliver

pytestmark = pytest.mark.django_db
Status = Message.Status
SECOND = dt.timedelta(seconds=1)


@pytest.fixture
def sink(settings):
    server = SMTPSink()
    for name, value in server.settings(timeout=1.0).items():
        setattr(settings, name, value)
    yield server
    server.stop()


def planned_invites(n_extra: int = 0):
    w = zones_scene(n_extra=n_extra)
    with clock(NOW):
        meeting_version_plan(meeting_id=w.meeting.pk)
    ids = list(Message.objects.filter(kind=Kind.INVITE).order_by("pk").values_list("pk", flat=True))
    return w, ids


def breaker() -> MailServer:
    return MailServer.objects.get()


@pytest.mark.parametrize("mode", ["stall", "mute"])
def test_a_hanging_server_costs_one_timeout_then_the_batch_waits_for_it(sink, mode):
    w, ids = planned_invites()
    sink.set_mode(mode)
    started = time.monotonic()
    counts = send_batch(ids, now=NOW)
    assert time.monotonic() - started < 4  # one 1-second timeout, not one per message, never for ever
    assert counts == {"retry": 1, "paused": len(ids) - 1}
    first = Message.objects.get(pk=ids[0])
    # Given back without using an attempt; after DATA (stall) it may have arrived, before the greeting not.
    assert (first.status, first.attempts, first.transient) == (Status.PLANNED, 0, True)
    assert first.possibly_delivered is (mode == "stall")
    assert "mail server" in first.last_error and "timed out" in first.last_error.lower()
    assert breaker().state == MailServer.State.OPEN
    assert not Message.objects.filter(status__in=[Status.SENDING, Status.FAILED]).exists()

    # While the breaker is open nothing is tried; once its pause is over, a trial send finds it back.
    assert send_batch(ids, now=NOW + SECOND) == {"paused": len(ids)}
    sink.set_mode("accept")
    later = breaker().retry_at + SECOND
    assert sorted(due_ids(now=later, limit=100)) == sorted(ids)
    assert send_batch(due_ids(now=later, limit=100), now=later)["sent"] == len(ids)
    assert breaker().state == MailServer.State.CLOSED
    assert sink.per_recipient == {p.email.lower(): 1 for p in w.everyone}
    assert set(Message.objects.filter(pk__in=ids).values_list("status", flat=True)) == {Status.SENT}


def test_451_pauses_sending_however_often_and_nothing_ends_failed(sink, settings):
    settings.NOTIFY_MAX_ATTEMPTS = 2
    w, ids = planned_invites()
    sink.set_mode("451")
    moment = NOW
    for _ in range(5):  # an outage far longer than the attempts a message has
        send_batch(due_ids(now=moment, limit=100), now=moment)
        moment = breaker().retry_at + SECOND
    assert breaker().failures == 5
    assert not Message.objects.filter(status=Status.FAILED).exists()
    assert set(Message.objects.filter(pk__in=ids).values_list("attempts", flat=True)) == {0}
    sink.set_mode("accept")
    counts = send_batch(due_ids(now=moment, limit=100), now=moment)
    assert counts["sent"] == len(ids)
    assert sink.per_recipient == {p.email.lower(): 1 for p in w.everyone}


def test_550_is_the_messages_fault_retried_with_backoff_and_the_server_stays_open(sink):
    _, ids = planned_invites()
    sink.set_mode("550")
    counts = send_batch(ids[:1], now=NOW)
    assert counts == {"retry": 1}
    row = Message.objects.get(pk=ids[0])
    assert (row.status, row.attempts, row.transient) == (Status.PLANNED, 1, False)
    assert row.next_attempt_at == NOW + dt.timedelta(seconds=60)
    assert not MailServer.objects.filter(state=MailServer.State.OPEN).exists()


def test_a_reply_lost_after_data_is_sent_again_with_its_message_id_and_shown_possibly_delivered(sink):
    w, ids = planned_invites()
    sink.set_mode("drop")
    send_batch(ids, now=NOW)
    dropped = Message.objects.get(pk=ids[0])
    assert dropped.msgid == message_id(dropped.key)  # recorded when claimed, before it was sent
    assert dropped.possibly_delivered and dropped.status == Status.PLANNED
    assert sum(sink.per_message_id.values()) == 1
    sink.set_mode("accept")
    later = breaker().retry_at + SECOND
    send_batch(due_ids(now=later, limit=100), now=later)
    dropped.refresh_from_db()
    assert dropped.status == Status.SENT and dropped.possibly_delivered
    # The one double: the same message, with the same Message-ID (a mail client shows it once).
    assert sink.per_message_id[dropped.msgid] == 2
    assert sink.per_recipient[dropped.recipient.lower()] == 2
    others = [p.email.lower() for p in w.everyone if p.email.lower() != dropped.recipient.lower()]
    assert all(sink.per_recipient[o] == 1 for o in others)


def test_a_row_reclaimed_from_sending_is_marked_possibly_delivered(settings):
    settings.NOTIFY_CLAIM_TIMEOUT_SECONDS = 60
    _, ids = planned_invites()
    assert claim(ids[0], NOW)  # ... and the worker died here, or after the server's 250
    assert reclaim_stuck(now=NOW + 59 * SECOND) == 0
    assert reclaim_stuck(now=NOW + 61 * SECOND) == 1
    row = Message.objects.get(pk=ids[0])
    assert row.status == Status.PLANNED and row.possibly_delivered and "possibly delivered" in row.last_error


def test_a_change_committed_while_a_batch_is_sending_stops_the_rest_of_it(monkeypatch, settings):
    """The batch loaded the meeting once; it is sent in chunks (here of at most two). The meeting is
    cancelled after the first chunk's two invitations went, while the second chunk is being claimed: its
    rows are withheld (checked against the meeting as it is when their chunk is sent, not as the batch
    loaded it), the rest never leave, and the CANCEL goes to the two who were told."""
    settings.NOTIFY_SEND_CHUNK = 2
    settings.NOTIFY_SEND_CHUNK_SECONDS = 60  # chunks of 1, then 2, 2...
    w, ids = planned_invites()
    real_claim = sending.claim_rows
    claims = []

    def claim_then_cancel(rows, now):
        claimed = real_claim(rows, now)
        claims.append([r.pk for r in rows])
        if len(claims) == 3:  # rows 3 and 4 are claimed (about to be sent) when the cancellation commits
            cancel(w.meeting, now=NOW)
        return claimed

    monkeypatch.setattr(sending, "claim_rows", claim_then_cancel)
    counts = send_batch(ids, now=NOW)
    assert claims[:3] == [ids[:1], ids[1:3], ids[3:5]]
    # The chunk in flight is checked against the meeting as it now is.
    assert counts == {"sent": 3, "cancelled": 2}
    told = {m.to[0] for m in mail.outbox}
    in_flight = Message.objects.get(pk=ids[3])
    assert in_flight.status == Status.CANCELLED and "superseded" in in_flight.note
    assert set(Message.objects.filter(pk__in=ids[3:]).values_list("status", flat=True)) == {Status.CANCELLED}
    monkeypatch.undo()
    cancels = deliver(NOW + SECOND)
    assert {m.to[0] for m in cancels} == told
    assert all(m.subject.startswith("Cancelled:") for m in cancels)


def test_an_older_version_never_follows_a_newer_one():
    w, ids = planned_invites()
    deliver(NOW)
    first = w.meeting.start
    move(w.meeting, first + dt.timedelta(days=1), first + dt.timedelta(days=1, hours=8), now=NOW)
    v2 = list(Message.objects.filter(kind=Kind.UPDATE).values_list("pk", flat=True))
    move(w.meeting, first + dt.timedelta(days=2), first + dt.timedelta(days=2, hours=8), now=NOW)
    # A worker that picked the v2 updates before the second move sends them now: every one is withheld.
    Message.objects.filter(pk__in=v2).update(status=Status.PLANNED, note="")
    assert send_batch(v2, now=NOW + SECOND) == {"cancelled": len(v2)}
    sent = deliver(NOW + 2 * SECOND)
    assert len(sent) == len(w.everyone)
    assert {m.subject.split(":")[0] for m in sent} == {"Updated"}
    w.meeting.refresh_from_db()
    assert set(
        Message.objects.filter(kind=Kind.UPDATE, status=Status.SENT).values_list(
            "meeting_notice__sequence", flat=True
        )
    ) == {w.meeting.sequence}


def test_a_reminder_waits_for_its_invitation_and_follows_it():
    w, ids = planned_invites()
    manila = Message.objects.get(kind=Kind.INVITE, meeting_notice__person=w.people.manila)
    # Manila's invitation is still on its way (a backoff); everyone else's went.
    Message.objects.filter(pk=manila.pk).update(next_attempt_at=at(2026, 6, 1))
    deliver(NOW)
    reminder_due = at(2026, 4, 4, 9, 1)  # 30 days before 4 May
    sent = deliver(reminder_due)
    assert sorted(m.to[0] for m in sent) == sorted(p.email for p in w.everyone if p != w.people.manila)
    reminder = Message.objects.get(
        kind=Kind.REMINDER, meeting_notice__person=w.people.manila, meeting_notice__days=30
    )
    assert "invitation of this version goes first" in reminder.note and reminder.attempts == 0
    Message.objects.filter(pk=manila.pk).update(next_attempt_at=None)
    later = reminder_due + dt.timedelta(minutes=1)
    sent = deliver(later)
    assert [m.subject.split(":")[0] for m in sent] == ["Invitation", "Reminder"]


def test_a_cancel_goes_to_everyone_told_anything_and_to_no_one_else():
    w, ids = planned_invites()
    manila = Message.objects.get(kind=Kind.INVITE, meeting_notice__person=w.people.manila)
    yangon = Message.objects.get(kind=Kind.INVITE, meeting_notice__person=w.people.yangon)
    Message.objects.filter(pk__in=[manila.pk, yangon.pk]).update(status=Status.FAILED)
    deliver(NOW)
    # Manila got a reminder without the invitation (as the old sender did): she was told something.
    Message.objects.filter(kind=Kind.REMINDER, meeting_notice__person=w.people.manila).update(
        status=Status.SENT
    )
    w.meeting.status = Meeting.Status.CANCELLED
    cancel(w.meeting, now=NOW)
    sent = deliver(NOW + SECOND)
    assert sorted(m.to[0] for m in sent) == sorted(p.email for p in w.everyone if p != w.people.yangon)


def test_the_lease_is_written_before_the_batch_is_published_and_cleared_when_the_broker_is_down(
    monkeypatch,
):
    _, ids = planned_invites()
    seen = []

    def publish(args, kwargs=None, **opts):
        seen.append(set(Message.objects.filter(pk__in=args[0]).values_list("next_attempt_at", flat=True)))

    monkeypatch.setattr(outbox_tasks.send_messages, "apply_async", publish)
    with clock(NOW):
        assert dispatch(ids) == len(ids)
    assert seen and all(None not in leases for leases in seen)

    Message.objects.filter(pk__in=ids).update(next_attempt_at=None)

    def down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(outbox_tasks.send_messages, "apply_async", down)
    with clock(NOW):
        assert dispatch(ids) == 0
    assert sorted(due_ids(now=NOW, limit=100)) == sorted(ids)


def test_send_task_is_retried_on_database_and_broker_errors(settings):
    from django.db import OperationalError

    task = outbox_tasks.send_messages
    assert OperationalError in task.autoretry_for and task.retry_backoff
    assert outbox_tasks.hand_out_task.name in {e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()}


@pytest.mark.django_db(transaction=True)
def test_a_meeting_change_waits_for_the_send_in_flight_and_the_next_send_sees_it(
    require_postgres, monkeypatch
):
    """Real concurrency (two database connections): while an invitation is with the mail server, the
    cancellation of its meeting waits (the send holds the meeting for share); once the send is recorded
    the cancellation commits, and the next invitation of the batch is withheld."""
    import threading

    from django.core.mail.backends.locmem import EmailBackend
    from django.db import connection
    from django.db.models import F

    _, ids = planned_invites()
    meeting_id = Message.objects.get(pk=ids[0]).meeting_notice.meeting_id
    with_server, release_server = threading.Event(), threading.Event()
    real_send = EmailBackend.send_messages

    def slow_send(self, messages):
        if not with_server.is_set():
            with_server.set()
            assert release_server.wait(30)
        return real_send(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", slow_send)
    counts: dict = {}

    def sender():
        try:
            counts.update(send_batch(ids[:2], now=NOW))
        finally:
            connection.close()

    def canceller():
        try:
            Meeting.objects.filter(pk=meeting_id).update(
                status=Meeting.Status.CANCELLED, sequence=F("sequence") + 1
            )
        finally:
            connection.close()

    s = threading.Thread(target=sender)
    s.start()
    assert with_server.wait(30)
    c = threading.Thread(target=canceller)
    c.start()
    c.join(1.0)
    assert c.is_alive(), "the change must wait for the send in flight"
    release_server.set()
    s.join(30)
    c.join(30)
    assert not s.is_alive() and not c.is_alive()
    first, second = Message.objects.get(pk=ids[0]), Message.objects.get(pk=ids[1])
    assert first.status == Status.SENT  # recorded before the change committed
    # The second was sent after the change or withheld by it: never sent against the old meeting.
    assert second.status == Status.CANCELLED and "superseded" in second.note
    assert counts == {"sent": 1, "cancelled": 1}


def test_the_outbox_page_shows_a_paused_server_and_sends_every_failed_message_again(client, sink, queued):
    from django.urls import reverse

    from tests.world.people import user_make

    _, ids = planned_invites()
    sink.set_mode("refuse")
    send_batch(ids[:2], now=NOW)
    Message.objects.filter(pk__in=ids[2:]).update(status=Status.FAILED, last_error="550 mailbox unavailable")
    Message.objects.filter(pk=ids[2]).update(possibly_delivered=True)
    client.force_login(user_make("sec", secretariat=True))
    with clock(NOW):
        html = client.get(reverse("outbox:index")).content.decode()
    assert f"Sending to 127.0.0.1:{sink.port} is paused" in html and "Connection refused" in html
    assert "possibly delivered" in html and f"Send all {len(ids) - 2} failed again" in html

    with clock(NOW):
        client.post(reverse("outbox:retry-failed"))
    revived = Message.objects.filter(pk__in=ids[2:])
    assert set(revived.values_list("status", "attempts")) == {(Status.PLANNED, 0)}
    sink.set_mode("accept")
    later = breaker().retry_at + SECOND
    send_batch(due_ids(now=later, limit=100), now=later)
    with clock(later):
        html = client.get(reverse("outbox:index")).content.decode()
    assert "Delivery is healthy" in html
    assert set(Message.objects.filter(pk__in=ids).values_list("status", flat=True)) == {Status.SENT}


def test_messages_held_after_a_restore_wait_for_the_secretariats_decision(client, queued):
    from django.urls import reverse

    from tests.world.people import user_make

    _, ids = planned_invites()
    Message.objects.filter(pk__in=ids).update(status=Status.HELD)
    assert due_ids(now=NOW, limit=100) == [] and deliver(NOW) == []  # held: never sent by surprise
    client.force_login(user_make("sec", secretariat=True))
    html = client.get(reverse("outbox:index")).content.decode()
    assert f"{len(ids)} messages held after a restore" in html
    Message.objects.filter(pk=ids[0]).update(status=Status.SENT)
    Message.objects.filter(pk=ids[1]).update(status=Status.HELD)
    client.post(reverse("outbox:held"), {"decision": "cancel"})
    assert set(Message.objects.filter(pk__in=ids[1:]).values_list("status", flat=True)) == {Status.CANCELLED}
    Message.objects.filter(pk__in=ids[1:]).update(status=Status.HELD)
    with clock(NOW):
        client.post(reverse("outbox:held"), {"decision": "release"})
    assert set(Message.objects.filter(pk__in=ids[1:]).values_list("status", flat=True)) == {Status.PLANNED}
    assert len(deliver(NOW)) == len(ids) - 1
