"""Celery tasks of the meetings app: thin wrappers around ``meetings.notifications``.

Every task is ``acks_late`` with ``reject_on_worker_lost`` (a killed worker's message goes back to the
queue), takes primary keys, and takes ``now`` as an optional ISO string so a test driving a real worker
needs no frozen clock. Nothing here waits with an ETA: due times live in the database and the sweep hands
them out (a long ETA on Redis is redelivered after ``visibility_timeout`` and runs twice).
"""

from __future__ import annotations

import datetime as dt

from celery import shared_task

TASK_OPTIONS = {"acks_late": True, "reject_on_worker_lost": True, "ignore_result": True}


def _parse_now(now: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(now) if now else None


@shared_task(name="meetings.tasks.sweep_notifications", **TASK_OPTIONS)
def sweep_notifications(now: str | None = None) -> dict:
    """Beat, every ``NOTIFY_SWEEP_SECONDS``: plan what is coming due, reclaim stuck sends, hand out the
    due rows. With ``now`` given, the sends it queues use that clock too."""
    from meetings.notifications import sweep

    result = sweep(now=_parse_now(now), pass_now=now is not None)
    return result.__dict__


@shared_task(name="meetings.tasks.send_notifications", **TASK_OPTIONS)
def send_notifications(ids: list[int], now: str | None = None) -> dict:
    """Send these rows; each is claimed on its own, so a message delivered twice sends nothing twice."""
    from meetings.notifications import send_batch

    return send_batch(ids, now=_parse_now(now))


@shared_task(name="meetings.tasks.plan_meeting_version", **TASK_OPTIONS)
def plan_meeting_version(meeting_id: int, now: str | None = None) -> int:
    """Plan a meeting version with a long list of invitees (the hook hands it over); idempotent."""
    from meetings.notifications import _load_meeting, meeting_plan_version

    meeting = _load_meeting(meeting_id)
    return len(meeting_plan_version(meeting=meeting, now=_parse_now(now))) if meeting else 0
