"""Celery tasks of the outbox, and handing rows to them.

Every task is ``acks_late`` with ``reject_on_worker_lost`` (a killed worker's message goes back to the
queue) and takes primary keys; only the sweep may be told the time (an ISO string), as a test driving a
real worker does to run it "an hour later". Nothing waits with an ETA: due times live in the database and the beat sweep hands
them out (a long ETA on Redis is redelivered after ``visibility_timeout`` and runs twice).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from celery import shared_task
from django.db import DatabaseError, InterfaceError, OperationalError, transaction
from django.db.models import Q
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

from outbox.handout import due_ids, due_now_ids, reclaim_stuck
from outbox.models import Heartbeat, Message
from outbox.registry import sweep_steps
from outbox.sending import send_batch, setting

log = logging.getLogger(__name__)
TASK_OPTIONS = {"acks_late": True, "reject_on_worker_lost": True, "ignore_result": True}


def parse_now(now: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(now) if now else None


# The database or the broker gone for a moment: the task runs again a little later (its rows were not
# claimed, or are reclaimed by the sweep), rather than being lost with its rows parked until a lease ends.
TRANSIENT_ERRORS = (DatabaseError, OperationalError, InterfaceError, KombuOperationalError, ConnectionError)
RETRY_OPTIONS = {
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": 2,
    "retry_backoff_max": 30,
    "retry_jitter": True,
    "max_retries": 8,
}
# Publishing waits at most about two seconds for a broker that is restarting, then gives up: the rows
# stay planned and the next hand-out (seconds later) tries again.
PUBLISH_RETRY = {"max_retries": 3, "interval_start": 0.2, "interval_step": 0.5, "interval_max": 1}


@shared_task(name="outbox.tasks.send_messages", **TASK_OPTIONS, **RETRY_OPTIONS)
def send_messages(ids: list[int]) -> dict:
    """Send these rows; each is claimed on its own, so a message delivered twice sends nothing twice."""
    return send_batch(ids)


def batch_size(n: int) -> int:
    """Rows per send task: an eighth of the hand-out, so a short list is still shared by several workers,
    between 50 and ``NOTIFY_BATCH_SIZE`` (500), so a long one goes in few tasks (one preload each, and
    chunks that reach their size early)."""
    most = max(1, int(setting("NOTIFY_BATCH_SIZE", 500)))
    return max(min(50, most), min(most, -(-n // 8)))


def dispatch(ids: list[int]) -> int:
    """Hand rows to workers in batches. A lease in ``next_attempt_at``, written *before* the batch is
    published (so a worker never meets a row still locked by the lease), keeps the next hand-out from
    handing them out again while they wait in the queue; if the queue loses them, the lease runs out and
    the hand-out gives them again (the claim makes a second copy harmless). A batch further down the
    queue gets a longer lease (``NOTIFY_LEASE_PER_BATCH_SECONDS`` more per batch ahead of it)."""
    if not ids:
        return 0
    batch = batch_size(len(ids))
    base = setting("NOTIFY_DISPATCH_LEASE_SECONDS", 30)
    per_batch = setting("NOTIFY_LEASE_PER_BATCH_SECONDS", 1)
    now = timezone.now()
    sent = 0
    for n, i in enumerate(range(0, len(ids), batch)):
        chunk = ids[i : i + batch]
        lease_until = now + dt.timedelta(seconds=base + n * per_batch)
        leased = Message.objects.filter(pk__in=chunk, status=Message.Status.PLANNED)
        leased.update(next_attempt_at=lease_until)
        try:
            send_messages.apply_async(args=[chunk], retry=True, retry_policy=PUBLISH_RETRY)
        except Exception as exc:  # noqa: BLE001 - broker down: the rows stay planned for the next hand-out
            log.warning("could not queue %d messages: %s", len(ids) - i, exc)
            Message.objects.filter(
                pk__in=ids[i:], status=Message.Status.PLANNED, next_attempt_at__gte=now
            ).update(next_attempt_at=None)
            break
        sent += len(chunk)
    return sent


def dispatch_on_commit(*, now: dt.datetime, within: Q | None = None) -> None:
    """Once the caller's transaction commits, hand out the rows it planned that were due at ``now``."""
    transaction.on_commit(lambda: dispatch(due_now_ids(now=now, within=within)))


@dataclass
class SweepResult:
    """What one sweep did: the registered steps' counts by name, then the outbox's own."""

    steps: dict[str, int] = field(default_factory=dict)
    reclaimed: int = 0
    dispatched: int = 0

    def __getattr__(self, name: str) -> int:
        steps = self.__dict__.get("steps", {})
        if name in steps:
            return steps[name]
        raise AttributeError(name)

    def as_dict(self) -> dict[str, int]:
        return {**self.steps, "reclaimed": self.reclaimed, "dispatched": self.dispatched}


def sweep(*, now: dt.datetime | None = None) -> SweepResult:
    """The beat job: the registered steps (plan what is coming due, make good a lost hook), then reclaim
    stuck rows and hand out what is due, all as at one moment (the clock, unless told)."""
    now_ = now or timezone.now()
    result = SweepResult()
    for name, step in sweep_steps().items():
        result.steps[name] = step(now=now_)
    result.reclaimed = reclaim_stuck(now=now_)
    ids = due_ids(now=now_, limit=setting("NOTIFY_SWEEP_LIMIT", 20000))
    result.dispatched = dispatch(ids)
    return result


def hand_out() -> SweepResult:
    """The short beat job (every ``NOTIFY_HANDOUT_SECONDS``): reclaim orphans and hand out what is due,
    without the planning steps, so a lost batch or a dead worker's row is back within seconds."""
    now = timezone.now()
    result = SweepResult()
    result.reclaimed = reclaim_stuck(now=now)
    result.dispatched = dispatch(due_ids(now=now, limit=setting("NOTIFY_SWEEP_LIMIT", 20000)))
    return result


@shared_task(name="outbox.tasks.hand_out", **TASK_OPTIONS)
def hand_out_task() -> dict:
    Heartbeat.objects.update_or_create(name="worker", defaults={"at": timezone.now()})
    return hand_out().as_dict()


@shared_task(name="outbox.tasks.sweep", **TASK_OPTIONS)
def sweep_task(now: str | None = None) -> dict:
    """Beat, every ``NOTIFY_SWEEP_SECONDS``, without ``now``. A test driving a real worker passes one (its
    clock cannot reach the worker); the sends it queues run on the worker's clock."""
    return sweep(now=parse_now(now)).as_dict()
