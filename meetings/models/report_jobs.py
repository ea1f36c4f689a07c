"""Writing the Report of the Meeting in the background: one job per request, its progress shown on the page."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from .jobs import BackgroundJob
from .meeting import Meeting
from .record import Report


class ReportJob(BackgroundJob):
    """One request to (re)write a meeting's report. A worker claims it by a conditional update, so a task
    delivered twice writes once; a job left running by a dead worker is claimed again after its lease."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting for a worker"
        RUNNING = "running", "Being written"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="report_jobs")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done")
    step = models.CharField(max_length=120, blank=True, help_text="What the worker is doing")
    report = models.ForeignKey(Report, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [
            # Pressing "Generate" twice, or two people at once, makes one job, not two reports.
            models.UniqueConstraint(
                fields=["meeting"], condition=Q(status__in=["queued", "running"]), name="reportjob_one_live"
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="reportjob_progress_percent"),
        ]

    def __str__(self) -> str:
        return f"Report of meeting {self.meeting_id}: {self.get_status_display()}"
