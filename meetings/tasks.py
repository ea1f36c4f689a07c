"""Celery tasks of the meetings record (the calendar side's are in ``meetings.calendar.tasks``): thin,
taking primary keys; the service claims the work so a task delivered twice writes once."""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from django.db import transaction

from meetings.services import report_jobs
from outbox.tasks import TASK_OPTIONS

log = logging.getLogger(__name__)


@shared_task(
    name="meetings.tasks.report_write",
    autoretry_for=(Exception,),
    retry_backoff=5,
    retry_backoff_max=120,
    max_retries=report_jobs.MAX_ATTEMPTS,
    **TASK_OPTIONS,
)
def report_write(job_id: int) -> str:
    """Write the report of one job; a job already taken or finished is left alone."""
    job = report_jobs.report_job_run(job_id=job_id)
    return job.status if job is not None else "skipped"


def _send(job_id: int) -> None:
    try:
        report_write.apply_async(args=[job_id], retry=False)
    except Exception as exc:  # noqa: BLE001 - no broker now: the sweep sends it once one answers
        log.warning("could not queue report job %s: %s", job_id, exc)


def report_job_queue(job_id: int) -> None:
    """Queue a job once the row is committed, so the worker never looks for a job that is not there yet."""
    transaction.on_commit(lambda: _send(job_id))


def report_jobs_resend(*, now: dt.datetime) -> int:
    """Sweep step (the outbox's beat sweep): send again the jobs that were lost or left by a dead worker."""
    ids = report_jobs.report_jobs_stale(now=now)
    for job_id in ids:
        _send(job_id)
    return len(ids)
