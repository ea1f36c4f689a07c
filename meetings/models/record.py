"""The record of a meeting: decisions, action items, the report and its submission up the line."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from governance.input_rules import date_in_range, single_line
from governance.models import Body, MemberState, Person, StrategicGoal

from .agenda import AgendaItem
from .documents import Document
from .meeting import Meeting, meeting_path


class Decision(models.Model):
    class Kind(models.TextChoices):
        AGREED = "agreed", "Agreed"
        NOTED = "noted", "Noted"
        ENDORSED = "endorsed", "Endorsed"
        TASKED = "tasked", "Tasked"
        DEFERRED = "deferred", "Deferred"
        REFERRED = "referred", "Referred to the higher body"

    # Taken at a meeting, under an agenda item; or between meetings by written procedure (no meeting).
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.CASCADE, related_name="decisions"
    )
    agenda_item = models.ForeignKey(
        AgendaItem, null=True, blank=True, on_delete=models.PROTECT, related_name="decisions"
    )
    procedure = models.OneToOneField(
        "meetings.WrittenProcedure",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="decision",
        help_text="The written procedure whose outcome this is (one decision per procedure)",
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    text = models.TextField()
    # "ASEAN Minus X": blank means all states present took part.
    participating_states = models.ManyToManyField(MemberState, blank=True, related_name="+")
    position = models.PositiveIntegerField(default=0)
    # Marked by the Secretariat; shown on the public pages only once the meeting is public and its report
    # adopted (docs/decisions/0049).
    is_public = models.BooleanField(default=False, help_text="Published on the meeting's public page")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(meeting__isnull=False, agenda_item__isnull=False, procedure__isnull=True)
                | Q(meeting__isnull=True, agenda_item__isnull=True, procedure__isnull=False),
                name="decision_at_meeting_or_by_procedure",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text[:60]}"


class ActionItem(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        DROPPED = "dropped", "Dropped"

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="action_items")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="action_items")
    decision = models.ForeignKey(
        Decision, null=True, blank=True, on_delete=models.SET_NULL, related_name="action_items"
    )
    agenda_item = models.ForeignKey(
        AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="action_items"
    )
    title = models.CharField(max_length=300, validators=[single_line])
    owner_state = models.ForeignKey(
        MemberState, null=True, blank=True, on_delete=models.PROTECT, related_name="action_items"
    )
    owner_person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="action_items"
    )
    owner_body = models.ForeignKey(
        Body, null=True, blank=True, on_delete=models.PROTECT, related_name="owned_action_items"
    )
    due_date = models.DateField(null=True, blank=True, validators=[date_in_range])
    goal = models.ForeignKey(
        StrategicGoal,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="action_items",
        help_text="The strategic goal (SAP SMED 2016–2025 or its successor) the work serves",
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_at_meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    progress_note = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(owner_state__isnull=False)
                | Q(owner_person__isnull=False)
                | Q(owner_body__isnull=False),
                name="actionitem_has_owner",
            ),
        ]
        indexes = [
            models.Index(fields=["body", "status"]),
            # The dashboard's "your action items": the open few of a state that owns thousands over the years.
            models.Index(
                fields=["owner_state"],
                condition=Q(status__in=["open", "in_progress"]),
                name="actionitem_open_by_state",
            ),
            models.Index(
                fields=["owner_person"],
                condition=Q(status__in=["open", "in_progress"]),
                name="actionitem_open_by_person",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_meeting_url(self) -> str:
        """The page of the meeting that agreed it, without loading that meeting."""
        return meeting_path(self.meeting_id)

    def is_overdue_on(self, day: dt.date) -> bool:
        """Still open (or in progress) after its due date."""
        return (
            self.due_date is not None
            and self.due_date < day
            and self.status in (self.Status.OPEN, self.Status.IN_PROGRESS)
        )

    @property
    def is_overdue(self) -> bool:
        """Overdue today at the ASEAN Secretariat (a list's ``overdue`` annotation when it has one)."""
        annotated = self.__dict__.get("overdue")
        if annotated is not None:
            return bool(annotated)
        from governance.permissions import today_in_asean  # the day in Jakarta, as every rule reads it

        return self.is_overdue_on(today_in_asean())


class Report(models.Model):
    """The Report of the Meeting, generated from the adopted agenda, decisions and action items."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ADOPTED = "adopted", "Adopted"

    class AdoptionMode(models.TextChoices):
        AT_MEETING = "at_meeting", "At the meeting"
        AD_REFERENDUM = "ad_referendum", "Ad referendum"

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="report")
    title = models.CharField(max_length=300, validators=[single_line])
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    html = models.TextField(blank=True)
    adoption_mode = models.CharField(max_length=14, choices=AdoptionMode.choices, blank=True)
    adopted_on = models.DateField(null=True, blank=True, validators=[date_in_range])
    generated_at = models.DateTimeField(null=True, blank=True)
    pdf = models.ForeignKey(
        Document, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", help_text="The PDF"
    )
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="adopted") | Q(adopted_on__isnull=False), name="report_adopted_has_date"
            ),
            models.CheckConstraint(
                condition=~Q(status="adopted") | ~Q(adoption_mode=""), name="report_adopted_has_mode"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Submission(models.Model):
    """A report sent one level up the reporting line, and what came back."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        NOTED = "noted", "Noted"
        ENDORSED = "endorsed", "Endorsed"
        RETURNED = "returned", "Returned with comments"

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="submissions")
    from_body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="submissions_sent")
    to_body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="submissions_received")
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="forwards",
        help_text="The submission this one carries further up",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    submitted_on = models.DateField(validators=[date_in_range])
    considered_at = models.ForeignKey(
        Meeting,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The higher body's meeting that considered it",
    )
    outcome_on = models.DateField(null=True, blank=True, validators=[date_in_range])
    outcome = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-submitted_on"]
        constraints = [
            models.UniqueConstraint(fields=["report", "to_body"], name="submission_once_per_body"),
            models.CheckConstraint(condition=~Q(from_body=F("to_body")), name="submission_goes_elsewhere"),
            models.CheckConstraint(
                condition=Q(outcome_on__isnull=True) | Q(outcome_on__gte=F("submitted_on")),
                name="submission_outcome_after_submit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report} → {self.to_body}"
