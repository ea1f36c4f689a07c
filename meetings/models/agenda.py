"""Agenda items of a meeting and the circulated versions of its agenda."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from governance.input_rules import date_in_range, single_line
from governance.models import Body, MemberState, Person, StrategicGoal

from .documents import Document
from .meeting import Meeting


class AgendaItem(models.Model):
    """The live (draft) agenda; circulating it freezes a numbered ``AgendaVersion``."""

    class Purpose(models.TextChoices):
        INFORMATION = "information", "For information"
        DISCUSSION = "discussion", "For discussion"
        DECISION = "decision", "For decision"
        ENDORSEMENT = "endorsement", "For endorsement"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=300, validators=[single_line])
    description = models.TextField(blank=True)
    purpose = models.CharField(max_length=12, choices=Purpose.choices, default=Purpose.DISCUSSION)
    presenter_state = models.ForeignKey(
        MemberState, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    presenter_person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    presenter_body = models.ForeignKey(
        Body, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    minutes_allotted = models.PositiveSmallIntegerField(null=True, blank=True)
    starts_at = models.DateTimeField(
        null=True, blank=True, help_text="Planned start, for timed agendas", validators=[date_in_range]
    )
    goal = models.ForeignKey(
        StrategicGoal, null=True, blank=True, on_delete=models.SET_NULL, related_name="agenda_items"
    )
    documents = models.ManyToManyField(Document, blank=True, related_name="agenda_items")
    minutes = models.TextField("minutes of the discussion", blank=True)
    is_standing = models.BooleanField(
        default=False, help_text='e.g. "Matters arising from SEOM and AEM meetings"'
    )
    # Which generated standing item this is, so generating again updates it instead of adding a second.
    standing_key = models.CharField(max_length=20, blank=True, editable=False)
    history = HistoricalRecords(m2m_fields=[documents])

    class Meta:
        ordering = ["meeting", "parent_id", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(parent=F("id")), name="agendaitem_not_own_parent"),
            models.UniqueConstraint(
                fields=["meeting", "standing_key"],
                condition=~Q(standing_key=""),
                name="agendaitem_one_standing",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class AgendaVersion(models.Model):
    class Status(models.TextChoices):
        CIRCULATED = "circulated", "Circulated"
        ADOPTED = "adopted", "Adopted"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_versions")
    number = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CIRCULATED)
    items = models.JSONField(help_text="Frozen agenda: numbered items as they stood")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    adopted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["meeting", "number"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="agendaversion_unique_number"),
            models.UniqueConstraint(
                fields=["meeting"], condition=Q(status="adopted"), name="agendaversion_one_adopted"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="agendaversion_number_from_one"),
            models.CheckConstraint(
                condition=~Q(status="adopted") | Q(adopted_at__isnull=False),
                name="agendaversion_adopted_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"Agenda v{self.number} of {self.meeting}"
