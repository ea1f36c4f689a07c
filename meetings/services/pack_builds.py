"""The meeting pack built in the background with its state shown to the readers of its level
(docs/decisions/0059): the same pattern as the report (``report_jobs``): a job row per request, claimed by
one worker with a conditional update, its outcome (ready with the page count, or failed with the reason)
kept for the page."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from meetings.models import Meeting, MeetingPack, PackBuild
from meetings.services.jobs import MAX_ATTEMPTS, job_claim, job_finish
from meetings.services.pack import pack_get, pack_plan

Build = PackBuild.Status


@dataclass(frozen=True)
class PackState:
    """What the page says about the pack of one level: ``state`` is one of "none" (no agenda circulated:
    no pack), "missing" (not built for the record as it stands), "queued", "building", "ready", "failed"."""

    state: str
    pages: int = 0
    error: str = ""
    build: PackBuild | None = None

    @property
    def live(self) -> bool:
        return self.state in ("queued", "building")

    @property
    def label(self) -> str:
        return STATE_LABELS[self.state]


STATE_LABELS = {
    "none": "No pack yet",
    "missing": "Not built yet",
    "queued": "Waiting for a worker",
    "building": "Being built",
    "ready": "Ready",
    "failed": "Failed",
}


def pack_build_live(meeting: Meeting | int, level: int) -> PackBuild | None:
    meeting_id = meeting if isinstance(meeting, int) else meeting.pk
    return PackBuild.objects.filter(meeting_id=meeting_id, level=level, status__in=PackBuild.LIVE).first()


def pack_state(*, meeting: Meeting, level: int) -> PackState:
    """The state of the pack of ``level`` for the record as it stands. Only that level's pack and jobs are
    read: a reader learns nothing about the packs of other levels."""
    try:
        fingerprint = pack_plan(meeting=meeting, level=level).fingerprint
    except ValidationError as exc:
        return PackState("none", error=" ".join(exc.messages))
    built = MeetingPack.objects.filter(fingerprint=fingerprint).only("pages").first()
    if built is not None:
        return PackState("ready", pages=built.pages)
    job = PackBuild.objects.filter(meeting=meeting, level=level).order_by("-created_at", "-pk").first()
    if job is None or job.status == Build.DONE:  # a done job built an earlier record: due again
        return PackState("missing", build=job)
    if job.status == Build.FAILED:
        return PackState("failed", error=job.error, build=job)
    return PackState("queued" if job.status == Build.QUEUED else "building", build=job)


def pack_build_request(*, meeting: Meeting, level: int, actor=None) -> tuple[PackBuild | None, bool]:
    """Ask for the pack of ``level`` to be built: ``(job, created)``. Asking while one waits or runs gives
    that one; ``(None, False)`` when the pack is built already. Raises ``ValidationError`` when there is no
    pack to build (no circulated agenda). The caller queues a created job (``meetings.pack_tasks``)."""
    fingerprint = pack_plan(meeting=meeting, level=level).fingerprint
    live = pack_build_live(meeting, level)
    if live is not None:
        return live, False
    if MeetingPack.objects.filter(fingerprint=fingerprint).exists():
        return None, False
    try:
        with transaction.atomic():
            job = PackBuild.objects.create(
                meeting=meeting, level=level, requested_by=actor if getattr(actor, "pk", None) else None
            )
    except IntegrityError:  # asked by someone else at the same instant: theirs is the one
        live = pack_build_live(meeting, level)
        if live is None:
            raise
        return live, False
    return job, True


def pack_build_run(*, job_id: int, base_url: str = "") -> PackBuild | None:
    """Build the pack of one job (the worker's side). Idempotent: a job done, failed or held by another
    live worker is left alone. A refusal (the agenda is gone) fails the job with the reason; an unexpected
    error puts it back in the queue (and raises, so the task retries) until ``MAX_ATTEMPTS``, then fails it."""
    if not job_claim(PackBuild, job_id, timezone.now()):
        return None
    job = PackBuild.objects.select_related("meeting", "meeting__body").get(pk=job_id)
    try:
        pack = pack_get(meeting=job.meeting, level=job.level, base_url=base_url)
    except ValidationError as exc:
        job_finish(PackBuild, job_id, status=Build.FAILED, error=" ".join(exc.messages))
    except Exception as exc:
        if job.attempts < MAX_ATTEMPTS:  # back in the queue: the task's retry runs it again
            PackBuild.objects.filter(pk=job_id).update(status=Build.QUEUED)
            raise
        job_finish(PackBuild, job_id, status=Build.FAILED, error=f"{type(exc).__name__}: {exc}")
    else:
        job_finish(PackBuild, job_id, status=Build.DONE, pack=pack)
    job.refresh_from_db()
    return job
