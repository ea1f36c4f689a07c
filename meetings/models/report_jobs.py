"""Writing the Report of the Meeting in the background: one job per request, its progress shown on the page."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from .meeting import Meeting
from .record import Report


class ReportJob(models.Model):
    """One request to (re)write a meeting's report. A worker claims it by a conditional update, so a task
    delivered twice writes once; a job left running by a dead worker is claimed again after its lease."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting for a worker"
        RUNNING = "running", "Being written"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    LIVE = (Status.QUEUED, Status.RUNNING)

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="report_jobs")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done")
    step = models.CharField(max_length=120, blank=True, help_text="What the worker is doing")
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    report = models.ForeignKey(Report, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

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

    @property
    def is_live(self) -> bool:
        return self.status in self.LIVE
