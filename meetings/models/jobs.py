"""What every background job row has (the report's, the pack's): who asked, how many tries, when it ran and
why it failed. A worker claims a row by a conditional update (``meetings.services.jobs``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

# The statuses of a job still to finish; each job model names its own labels for them.
LIVE = ("queued", "running")


class BackgroundJob(models.Model):
    LIVE = LIVE

    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_live(self) -> bool:
        return self.status in LIVE
