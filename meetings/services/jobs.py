"""The worker's side of every background job (``meetings.models.jobs.BackgroundJob``): claim a row so that a
task delivered twice runs once and a row left by a dead worker is taken again after its lease; record how
it ended."""

from __future__ import annotations

import datetime as dt

from django.db.models import F, Q
from django.utils import timezone

from meetings.models.jobs import BackgroundJob

# A job running longer than this was left by a dead worker: the next delivery or sweep claims it again.
LEASE = dt.timedelta(minutes=10)
MAX_ATTEMPTS = 3


def job_claim(model: type[BackgroundJob], job_id: int, now: dt.datetime, **fields) -> bool:
    """Take the job for this worker: only one worker ever changes the row from queued (or from a running
    whose lease ran out) to running. ``fields`` are written with the claim (the first progress step)."""
    return bool(
        model.objects.filter(pk=job_id)
        .filter(Q(status="queued") | Q(status="running", started_at__lt=now - LEASE))
        .filter(attempts__lt=MAX_ATTEMPTS)
        .update(status="running", started_at=now, attempts=F("attempts") + 1, error="", **fields)
    )


def job_finish(model: type[BackgroundJob], job_id: int, **fields) -> None:
    model.objects.filter(pk=job_id).update(finished_at=timezone.now(), **fields)
