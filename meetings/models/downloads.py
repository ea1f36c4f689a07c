"""Who received a copy of a Restricted or Confidential paper: one row per download, under the short id
stamped on every page of that copy (docs/decisions/0037)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from .documents import Document


class DocumentDownload(models.Model):
    download_id = models.CharField(max_length=12, unique=True, help_text="Stamped on every page of the copy")
    # Kept when the paper or the account is deleted: the trail must outlive both.
    document = models.ForeignKey(Document, null=True, on_delete=models.SET_NULL, related_name="downloads")
    document_title = models.CharField(max_length=250)
    document_version = models.PositiveSmallIntegerField()
    classification = models.PositiveSmallIntegerField(choices=Document.Classification.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recipient = models.CharField(max_length=200)
    delegation = models.CharField(max_length=200)
    at = models.DateTimeField()
    stamped = models.BooleanField(help_text="False: the file could not carry a stamp and went as uploaded")
    note = models.CharField(max_length=300, blank=True)
    sha256 = models.CharField(max_length=64, help_text="Of the bytes this recipient received")

    class Meta:
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(download_id__regex=r"^[0-9A-Z]{8}$"), name="download_id_format"
            ),
            models.CheckConstraint(condition=Q(classification__gte=1), name="download_logged_above_public"),
        ]
        indexes = [models.Index(fields=["document", "at"]), models.Index(fields=["sha256"])]

    def __str__(self) -> str:
        return f"{self.download_id}: {self.document_title} to {self.recipient}"


class MeetingPack(models.Model):
    """A built meeting pack: the agenda and the papers one classification level may read, as one PDF,
    stored under a fingerprint of what went into it (meetings/services/pack.py)."""

    meeting = models.ForeignKey("meetings.Meeting", on_delete=models.CASCADE, related_name="packs")
    agenda_version = models.ForeignKey("meetings.AgendaVersion", on_delete=models.CASCADE, related_name="+")
    level = models.PositiveSmallIntegerField(choices=Document.Classification.choices)
    fingerprint = models.CharField(max_length=64, unique=True)
    file = models.FileField(upload_to="packs/%Y/%m/", max_length=300)
    pages = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    built_at = models.DateTimeField()

    class Meta:
        ordering = ["-built_at"]
        constraints = [models.CheckConstraint(condition=Q(pages__gte=1), name="meetingpack_has_pages")]

    def __str__(self) -> str:
        return f"Pack of meeting {self.meeting_id}, agenda v{self.agenda_version_id}, level {self.level}"
