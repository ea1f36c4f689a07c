"""Meeting packs built in the background: a beat job (``meetings/schedule.py``) asks which packs of meetings
coming up are missing for the record as it stands (a new agenda version, a new version of a paper) and
queues one task per missing pack; the task builds it. A pack built twice is stored once (its fingerprint
is unique), and a reader who comes first has it built on request."""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from meetings.models import Meeting
from meetings.services.pack import pack_get, packs_missing
from outbox.tasks import TASK_OPTIONS, parse_now

log = logging.getLogger(__name__)


@shared_task(
    name="meetings.pack_tasks.pack_build",
    autoretry_for=(Exception,),
    retry_backoff=5,
    retry_backoff_max=120,
    max_retries=5,
    **TASK_OPTIONS,
)
def pack_build(meeting_id: int, level: int) -> str:
    meeting = Meeting.objects.filter(pk=meeting_id).select_related("body").first()
    if meeting is None:
        return "gone"
    return pack_get(meeting=meeting, level=level, base_url=settings.SITE_URL).fingerprint


def packs_queue_missing(*, now: dt.datetime) -> int:
    """Queue the build of each missing pack of the meetings coming up; returns how many."""
    missing = packs_missing(now=now)
    for meeting_id, level in missing:
        try:
            pack_build.apply_async(args=[meeting_id, level], retry=False)
        except Exception as exc:  # noqa: BLE001 - no broker now: the next sweep asks again
            log.warning("could not queue the pack of meeting %s: %s", meeting_id, exc)
    return len(missing)


@shared_task(name="meetings.pack_tasks.packs_sweep", **TASK_OPTIONS)
def packs_sweep(now: str | None = None) -> int:
    """Beat, every five minutes (a test passes ``now``)."""
    return packs_queue_missing(now=parse_now(now) or timezone.now())
