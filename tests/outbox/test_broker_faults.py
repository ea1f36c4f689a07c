"""Fast versions of the reliability runs (bench/faults.py): a Redis restart in the middle of a fan-out, and
the database connection dropped under a web request. The SIGKILLed worker is in tests/outbox/test_worker.py.

The Redis here is a private ``redis-server`` on a free port with no persistence (never the shared one), so
killing it loses every queued batch, as a crashed broker without AOF does.
"""

from __future__ import annotations

import shutil
import time
from collections import Counter

import pytest

from bench.faults import PrivateRedis
from meetings.calendar.tasks import meeting_version_plan
from outbox.models import Message
from tests.machine import service_missing
from tests.outbox.worker import Worker, an_hour_later, sent, wait_for, weeks_ahead
from tests.world.calendar import zones_scene


@pytest.fixture
def private_broker(tmp_path):
    """A private redis-server, and this process's Celery app publishing to it (the hooks queue from here)."""
    if shutil.which("redis-server") is None:
        service_missing("needs redis-server on PATH")
    from config.celery import app

    server = PrivateRedis(tmp_path / "redis")
    server.start()
    old = app.conf.broker_url
    app.conf.broker_url = server.url
    app._pool = None  # the connection and producer pools are cached per broker URL
    app.amqp._producer_pool = None
    yield server
    app.pool.force_close_all()
    app.conf.broker_url = old
    app._pool = None
    app.amqp._producer_pool = None
    server.kill()


def _queued(server: PrivateRedis) -> int:
    import redis

    return redis.Redis.from_url(server.url).llen("celery")


def _wait_until_idle(worker: Worker, *, quiet: float = 1.5, timeout: float = 30) -> None:
    """No row being sent and no progress for ``quiet`` seconds: the batch the worker held has finished."""
    last, since = -1, time.monotonic()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        now = (sent("invite"), Message.objects.filter(status=Message.Status.SENDING).count())
        if now != last:
            last, since = now, time.monotonic()
        elif now[1] == 0 and time.monotonic() - since >= quiet:
            return
        time.sleep(0.1)
    pytest.fail(f"the worker never went idle after the restart:\n{worker.log()}")


@pytest.mark.redis
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_redis_restarted_mid_fan_out_every_invitee_ends_with_exactly_one_email(
    private_broker, tmp_path, settings
):
    from outbox.tasks import sweep_task as sweep_notifications

    settings.NOTIFY_BATCH_SIZE = 4  # 15 batches queued at once, so the restart loses most of them
    w = zones_scene(n_extra=55, start=weeks_ahead())
    worker = Worker(private_broker.url, tmp_path)
    worker.start()
    try:
        meeting_version_plan(meeting_id=w.meeting.pk)
        wait_for(lambda: sent("invite") >= 4, worker, what="the first batch")
        private_broker.restart()
        assert _queued(private_broker) == 0, "the restarted broker must have lost its queue"
        _wait_until_idle(worker)
        lost = 60 - sent("invite")
        assert lost > 0, "the restart must land mid-fan-out and lose queued batches"
        assert Message.objects.filter(kind="invite", status=Message.Status.PLANNED).count() == lost

        # Beat's sweep, an hour later (the lost batches' leases have run out), through the same worker: it
        # reconnected by itself. Beat ticks again until everything is out (a tick may meet a stale connection).
        later = an_hour_later()
        deadline, tick = time.monotonic() + 40, 0.0
        while sent("invite") < 60:
            if time.monotonic() > deadline:
                pytest.fail(f"{60 - sent('invite')} invites never went out:\n{worker.log()}")
            if worker.proc.poll() is not None:
                pytest.fail(f"the worker exited ({worker.proc.returncode}):\n{worker.log()}")
            if time.monotonic() >= tick:
                sweep_notifications.delay(now=later)
                tick = time.monotonic() + 3
            time.sleep(0.05)
    finally:
        worker.stop()

    assert "Connection to broker lost" in worker.log()  # it saw the broker go, and was never restarted
    per_invitee = Counter(m["To"] for m in worker.messages())
    assert per_invitee == Counter({p.email: 1 for p in w.everyone})
    assert worker.deliveries() == 60  # no process died: nothing went twice, not even with one Message-ID
    rows = Message.objects.filter(kind="invite")
    assert rows.count() == 60 and not rows.exclude(status=Message.Status.SENT).exists()
