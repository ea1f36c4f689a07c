"""A real Celery worker process for the outbox tests: started on the test database and a Redis broker, stopped or killed."""

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
from pathlib import Path

import pytest
from django.db import connection

from outbox.models import Message
from tests import PROJECT_ROOT
from tests.world.clock import JKT, at

CELERY = PROJECT_ROOT / ".venv" / "bin" / "celery"


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
            cwd=PROJECT_ROOT,
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


def weeks_ahead() -> dt.datetime:
    """09:00 in Jakarta eight weeks from today: no reminder or chaser comes due while a test runs."""
    day = dt.datetime.now(JKT).date() + dt.timedelta(weeks=8)
    return at(day.year, day.month, day.day, 9)


def an_hour_later() -> str:
    """What the beat sweep takes as now once leases and claims have run out."""
    return (dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)).isoformat()
