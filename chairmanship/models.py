"""Chair terms of each body, the rotation rule and its recorded exceptions, and handovers between chairs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from governance.input_rules import single_line
from governance.models import Body, MemberState, Person, SourcedFact


class RotationRule(SourcedFact):
    """How a body with its own rotation computes its chairs: alphabetical order from an anchor."""

    body = models.OneToOneField(Body, on_delete=models.CASCADE, related_name="rotation_rule")
    anchor_year = models.PositiveSmallIntegerField()
    anchor_state = models.ForeignKey(MemberState, on_delete=models.PROTECT, related_name="+")
    # Terms may run mid-year to mid-year (SMEWG: June to June), so the rule says where a term starts.
    term_start_month = models.PositiveSmallIntegerField(default=1)
    term_start_day = models.PositiveSmallIntegerField(default=1)
    vice_chair_offset = models.PositiveSmallIntegerField(default=1, help_text="Vice-chair: next in line")
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(term_start_month__gte=1, term_start_month__lte=12), name="rotationrule_month"
            ),
            models.CheckConstraint(
                condition=Q(term_start_day__gte=1, term_start_day__lte=28), name="rotationrule_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.body} rotation from {self.anchor_state} {self.anchor_year}"


class RotationException(SourcedFact):
    """A recorded departure from the alphabetical order: a swap, a deferral, a skip, a new member's entry."""

    class Kind(models.TextChoices):
        SWAP = "swap", "Swap of years"
        DEFER = "defer", "Deferral"
        SKIP = "skip", "Skipped"
        ENTRY = "entry", "Enters the order"

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="rotation_exceptions")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    year = models.PositiveSmallIntegerField()
    member_state = models.ForeignKey(MemberState, on_delete=models.PROTECT, related_name="+")
    other_state = models.ForeignKey(
        MemberState, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    other_year = models.PositiveSmallIntegerField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True, validators=[single_line])
    history = HistoricalRecords()

    class Meta:
        ordering = ["body", "year", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["body", "kind", "year", "member_state"], name="rotationexception_unique"
            ),
            models.CheckConstraint(
                condition=~Q(kind="swap") | (Q(other_state__isnull=False) & Q(other_year__isnull=False)),
                name="rotationexception_swap_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.body}: {self.get_kind_display()} {self.member_state} {self.year}"


class ChairTerm(SourcedFact):
    class Role(models.TextChoices):
        CHAIR = "chair", "Chair"
        VICE_CHAIR = "vice_chair", "Vice-chair"
        CO_CHAIR = "co_chair", "Co-chair"

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="chair_terms")
    member_state = models.ForeignKey(MemberState, on_delete=models.PROTECT, related_name="chair_terms")
    role = models.CharField(max_length=12, choices=Role.choices, default=Role.CHAIR)
    start_date = models.DateField()
    end_date = models.DateField(help_text="Last day of the term (inclusive).")
    chair_person = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="chair_terms",
        help_text="The person who chairs, when the term names one; the state's head of delegation holds the rights too.",
    )
    is_provisional = models.BooleanField(default=False, help_text="Computed from the rule, not yet decided.")
    reason = models.CharField(max_length=300, blank=True, validators=[single_line])
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["body", "start_date", "role"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="chairterm_dates_order"
            ),
            models.UniqueConstraint(
                fields=["body", "role", "member_state", "start_date"], name="chairterm_unique_start"
            ),
        ]
        indexes = [models.Index(fields=["body", "role", "start_date", "end_date"])]

    def __str__(self) -> str:
        return f"{self.get_role_display()} of {self.body}: {self.member_state} ({self.start_date:%d %b %Y} – {self.end_date:%d %b %Y})"


class Handover(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="handovers")
    outgoing_term = models.ForeignKey(ChairTerm, on_delete=models.PROTECT, related_name="handovers_out")
    incoming_term = models.ForeignKey(ChairTerm, on_delete=models.PROTECT, related_name="handovers_in")
    effective_date = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PLANNED)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-effective_date"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(outgoing_term=models.F("incoming_term")), name="handover_two_terms"
            ),
            models.UniqueConstraint(
                fields=["incoming_term"],
                condition=~Q(status="cancelled"),
                name="handover_one_live_per_incoming",
            ),
            models.CheckConstraint(
                condition=~Q(status="completed") | Q(completed_at__isnull=False),
                name="handover_completed_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.body} handover {self.outgoing_term.member_state} → {self.incoming_term.member_state}"


class HandoverItem(models.Model):
    class Kind(models.TextChoices):
        ACTION_ITEM = "action_item", "Open action item"
        REPORT = "report", "Report not yet submitted"
        MEETING = "meeting", "Meeting scheduled under the incoming chair"
        DOCUMENT = "document", "Document to pass on"
        OTHER = "other", "Other"

    handover = models.ForeignKey(Handover, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    ref_id = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="Id of the object the item is about"
    )
    label = models.CharField(max_length=300, validators=[single_line])
    position = models.PositiveIntegerField(default=0)
    is_done = models.BooleanField(default=False)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    done_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["handover", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["handover", "kind", "ref_id"],
                condition=Q(ref_id__isnull=False),
                name="handoveritem_unique_ref",
            ),
            models.CheckConstraint(
                condition=Q(is_done=False) | Q(done_at__isnull=False), name="handoveritem_done_has_time"
            ),
        ]

    def __str__(self) -> str:
        return self.label


class HandoverNotice(models.Model):
    """What an outbox message about a handover describes: the handover, its recipient (a person, or the
    Secretariat's mailbox alone) and how many days before the handover it reminds."""

    message = models.OneToOneField(
        "outbox.Message", primary_key=True, on_delete=models.CASCADE, related_name="handover_notice"
    )
    handover = models.ForeignKey(Handover, on_delete=models.CASCADE, related_name="notices")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    days = models.PositiveSmallIntegerField(help_text="Days before the effective moment")

    def __str__(self) -> str:
        return f"{self.message_id}: handover {self.handover_id}, {self.days} days before"
