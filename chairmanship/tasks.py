"""Celery tasks of the chairmanship app: thin wrappers that parse their arguments and call a service.

``now`` / ``on`` are optional ISO strings so a worker in a test (or a replay) can say when "now" is.
"""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from chairmanship import services


def _now(now: str | None) -> dt.datetime:
    if not now:
        return timezone.now()
    value = dt.datetime.fromisoformat(now)
    return value if timezone.is_aware(value) else timezone.make_aware(value, dt.UTC)


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def handovers_sweep(now: str | None = None) -> dict:
    """Plan, remind and complete handovers (idempotent; every few minutes)."""
    report = services.handovers_sweep(now=_now(now))
    return {
        "planned": report.planned,
        "completed": report.completed,
        "reminders": report.reminders,
        "errors": report.errors,
    }
