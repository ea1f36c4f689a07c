"""Meeting packs built in the background (docs/decisions/0039, 0059): a reader presses "Build now", or a
beat job (``meetings/schedule.py``) asks which packs of meetings coming up are missing for the record as it
stands (a new agenda version, a new version of a paper); either leaves a job row (``PackBuild``, which the
meeting page shows) and queues one task per pack; the task builds it. A pack built twice is stored once
(its fingerprint is unique), and a reader who downloads before the task has it built on request."""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from meetings.models import Meeting
from meetings.services import pack_builds
from meetings.services.pack import packs_missing
from outbox.tasks import TASK_OPTIONS

log = logging.getLogger(__name__)


@shared_task(
    name="meetings.pack_tasks.pack_build",
    autoretry_for=(Exception,),
    retry_backoff=5,
    retry_backoff_max=120,
    max_retries=pack_builds.MAX_ATTEMPTS,
    **TASK_OPTIONS,
)
def pack_build(meeting_id: int, level: int) -> str:
    """Build the pack of ``level``: the waiting job of that pack, or a new one (a message from before job
    rows, or a job failed meanwhile). A pack already built, or a job held by another worker, is left."""
    meeting = Meeting.objects.filter(pk=meeting_id).select_related("body").first()
    if meeting is None:
        return "gone"
    try:
        job, _ = pack_builds.pack_build_request(meeting=meeting, level=level)
    except ValidationError:
        return "no pack"
    if job is None:
        return "ready"
    done = pack_builds.pack_build_run(job_id=job.pk, base_url=settings.SITE_URL)
    return done.status if done is not None else "skipped"


def _send(meeting_id: int, level: int) -> None:
    try:
        pack_build.apply_async(args=[meeting_id, level], retry=False)
    except Exception as exc:  # noqa: BLE001 - no broker now: the next sweep asks again
        log.warning("could not queue the pack of meeting %s: %s", meeting_id, exc)


def pack_build_queue(meeting_id: int, level: int) -> None:
    """Queue the build once the job row is committed, so the worker finds it."""
    transaction.on_commit(lambda: _send(meeting_id, level))


def packs_queue_missing(*, now: dt.datetime) -> int:
    """Queue the build of each missing pack of the meetings coming up; returns how many. Each gets its job
    row (its readers see it queued); a job already waiting is sent again (its message may have been lost)."""
    missing = packs_missing(now=now)
    for meeting_id, level in missing:
        meeting = Meeting.objects.get(pk=meeting_id)
        try:
            pack_builds.pack_build_request(meeting=meeting, level=level)
        except ValidationError:  # the agenda went meanwhile
            continue
        _send(meeting_id, level)
    return len(missing)


@shared_task(name="meetings.pack_tasks.packs_sweep", **TASK_OPTIONS)
def packs_sweep() -> int:
    """Beat, every five minutes."""
    return packs_queue_missing(now=timezone.now())
