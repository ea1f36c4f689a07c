"""Integration with the real Redis and a real Celery worker process (docs/decisions/0019, 0021).

The worker is another process: it reads the committed test database (a real SQLite file or the PostgreSQL
test database) given to it as DATABASE_URL, the broker as REDIS_URL, and writes its email into a
temporary outbox (``VAR_DIR``), one ``.eml`` file per message. Tasks get "now" as an argument, so no
frozen clock is needed across processes. Tens of invitees, not thousands (bench/notify.py does 10,000).
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection

from meetings.calendar.tasks import meeting_version_plan
from outbox.models import Message
from tests.calendar_world import NOW, at, cancel, move, world

pytestmark = [pytest.mark.worker, pytest.mark.redis, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parent.parent
CELERY = ROOT / ".venv" / "bin" / "celery"


def database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Worker:
    """A `celery -A config worker --pool=solo` process on the test database, started and killed at will."""

    def __init__(self, redis_url: str, var_dir: Path) -> None:
        self.var_dir = var_dir
        self.outbox = var_dir / "outbox"
        self.env = {k: v for k, v in os.environ.items() if k not in ("EMAIL_URL", "CELERY_TASK_ALWAYS_EAGER")}
        self.env.update(
            DATABASE_URL=database_url(), REDIS_URL=redis_url, VAR_DIR=str(var_dir), AXES_ENABLED="false"
        )
        self.proc: subprocess.Popen | None = None
        self.runs = 0

    def start(self) -> None:
        self.runs += 1
        log = open(self.var_dir / f"worker-{self.runs}.log", "wb")  # noqa: SIM115 - closed with the process
        self.proc = subprocess.Popen(
            [
                str(CELERY) if CELERY.exists() else sys.executable,
                *([] if CELERY.exists() else ["-m", "celery"]),
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "--loglevel=WARNING",
                "--without-mingle",
                "--without-gossip",
                "--without-heartbeat",
                "-n",
                f"test-{uuid.uuid4().hex[:8]}@%h",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def log(self) -> str:
        return "\n".join(
            p.read_text(errors="replace")[-3000:] for p in sorted(self.var_dir.glob("worker-*.log"))
        )

    def messages(self) -> list:
        if not self.outbox.is_dir():
            return []
        return [
            email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
            for p in sorted(self.outbox.glob("*.eml"))
        ]

    def deliveries(self) -> int:
        log = self.outbox / "deliveries.log"
        return len(log.read_text().splitlines()) if log.exists() else 0


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


def wait_for(predicate, worker: Worker, *, timeout: float = 60, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        if worker.proc is not None and worker.proc.poll() is not None:
            pytest.fail(f"the worker exited ({worker.proc.returncode}) waiting for {what}:\n{worker.log()}")
        time.sleep(0.05)
    pytest.fail(f"timed out waiting for {what}:\n{worker.log()}")


def sent(kind: str) -> int:
    return Message.objects.filter(kind=kind, status=Message.Status.SENT).count()


def calendar_of(msg) -> tuple[str, str, int, str]:
    """(MIME method, METHOD, SEQUENCE, UID) of a message's text/calendar part."""
    from icalendar import Calendar

    part = next(p for p in msg.walk() if p.get_content_type() == "text/calendar")
    cal = Calendar.from_ical(part.get_content())
    event = cal.walk("VEVENT")[0]
    return part.get_param("method"), str(cal["METHOD"]), int(event["SEQUENCE"]), str(event["UID"])


def test_confirm_move_cancel_each_invitee_gets_one_of_each(worker):
    w = world(n_extra=25)
    invitees = {p.email for p in w.everyone}
    assert len(invitees) == 30
    worker.start()

    meeting_version_plan(meeting_id=w.meeting.pk, now=NOW)  # the hook queues the sends
    wait_for(lambda: sent("invite") == 30, worker, what="30 invites")
    move(w.meeting, at(2026, 5, 6, 9), at(2026, 5, 6, 17))
    wait_for(lambda: sent("update") == 30, worker, what="30 updates")
    cancel(w.meeting)
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
    w = world(n_extra=35)
    worker.start()
    meeting_version_plan(meeting_id=w.meeting.pk, now=NOW)
    wait_for(lambda: len(list(worker.outbox.glob("*.eml"))) >= 6, worker, what="the first emails")
    worker.kill()
    at_kill = len(list(worker.outbox.glob("*.eml")))
    assert 0 < at_kill < 40, "the kill must land mid-fan-out"
    stuck = Message.objects.filter(status=Message.Status.SENDING).count()

    worker.start()
    # The beat sweep, an hour later: reclaims the row the dead worker held, hands out what its lost task held.
    from outbox.tasks import sweep_task as sweep_notifications

    sweep_notifications.delay(now=(NOW + dt.timedelta(hours=1)).isoformat())
    wait_for(lambda: sent("invite") == 40, worker, what="all 40 invites after the restart")

    messages = worker.messages()
    per_invitee = Counter(m["To"] for m in messages)
    assert per_invitee == Counter({p.email: 1 for p in w.everyone})
    assert all(calendar_of(m)[:2] == ("REQUEST", "REQUEST") for m in messages)
    rows = Message.objects.filter(kind="invite")
    assert rows.count() == 40 and not rows.exclude(status=Message.Status.SENT).exists()
    # A row caught mid-send was retried (the only way a message could go twice; its Message-ID keeps it one).
    assert worker.deliveries() - 40 <= stuck
