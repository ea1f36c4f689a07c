"""Building a meeting pack in the background: one job per meeting and classification level, its state shown
to the readers of that level (queued, building, failed with the reason); the pack itself is ``MeetingPack``."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from .documents import Document
from .downloads import MeetingPack
from .jobs import BackgroundJob
from .meeting import Meeting


class PackBuild(BackgroundJob):
    """One request to build the pack of ``level``. A worker claims it by a conditional update, so a task
    delivered twice builds once; a job left building by a dead worker is claimed again after its lease."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting for a worker"
        RUNNING = "running", "Being built"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="pack_builds")
    level = models.PositiveSmallIntegerField(choices=Document.Classification.choices)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    pack = models.ForeignKey(MeetingPack, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [
            # "Build now" pressed twice, or by two readers, or with the beat sweep: one job, one build.
            models.UniqueConstraint(
                fields=["meeting", "level"],
                condition=Q(status__in=["queued", "running"]),
                name="packbuild_one_live",
            ),
        ]

    def __str__(self) -> str:
        return f"Pack of meeting {self.meeting_id}, level {self.level}: {self.get_status_display()}"
