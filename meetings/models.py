"""Meetings of a body: the series, the agenda and its versions, documents, participation, the record,
the report and its submission up the reporting line, and what each message sent about them describes."""

from __future__ import annotations

import functools
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from guardian.models import UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from governance.models import Body, MemberState, Person, SourcedFact, StrategicGoal, validate_timezone


class MeetingSeries(SourcedFact):
    """A numbered series of one body ("ACCMSME Meeting", "AEM Retreat"); AEM has two."""

    class Numbering(models.TextChoices):
        ORDINAL = "ordinal", "Ordinal (21st)"
        LABEL = "label", "Free-text label (SEOM 2/55)"

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="series")
    name = models.CharField(max_length=120, unique=True)
    numbering = models.CharField(max_length=8, choices=Numbering.choices, default=Numbering.ORDINAL)
    per_year = models.PositiveSmallIntegerField(default=2)
    title_template = models.CharField(max_length=200, help_text="Uses {ordinal} or {label}")
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
        max_length=40, blank=True, help_text='Label where the series uses one, e.g. "2/55"'
    )
    title = models.CharField(max_length=250)
    start = models.DateTimeField()
    end = models.DateTimeField()
    timezone = models.CharField(
        max_length=64, validators=[validate_timezone], help_text="IANA zone of the venue"
    )
    host = models.ForeignKey(
        MemberState, null=True, blank=True, on_delete=models.PROTECT, related_name="hosted_meetings"
    )
    venue = models.CharField(max_length=250, blank=True)
    city = models.CharField(max_length=120, blank=True)
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
    source = models.CharField(max_length=500, blank=True)
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
        ]
        indexes = [
            models.Index(fields=["body", "start"]),
            models.Index(fields=["status", "start"]),
            # "Ends after now" and "overlaps this month": the dashboard's and the feed's range scans.
            models.Index(fields=["end"], name="meeting_end_idx"),
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
    title = models.CharField(max_length=250)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    classification = models.PositiveSmallIntegerField(
        choices=Classification.choices, default=Classification.RESTRICTED
    )
    version = models.PositiveSmallIntegerField(default=1)
    file = models.FileField(upload_to="documents/%Y/%m/", max_length=300)
    original_name = models.CharField(max_length=255)
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
    title = models.CharField(max_length=300)
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
    starts_at = models.DateTimeField(null=True, blank=True, help_text="Planned start, for timed agendas")
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


class Invitation(models.Model):
    class PartStat(models.TextChoices):
        NEEDS_ACTION = "NEEDS-ACTION", "Needs action"
        ACCEPTED = "ACCEPTED", "Accepted"
        TENTATIVE = "TENTATIVE", "Tentative"
        DECLINED = "DECLINED", "Declined"

    class Role(models.TextChoices):
        CHAIR = "CHAIR", "Chair"
        REQUIRED = "REQ-PARTICIPANT", "Participant"
        OPTIONAL = "OPT-PARTICIPANT", "Optional"
        NON_PARTICIPANT = "NON-PARTICIPANT", "For information"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="invitations")
    member_state = models.ForeignKey(
        MemberState,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The delegation the person attends for",
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.REQUIRED)
    partstat = models.CharField(max_length=12, choices=PartStat.choices, default=PartStat.NEEDS_ACTION)
    responded_at = models.DateTimeField(null=True, blank=True)
    is_withdrawn = models.BooleanField(default=False, help_text="Taken off the list: receives a CANCEL")
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Signed RSVP links carry this number; raising it revokes every link sent before.
    link_version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "member_state__short_name", "person__full_name"]
        constraints = [models.UniqueConstraint(fields=["meeting", "person"], name="invitation_unique_person")]

    def __str__(self) -> str:
        return f"{self.person} to {self.meeting}"


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="attendance")
    member_state = models.ForeignKey(
        MemberState, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    present = models.BooleanField(default=True)
    remote = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "person"], name="attendance_unique_person")]

    def __str__(self) -> str:
        return f"{self.person} at {self.meeting}"


class Decision(models.Model):
    class Kind(models.TextChoices):
        AGREED = "agreed", "Agreed"
        NOTED = "noted", "Noted"
        ENDORSED = "endorsed", "Endorsed"
        TASKED = "tasked", "Tasked"
        DEFERRED = "deferred", "Deferred"
        REFERRED = "referred", "Referred to the higher body"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    agenda_item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="decisions")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    text = models.TextField()
    # "ASEAN Minus X": blank means all states present took part.
    participating_states = models.ManyToManyField(MemberState, blank=True, related_name="+")
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "position", "id"]

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
    title = models.CharField(max_length=300)
    owner_state = models.ForeignKey(
        MemberState, null=True, blank=True, on_delete=models.PROTECT, related_name="action_items"
    )
    owner_person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="action_items"
    )
    owner_body = models.ForeignKey(
        Body, null=True, blank=True, on_delete=models.PROTECT, related_name="owned_action_items"
    )
    due_date = models.DateField(null=True, blank=True)
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


class Report(models.Model):
    """The Report of the Meeting, generated from the adopted agenda, decisions and action items."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ADOPTED = "adopted", "Adopted"

    class AdoptionMode(models.TextChoices):
        AT_MEETING = "at_meeting", "At the meeting"
        AD_REFERENDUM = "ad_referendum", "Ad referendum"

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="report")
    title = models.CharField(max_length=300)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    html = models.TextField(blank=True)
    adoption_mode = models.CharField(max_length=14, choices=AdoptionMode.choices, blank=True)
    adopted_on = models.DateField(null=True, blank=True)
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
    submitted_on = models.DateField()
    considered_at = models.ForeignKey(
        Meeting,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The higher body's meeting that considered it",
    )
    outcome_on = models.DateField(null=True, blank=True)
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


class MeetingNotice(models.Model):
    """What an outbox message about a meeting describes: the meeting, the invitee, the meeting version
    (SEQUENCE); for a circulated agenda its version, for a CANCEL to someone taken off the list their
    invitation, for a timed notice (reminder, chaser, agenda lead time) its days before the meeting."""

    message = models.OneToOneField(
        "outbox.Message", primary_key=True, on_delete=models.CASCADE, related_name="meeting_notice"
    )
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="notices")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    sequence = models.PositiveIntegerField(help_text="Meeting version described")
    agenda_version = models.ForeignKey(
        AgendaVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_invitation = models.ForeignKey(
        Invitation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    days = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Days before the meeting")

    class Meta:
        indexes = [models.Index(fields=["meeting", "sequence"], name="meetingnotice_version")]

    def __str__(self) -> str:
        return f"{self.message_id} about {self.meeting_id} v{self.sequence}"


class ActionItemNotice(models.Model):
    """What an outbox message about an action item describes: the item, its owner, the due date it had."""

    message = models.OneToOneField(
        "outbox.Message", primary_key=True, on_delete=models.CASCADE, related_name="action_item_notice"
    )
    action_item = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="notices")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    due_date = models.DateField(help_text="The item's due date when the reminder was planned")
    days = models.PositiveSmallIntegerField(help_text="Days before the due date")

    def __str__(self) -> str:
        return f"{self.message_id} about action item {self.action_item_id}"
