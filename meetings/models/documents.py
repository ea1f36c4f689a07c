"""Documents tabled for a meeting, with their classification."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from governance.input_rules import single_line
from governance.models import Body

from .meeting import Meeting


class Document(models.Model):
    class Kind(models.TextChoices):
        AGENDA = "agenda", "Agenda"
        WORKING_PAPER = "working_paper", "Working paper"
        REPORT = "report", "Report"
        PRESENTATION = "presentation", "Presentation"

    class Classification(models.IntegerChoices):
        # Ordered: a reader cleared for a level reads everything below it.
        PUBLIC = 0, "Public"
        RESTRICTED = 1, "ASEAN Restricted"
        CONFIDENTIAL = 2, "Confidential"

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="documents")
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    title = models.CharField(max_length=250, validators=[single_line])
    kind = models.CharField(max_length=16, choices=Kind.choices)
    classification = models.PositiveSmallIntegerField(
        choices=Classification.choices, default=Classification.RESTRICTED
    )
    version = models.PositiveSmallIntegerField(default=1)
    file = models.FileField(upload_to="documents/%Y/%m/", max_length=300)
    original_name = models.CharField(max_length=255, validators=[single_line])
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "kind", "title", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "title", "version"], name="document_unique_version"),
            models.CheckConstraint(condition=Q(size__gt=0), name="document_not_empty"),
            models.CheckConstraint(condition=Q(version__gte=1), name="document_version_from_one"),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"
