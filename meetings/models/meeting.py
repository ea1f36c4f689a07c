"""A numbered series of meetings and each meeting of it, with its object permissions."""

from __future__ import annotations

import functools
import uuid

from django.db import models
from django.db.models import F, Q
from guardian.models import UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from governance.input_rules import (
    DATE_RANGE_MESSAGE,
    SINGLE_LINE_MESSAGE,
    date_in_range,
    date_range_q,
    single_line,
    single_line_q,
)
from governance.models import Body, MemberState, SourcedFact, validate_timezone


class MeetingSeries(SourcedFact):
    """A numbered series of one body ("ACCMSME Meeting", "AEM Retreat"); AEM has two."""

    class Numbering(models.TextChoices):
        ORDINAL = "ordinal", "Ordinal (21st)"
        LABEL = "label", "Free-text label (SEOM 2/55)"

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="series")
    name = models.CharField(max_length=120, unique=True, validators=[single_line])
    numbering = models.CharField(max_length=8, choices=Numbering.choices, default=Numbering.ORDINAL)
    per_year = models.PositiveSmallIntegerField(default=2)
    title_template = models.CharField(
        max_length=200, help_text="Uses {ordinal} or {label}", validators=[single_line]
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["body", "name"]
        verbose_name_plural = "meeting series"

    def __str__(self) -> str:
        return self.name


@functools.lru_cache(maxsize=8192)
def meeting_path(pk: int) -> str:
    """A meeting's page path: reverse() once per meeting, not each time a dashboard, a feed or a fan-out of
    thousands of messages links it."""
    from django.urls import reverse

    return reverse("meetings:detail", args=[pk])


class Meeting(models.Model):
    class Modality(models.TextChoices):
        IN_PERSON = "in_person", "In person"
        VIRTUAL = "virtual", "Virtual"
        HYBRID = "hybrid", "Hybrid"

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        CONFIRMED = "confirmed", "Confirmed"
        POSTPONED = "postponed", "Postponed"
        CANCELLED = "cancelled", "Cancelled"
        HELD = "held", "Held"

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="meetings")
    series = models.ForeignKey(
        MeetingSeries, null=True, blank=True, on_delete=models.PROTECT, related_name="meetings"
    )
    number = models.PositiveIntegerField(
        null=True, blank=True, help_text="Ordinal in the series, as recorded"
    )
    label = models.CharField(
        max_length=40,
        blank=True,
        validators=[single_line],
        help_text='Label where the series uses one, e.g. "2/55"',
    )
    # One line each: a title goes into mail subjects and calendar files (docs/decisions/0042).
    title = models.CharField(max_length=250, validators=[single_line])
    start = models.DateTimeField(validators=[date_in_range])
    end = models.DateTimeField(validators=[date_in_range])
    timezone = models.CharField(
        max_length=64, validators=[single_line, validate_timezone], help_text="IANA zone of the venue"
    )
    host = models.ForeignKey(
        MemberState, null=True, blank=True, on_delete=models.PROTECT, related_name="hosted_meetings"
    )
    venue = models.CharField(max_length=250, blank=True, validators=[single_line])
    city = models.CharField(max_length=120, blank=True, validators=[single_line])
    modality = models.CharField(max_length=10, choices=Modality.choices, default=Modality.IN_PERSON)
    join_url = models.URLField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)
    is_public = models.BooleanField(default=False, help_text="Listed on the body's public calendar feed")
    uid = models.CharField(max_length=120, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0, editable=False, help_text="iCalendar SEQUENCE")
    notices_planned_for = models.PositiveIntegerField(
        null=True,
        blank=True,
        editable=False,
        help_text="The version (SEQUENCE) whose reminders, chasers and agenda notices are planned",
    )
    date_precision = models.CharField(
        max_length=5,
        default="day",
        choices=[("day", "Day"), ("month", "Month")],
        help_text="Month: only the month is known (historical records)",
    )
    source = models.CharField(max_length=500, blank=True, validators=[single_line])
    previous = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The meeting whose open action items are matters arising here",
    )
    prepares_for = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="preparatory_meetings",
        help_text="The meeting this one is held back to back before (a task force's preparatory meeting)",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The notification bookkeeping is not part of the meeting's record.
    history = HistoricalRecords(excluded_fields=["updated_at", "notices_planned_for"])

    class Meta:
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="meeting_end_after_start"),
            models.UniqueConstraint(
                fields=["series", "number"], condition=Q(number__isnull=False), name="meeting_unique_number"
            ),
            models.UniqueConstraint(
                fields=["series", "label"], condition=~Q(label=""), name="meeting_unique_label"
            ),
            models.CheckConstraint(
                condition=~Q(modality="hybrid") | ~Q(join_url=""), name="meeting_hybrid_has_link"
            ),
            models.CheckConstraint(
                condition=date_range_q("start", with_time=True) & date_range_q("end", with_time=True),
                name="meeting_dates_in_range",
                violation_error_message=DATE_RANGE_MESSAGE,
            ),
            models.CheckConstraint(
                condition=single_line_q("title")
                & single_line_q("label")
                & single_line_q("venue")
                & single_line_q("city"),
                name="meeting_text_single_line",
                violation_error_message=SINGLE_LINE_MESSAGE,
            ),
        ]
        indexes = [
            models.Index(fields=["body", "start"]),
            models.Index(fields=["status", "start"]),
            # "Ends after now" and "overlaps this month": the dashboard's and the feed's range scans.
            models.Index(fields=["end"], name="meeting_end_idx"),
            # The list API's keyset pages (start, id): the first page read off the index, not sorted.
            models.Index(fields=["start", "id"], name="meeting_start_id_idx"),
            # The public pages' scans: a body's public meetings by date (docs/decisions/0049).
            models.Index(fields=["body", "start"], condition=Q(is_public=True), name="meeting_public_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        if not self.uid:
            self.uid = f"{uuid.uuid4()}@accmsme.asean.org"
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return meeting_path(self.pk)


class MeetingUserObjectPermission(UserObjectPermissionBase):
    """A right on one meeting (e.g. a partner invited to a single consultation)."""

    content_object = models.ForeignKey(Meeting, on_delete=models.CASCADE)
