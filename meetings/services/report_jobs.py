"""The Report of the Meeting written in the background: the page asks for it (a job), a worker writes it
and says how far it got, the page shows that until it is done. Writing a report takes seconds (WeasyPrint);
the request that asks for it returns at once."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from governance.audit import audit
from meetings.models import Meeting, ReportJob
from meetings.services import reports as report_services
from meetings.services.jobs import LEASE, MAX_ATTEMPTS, job_claim, job_finish

# A job still queued this long after it was asked for lost its message: the sweep sends it again.
QUEUED_GRACE = dt.timedelta(minutes=2)

Job = ReportJob.Status


def report_job_live(meeting: Meeting | int) -> ReportJob | None:
    meeting_id = meeting if isinstance(meeting, int) else meeting.pk
    return ReportJob.objects.filter(meeting_id=meeting_id, status__in=ReportJob.LIVE).first()


def report_job_latest(meeting: Meeting | int) -> ReportJob | None:
    meeting_id = meeting if isinstance(meeting, int) else meeting.pk
    return ReportJob.objects.filter(meeting_id=meeting_id).order_by("-created_at", "-pk").first()


def report_job_request(*, meeting: Meeting, actor=None) -> tuple[ReportJob, bool]:
    """Ask for the report to be written: ``(job, created)``. Asking again while one is waiting or running
    gives that one (two clicks, or two people, make one report). Refused at once, with the reason, when no
    report may be written (a planned meeting, an adopted report). The caller queues a created job
    (``meetings.tasks.report_job_queue``): this module does not know the queue."""
    report_services.report_check_can_generate(meeting)
    live = report_job_live(meeting)
    if live is not None:
        return live, False
    try:
        with transaction.atomic():
            job = ReportJob.objects.create(
                meeting=meeting, requested_by=actor if getattr(actor, "pk", None) else None
            )
    except IntegrityError:  # someone asked at the same instant: theirs is the one
        live = report_job_live(meeting)
        if live is None:
            raise
        return live, False
    # The worker writes the report with nobody logged in: the request is where the person is on record.
    audit(
        action="report_requested",
        obj=meeting,
        actor=job.requested_by,
        summary=f"Report of {meeting} requested",
    )
    return job, True


def _progress(job_id: int):
    def say(percent: int, step: str) -> None:
        ReportJob.objects.filter(pk=job_id, status=Job.RUNNING).update(progress=percent, step=step[:120])

    return say


def report_job_run(*, job_id: int) -> ReportJob | None:
    """Write the report of one job (the worker's side). Idempotent: a job already done, failed, or held by
    another live worker is left alone. A refusal (the report was adopted meanwhile) fails the job with the
    reason; an unexpected error puts it back in the queue until ``MAX_ATTEMPTS``, then fails it."""
    if not job_claim(ReportJob, job_id, timezone.now(), progress=5, step="Reading the record"):
        return None
    job = ReportJob.objects.select_related("meeting", "requested_by").get(pk=job_id)
    try:
        report = report_services.report_generate(
            meeting=job.meeting, actor=job.requested_by, progress=_progress(job_id)
        )
    except ValidationError as exc:
        job_finish(ReportJob, job_id, status=Job.FAILED, error=" ".join(exc.messages), step="Refused")
    except Exception as exc:
        if job.attempts >= MAX_ATTEMPTS:
            job_finish(
                ReportJob, job_id, status=Job.FAILED, error=f"{type(exc).__name__}: {exc}", step="Failed"
            )
        else:  # back in the queue: the task's retry (or the sweep) runs it again
            ReportJob.objects.filter(pk=job_id).update(status=Job.QUEUED, step="Waiting to try again")
        raise
    else:
        job_finish(ReportJob, job_id, status=Job.DONE, progress=100, step="Done", report=report)
    job.refresh_from_db()
    return job


def report_jobs_stale(*, now: dt.datetime) -> list[int]:
    """Jobs to send again: their message was lost (still queued after a grace) or their worker died
    (running past its lease). Those that used up their attempts are failed instead."""
    stale = Q(status=Job.QUEUED, created_at__lt=now - QUEUED_GRACE) | Q(
        status=Job.RUNNING, started_at__lt=now - LEASE
    )
    ReportJob.objects.filter(stale, attempts__gte=MAX_ATTEMPTS).update(
        status=Job.FAILED, finished_at=now, step="Failed", error="No worker finished it."
    )
    return list(ReportJob.objects.filter(stale).values_list("pk", flat=True))
