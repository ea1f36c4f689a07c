"""Integration with the real Redis and a real Celery worker process (docs/decisions/0019, 0021).

The worker is another process: it reads the committed test database (a real SQLite file or the PostgreSQL
test database) given to it as DATABASE_URL, the broker as REDIS_URL, and writes its email into a
temporary outbox (``VAR_DIR``), one ``.eml`` file per message. A frozen clock cannot reach the worker, so
the meeting is weeks ahead of the real clock and the worker sends on its own; only the beat sweep is told
the time, to run it "an hour later". Tens of invitees, not thousands (bench/notify.py does 10,000).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from meetings.calendar.tasks import meeting_version_plan
from outbox.models import Message
from tests.outbox.worker import Worker, an_hour_later, sent, wait_for, weeks_ahead
from tests.world.calendar import cancel, move, zones_scene

pytestmark = [pytest.mark.worker, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(require_redis, transactional_db, tmp_path):
    import redis

    # A queue left over from other tests (hooks queue their sends) must not reach this worker.
    client = redis.Redis.from_url(require_redis)
    client.delete("celery", "unacked", "unacked_index", "unacked_mutex")
    w = Worker(require_redis, tmp_path)
    yield w
    w.stop()
    client.delete("celery", "unacked", "unacked_index", "unacked_mutex")


def calendar_of(msg) -> tuple[str, str, int, str]:
    """(MIME method, METHOD, SEQUENCE, UID) of a message's text/calendar part."""
    from icalendar import Calendar

    part = next(p for p in msg.walk() if p.get_content_type() == "text/calendar")
    cal = Calendar.from_ical(part.get_content())
    event = cal.walk("VEVENT")[0]
    return part.get_param("method"), str(cal["METHOD"]), int(event["SEQUENCE"]), str(event["UID"])


def test_confirm_move_cancel_each_invitee_gets_one_of_each(worker):
    start = weeks_ahead()
    w = zones_scene(n_extra=25, start=start)
    invitees = {p.email for p in w.everyone}
    assert len(invitees) == 30
    worker.start()

    meeting_version_plan(meeting_id=w.meeting.pk)  # the hook queues the sends
    wait_for(lambda: sent("invite") == 30, worker, what="30 invites")
    moved = start + dt.timedelta(days=2)
    move(w.meeting, moved, moved + dt.timedelta(hours=8), now=None)
    wait_for(lambda: sent("update") == 30, worker, what="30 updates")
    cancel(w.meeting, now=None)
    wait_for(lambda: sent("cancel") == 30, worker, what="30 cancels")

    messages = worker.messages()
    by = Counter((m["To"], m["Subject"].split(":")[0]) for m in messages)
    assert set(by.values()) == {1} and len(messages) == 90
    assert {to for to, _ in by} == invitees
    assert worker.deliveries() == 90  # nothing was sent twice
    seqs: dict[str, dict[str, int]] = {}
    for m in messages:
        mime_method, method, seq, uid = calendar_of(m)
        assert mime_method == method and uid == w.meeting.uid
        seqs.setdefault(m["To"], {})[method if "Updated" not in m["Subject"] else "UPDATE"] = seq
    for to, s in seqs.items():
        assert s["REQUEST"] < s["UPDATE"] < s["CANCEL"], to


def test_worker_killed_mid_fan_out_every_invitee_ends_with_exactly_one_email(worker, settings):
    settings.NOTIFY_BATCH_SIZE = 4  # many small tasks, so the kill lands in the middle of the fan-out
    w = zones_scene(n_extra=35, start=weeks_ahead())
    worker.start()
    meeting_version_plan(meeting_id=w.meeting.pk)
    wait_for(lambda: len(list(worker.outbox.glob("*.eml"))) >= 6, worker, what="the first emails")
    worker.kill()
    at_kill = len(list(worker.outbox.glob("*.eml")))
    assert 0 < at_kill < 40, "the kill must land mid-fan-out"
    stuck = Message.objects.filter(status=Message.Status.SENDING).count()

    worker.start()
    # The beat sweep, an hour later: reclaims the row the dead worker held, hands out what its lost task held.
    from outbox.tasks import sweep_task as sweep_notifications

    sweep_notifications.delay(now=an_hour_later())
    wait_for(lambda: sent("invite") == 40, worker, what="all 40 invites after the restart")

    messages = worker.messages()
    per_invitee = Counter(m["To"] for m in messages)
    assert per_invitee == Counter({p.email: 1 for p in w.everyone})
    assert all(calendar_of(m)[:2] == ("REQUEST", "REQUEST") for m in messages)
    rows = Message.objects.filter(kind="invite")
    assert rows.count() == 40 and not rows.exclude(status=Message.Status.SENT).exists()
    # A row caught mid-send was retried (the only way a message could go twice; its Message-ID keeps it one).
    assert worker.deliveries() - 40 <= stuck
