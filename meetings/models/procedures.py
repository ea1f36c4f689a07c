"""Decisions taken between meetings by written procedure (ad referendum): a proposal circulated to the
member states with a deadline; each state's head of delegation (or alternate) concurs, objects or abstains;
at the deadline the outcome follows the procedure's rule (docs/decisions/0035)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from governance.input_rules import date_in_range, single_line
from governance.models import Body, MemberState, Person

from .documents import Document


class WrittenProcedure(models.Model):
    class Rule(models.TextChoices):
        UNANIMITY = "unanimity", "Unanimity: every member state concurs or abstains"
        SILENCE = "silence", "Silence counts as concurrence"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ADOPTED = "adopted", "Adopted ad referendum"
        NOT_ADOPTED = "not_adopted", "Not adopted"
        WITHDRAWN = "withdrawn", "Withdrawn"

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="written_procedures")
    title = models.CharField(max_length=300, validators=[single_line])
    text = models.TextField(help_text="The proposal the member states answer")
    papers = models.ManyToManyField(Document, blank=True, related_name="written_procedures")
    rule = models.CharField(max_length=10, choices=Rule.choices)
    timezone = models.CharField(
        max_length=64, help_text="The body's zone: the deadline is said in it", validators=[single_line]
    )
    opened_at = models.DateTimeField()
    opened_on = models.DateField(help_text="The opening day in the body's zone: the members on it answer")
    deadline = models.DateTimeField(validators=[date_in_range])
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.TextField(blank=True, help_text="How the rule read the answers, in words")
    withdrawn_reason = models.TextField(blank=True, help_text="Why the procedure was withdrawn")
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-deadline", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(deadline__gt=F("opened_at")), name="wproc_deadline_after_opening"
            ),
            models.CheckConstraint(
                condition=Q(status="open", closed_at__isnull=True)
                | (~Q(status="open") & Q(closed_at__isnull=False)),
                name="wproc_closed_has_time",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["open", "withdrawn"]) | ~Q(outcome=""),
                name="wproc_decided_has_outcome",
            ),
            # Withdrawn with a reason and no outcome; a decided one was never withdrawn.
            models.CheckConstraint(
                condition=(Q(status="withdrawn") & ~Q(withdrawn_reason="") & Q(outcome=""))
                | (~Q(status="withdrawn") & Q(withdrawn_reason="")),
                name="wproc_withdrawn_has_reason_no_outcome",
            ),
        ]
        indexes = [models.Index(fields=["status", "deadline"]), models.Index(fields=["body", "closed_at"])]

    def __str__(self) -> str:
        return f"{self.body}: {self.title}"

    def get_absolute_url(self) -> str:
        return f"/procedures/{self.pk}/"


class ProcedureAnswer(models.Model):
    class Answer(models.TextChoices):
        CONCUR = "concur", "Concurs"
        OBJECT = "object", "Objects"
        ABSTAIN = "abstain", "Abstains"

    procedure = models.ForeignKey(WrittenProcedure, on_delete=models.CASCADE, related_name="answers")
    member_state = models.ForeignKey(MemberState, on_delete=models.PROTECT, related_name="+")
    answer = models.CharField(max_length=8, choices=Answer.choices)
    reason = models.TextField(blank=True)
    answered_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["procedure", "member_state__short_name"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "member_state"], name="wproc_one_answer_per_state"),
            models.CheckConstraint(
                condition=~Q(answer="object") | ~Q(reason=""), name="wproc_objection_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_state} {self.get_answer_display().lower()} ({self.procedure_id})"


class ProcedureNotice(models.Model):
    """What an outbox message about a written procedure describes: the procedure, the person, and which
    message it is (``opened``, a reminder ``days`` before the deadline, or the ``outcome``)."""

    class Stage(models.TextChoices):
        OPENED = "opened", "Opened"
        REMINDER = "reminder", "Reminder"
        OUTCOME = "outcome", "Outcome"
        WITHDRAWN = "withdrawn", "Withdrawn"

    message = models.OneToOneField(
        "outbox.Message", primary_key=True, on_delete=models.CASCADE, related_name="procedure_notice"
    )
    procedure = models.ForeignKey(WrittenProcedure, on_delete=models.CASCADE, related_name="notices")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    member_state = models.ForeignKey(MemberState, on_delete=models.PROTECT, related_name="+")
    stage = models.CharField(max_length=10, choices=Stage.choices)
    days = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Days before the deadline")

    def __str__(self) -> str:
        return f"{self.message_id}: procedure {self.procedure_id} {self.stage}"
