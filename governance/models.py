"""The governance domain: member states, bodies, how they report to each other, and who sits on them."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from governance.input_rules import date_in_range, single_line


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"“{value}” is not an IANA time zone (for example Asia/Jakarta).")


class Certainty(models.TextChoices):
    SOURCED = "sourced", "Sourced"
    INFERRED = "inferred", "Inferred"
    TO_CONFIRM = "to_confirm", "To confirm"


class SourcedFact(models.Model):
    """A fact that may come from the seed data: where it came from and how sure it is."""

    source = models.CharField(max_length=500, blank=True, validators=[single_line])
    certainty = models.CharField(max_length=12, choices=Certainty.choices, default=Certainty.SOURCED)

    class Meta:
        abstract = True


class MemberStateQuerySet(models.QuerySet):
    def members_on(self, day: dt.date) -> MemberStateQuerySet:
        """The states that are members of ASEAN on ``day`` (membership is dated)."""
        return self.filter(admitted_on__lte=day).filter(Q(left_on__isnull=True) | Q(left_on__gt=day))


class MemberState(SourcedFact):
    short_name = models.CharField(
        max_length=60, unique=True, help_text="ASEAN's name, e.g. Lao PDR.", validators=[single_line]
    )
    official_name = models.CharField(max_length=200, validators=[single_line])
    iso2 = models.CharField("ISO 3166 alpha-2", max_length=2, unique=True, validators=[single_line])
    iso3 = models.CharField("ISO 3166 alpha-3", max_length=3, unique=True, validators=[single_line])
    capital = models.CharField(max_length=100, validators=[single_line])
    timezone = models.CharField(
        "capital time zone", max_length=64, validators=[single_line, validate_timezone], help_text="IANA name"
    )
    zone_label = models.CharField(
        max_length=60,
        blank=True,
        help_text="How people name the zone, e.g. “Manila time”. Editable.",
        validators=[single_line],
    )
    admitted_on = models.DateField(validators=[date_in_range])
    left_on = models.DateField(null=True, blank=True, validators=[date_in_range])

    objects = MemberStateQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["short_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gt=models.F("admitted_on")),
                name="memberstate_left_after_admitted",
            ),
            models.CheckConstraint(condition=Q(iso2__regex=r"^[A-Z]{2}$"), name="memberstate_iso2_format"),
            models.CheckConstraint(condition=Q(iso3__regex=r"^[A-Z]{3}$"), name="memberstate_iso3_format"),
        ]

    def __str__(self) -> str:
        return self.short_name

    def clean(self) -> None:
        # Moving the admission later must not leave seats that start before it (the trigger says so too).
        if self.pk and self.admitted_on:
            early = self.memberships.filter(start_date__lt=self.admitted_on).order_by("start_date").first()
            if early is not None:
                raise ValidationError(
                    {
                        "admitted_on": f"{early.person} holds a seat on {early.body} for {self} from "
                        f"{early.start_date:%d %b %Y}, before this date."
                    }
                )

    def is_member_on(self, day: dt.date) -> bool:
        return self.admitted_on <= day and (self.left_on is None or self.left_on > day)

    @property
    def zone_name(self) -> str:
        return self.zone_label or f"{self.capital} time"


class Organisation(SourcedFact):
    """Who a person represents when it is not a member state: the ASEAN Secretariat, a partner, an observer."""

    class Kind(models.TextChoices):
        SECRETARIAT = "secretariat", "ASEAN Secretariat"
        DIALOGUE_PARTNER = "dialogue_partner", "Dialogue partner"
        OBSERVER = "observer", "Observer"
        PRIVATE_SECTOR = "private_sector", "Private sector"

    name = models.CharField(max_length=200, unique=True, validators=[single_line])
    acronym = models.CharField(max_length=30, blank=True, validators=[single_line])
    kind = models.CharField(max_length=20, choices=Kind.choices)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.acronym or self.name


class StrategicPlan(SourcedFact):
    name = models.CharField(max_length=200, validators=[single_line])
    short_name = models.CharField(max_length=60, validators=[single_line])
    version = models.PositiveSmallIntegerField(default=1)
    period_start = models.PositiveSmallIntegerField()
    period_end = models.PositiveSmallIntegerField()
    vision = models.TextField(blank=True)
    adopted_on = models.DateField(null=True, blank=True, validators=[date_in_range])
    history = HistoricalRecords()

    class Meta:
        ordering = ["period_start", "short_name"]
        constraints = [
            models.UniqueConstraint(fields=["short_name", "version"], name="strategicplan_unique_version"),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="strategicplan_period_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.short_name} ({self.period_start}–{self.period_end})"


class StrategicGoal(SourcedFact):
    plan = models.ForeignKey(StrategicPlan, on_delete=models.CASCADE, related_name="goals")
    code = models.CharField(max_length=10, validators=[single_line])
    title = models.CharField(max_length=300, validators=[single_line])
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "code"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="strategicgoal_unique_code")]

    def __str__(self) -> str:
        return f"{self.plan.short_name} Goal {self.code}: {self.title}"


def default_reminder_days() -> list[int]:
    return [30, 7, 1]


def default_chaser_days() -> list[int]:
    return [14, 5]


class ParentAccess(models.TextChoices):
    NONE = "none", "Nobody above"
    CHAIR = "chair", "The chair of the body it reports to"
    MEMBERS = "members", "The chair and members of the body it reports to"


class Body(SourcedFact):
    class Kind(models.TextChoices):
        SUMMIT = "summit", "Summit"
        MINISTERIAL = "ministerial", "Ministerial"
        SENIOR_OFFICIALS = "senior_officials", "Senior officials"
        SECTORAL_COMMITTEE = "sectoral_committee", "Sectoral committee"
        TASK_FORCE = "task_force", "Task force"
        ADVISORY = "advisory", "Advisory body"

    class ChairPolicy(models.TextChoices):
        FOLLOWS_ASEAN_CHAIR = "follows_asean_chair", "Follows the ASEAN Chair"
        OWN_ROTATION = "own_rotation", "Own annual rotation"
        DESIGNATED = "designated", "Co-chairs designated"

    name = models.CharField(max_length=200, unique=True, validators=[single_line])
    acronym = models.CharField(max_length=30, unique=True, validators=[single_line])
    kind = models.CharField(max_length=20, choices=Kind.choices)
    mandate = models.TextField(blank=True)
    meetings_per_year = models.PositiveSmallIntegerField(default=1)
    chair_policy = models.CharField(max_length=24, choices=ChairPolicy.choices)
    is_active = models.BooleanField(default=True)
    established_on = models.DateField(null=True, blank=True, validators=[date_in_range])
    goals = models.ManyToManyField(StrategicGoal, blank=True, related_name="bodies")
    # Per-body conventions still to confirm, so they are data (docs/decisions/0012).
    agenda_lead_days = models.PositiveSmallIntegerField(default=14)
    papers_lead_days = models.PositiveSmallIntegerField(default=7)
    quorum = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Member states; blank: all")
    handover_timezone = models.CharField(
        max_length=64, default="Asia/Jakarta", validators=[single_line, validate_timezone]
    )
    reminder_days = models.JSONField(
        default=default_reminder_days, help_text="Days before a meeting to remind"
    )
    chaser_days = models.JSONField(
        default=default_chaser_days, help_text="Days before a meeting to chase non-replies"
    )
    # Who of the body it reports to sees its meetings and papers up to ASEAN Restricted (a task force's
    # meetings seen by ACCMSME's chair and members, docs/decisions/0051); derived like every other right.
    parent_access = models.CharField(
        max_length=8,
        choices=ParentAccess.choices,
        default=ParentAccess.NONE,
        help_text="Who of the body it reports to sees its meetings",
    )
    action_chase_days = models.PositiveSmallIntegerField(
        default=14,
        help_text="An overdue action item of the body is chased to its owners every this many days",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["acronym"]
        verbose_name_plural = "bodies"
        permissions = [
            ("observe_body", "See the body's public meetings and documents"),
            ("manage_body", "Manage the body's meetings, agendas, documents and handover"),
            ("read_restricted", "Read ASEAN Restricted documents of the body"),
            ("read_confidential", "Read Confidential documents of the body"),
            ("read_submissions", "Read reports submitted to the body"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(meetings_per_year__lte=52), name="body_meetings_per_year_sane"
            ),
            models.CheckConstraint(
                condition=Q(action_chase_days__gte=1), name="body_action_chase_days_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.acronym

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("governance:body", args=[self.acronym])


class ReportingLine(SourcedFact):
    class Kind(models.TextChoices):
        REPORTS_TO = "reports_to", "Reports to"
        ADVISES = "advises", "Advises"
        COORDINATES_WITH = "coordinates_with", "Coordinates with"

    from_body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="lines_up")
    to_body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="lines_down")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.REPORTS_TO)
    valid_from = models.DateField(null=True, blank=True, validators=[date_in_range])
    valid_until = models.DateField(null=True, blank=True, validators=[date_in_range])
    history = HistoricalRecords()

    class Meta:
        ordering = ["from_body__acronym", "to_body__acronym"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_body=models.F("to_body")), name="reportingline_not_self"
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_until__gte=models.F("valid_from")),
                name="reportingline_valid_order",
            ),
            models.UniqueConstraint(
                fields=["from_body", "to_body", "kind", "valid_from"], name="reportingline_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_body} {self.get_kind_display().lower()} {self.to_body}"

    def save(self, *args, **kwargs) -> None:
        # The model layer refuses a cycle too, so no path (admin, API, shell) can store one.
        self.clean()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.from_body_id and self.to_body_id:
            reporting_line_check_cycle(line=self)


# Lines that carry outcomes upward; a cycle among them would make a body report to itself.
HIERARCHICAL_KINDS = (ReportingLine.Kind.REPORTS_TO, ReportingLine.Kind.ADVISES)
FAR_FUTURE = dt.date(9999, 12, 31)
FAR_PAST = dt.date(1, 1, 1)


def _overlaps(a_from, a_until, b_from, b_until) -> bool:
    return (a_from or FAR_PAST) <= (b_until or FAR_FUTURE) and (b_from or FAR_PAST) <= (a_until or FAR_FUTURE)


def reporting_line_check_cycle(*, line: ReportingLine) -> None:
    """Refuse a line that closes a loop with lines valid at the same time (raises ``ValidationError``).
    Here, beside the model, because ``ReportingLine.clean`` runs it on every save."""
    if line.kind not in HIERARCHICAL_KINDS:
        return
    if line.from_body_id == line.to_body_id:
        raise ValidationError({"to_body": "A body cannot report to itself."})
    others = ReportingLine.objects.filter(kind__in=HIERARCHICAL_KINDS).exclude(pk=line.pk)
    edges: dict[int, set[int]] = {}
    for other in others.only("from_body_id", "to_body_id", "valid_from", "valid_until"):
        if _overlaps(line.valid_from, line.valid_until, other.valid_from, other.valid_until):
            edges.setdefault(other.from_body_id, set()).add(other.to_body_id)
    # Walk upward from the new line's target: reaching its source closes a cycle.
    seen, stack = set(), [line.to_body_id]
    while stack:
        node = stack.pop()
        if node == line.from_body_id:
            names = dict(
                Body.objects.filter(pk__in=[line.from_body_id, line.to_body_id]).values_list("pk", "acronym")
            )
            raise ValidationError(
                {
                    "to_body": f"{names[line.to_body_id]} already reports, directly or through others, to "
                    f"{names[line.from_body_id]}: this line would make a cycle."
                }
            )
        if node not in seen:
            seen.add(node)
            stack.extend(edges.get(node, ()))


class Person(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="person"
    )
    full_name = models.CharField(max_length=200, validators=[single_line])
    honorific = models.CharField(max_length=30, blank=True, validators=[single_line])
    email = models.EmailField(blank=True)
    member_state = models.ForeignKey(
        MemberState, null=True, blank=True, on_delete=models.PROTECT, related_name="people"
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="people"
    )
    position = models.CharField(max_length=200, blank=True, validators=[single_line])
    timezone = models.CharField(
        max_length=64,
        blank=True,
        validators=[single_line, validate_timezone],
        help_text="Leave blank to use the capital of the state the person represents.",
    )
    # Private calendar feed: a secret in the URL, rotatable, cleared when the account is deactivated.
    feed_token = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    feed_token_created_at = models.DateTimeField(null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["feed_token", "feed_token_created_at"])

    class Meta:
        ordering = ["full_name"]
        verbose_name_plural = "people"
        indexes = [models.Index(fields=["email"])]

    def __str__(self) -> str:
        return self.full_name

    @property
    def effective_timezone(self) -> str:
        if self.timezone:
            return self.timezone
        if self.member_state_id:
            return self.member_state.timezone
        return settings.TIME_ZONE


class Membership(models.Model):
    class Role(models.TextChoices):
        HEAD_OF_DELEGATION = "head", "Head of delegation"
        ALTERNATE = "alternate", "Alternate"
        DELEGATE = "delegate", "Delegate"
        FOCAL_POINT = "focal_point", "Focal point"
        OBSERVER = "observer", "Observer"
        SECRETARIAT = "secretariat", "Secretariat officer"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="memberships")
    member_state = models.ForeignKey(
        MemberState, null=True, blank=True, on_delete=models.PROTECT, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    start_date = models.DateField(validators=[date_in_range])
    end_date = models.DateField(
        null=True, blank=True, help_text="Last day; blank while it runs.", validators=[date_in_range]
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["body__acronym", "member_state__short_name", "role"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="membership_dates_order",
            ),
            # A seat is held for exactly one principal: a member state or an organisation.
            models.CheckConstraint(
                condition=(Q(member_state__isnull=False) & Q(organisation__isnull=True))
                | (Q(member_state__isnull=True) & Q(organisation__isnull=False)),
                name="membership_one_principal",
            ),
            models.CheckConstraint(
                condition=~Q(role="head") | Q(member_state__isnull=False),
                name="membership_head_represents_state",
            ),
        ]
        indexes = [models.Index(fields=["body", "member_state", "role"])]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_role_display()}, {self.member_state or self.organisation} on {self.body}"

    def is_current_on(self, day: dt.date) -> bool:
        return self.start_date <= day and (self.end_date is None or self.end_date >= day)

    def clean(self) -> None:
        membership_check_admission(membership=self)
        membership_check_head(membership=self)


def membership_check_admission(*, membership: Membership) -> None:
    """A seat for a member state starts no earlier than the state's admission to ASEAN (membership is dated:
    a Timor-Leste seat cannot start before 26 Oct 2025). The database holds the same rule as a trigger
    (migration ``0005_membership_after_admission``; docs/decisions/0034)."""
    if not membership.member_state_id or not membership.start_date:
        return
    state = membership.member_state
    if membership.start_date < state.admitted_on:
        raise ValidationError(
            {
                "start_date": f"{state} was admitted to ASEAN on {state.admitted_on:%d %b %Y}: "
                f"a seat for it cannot start on {membership.start_date:%d %b %Y}."
            }
        )


def membership_check_head(*, membership: Membership) -> None:
    """At most one head of delegation per state per body at any moment (the database says so too).
    Here, beside the model, because ``Membership.clean`` runs it."""
    if membership.role != Membership.Role.HEAD_OF_DELEGATION or not membership.member_state_id:
        return
    if membership.end_date and membership.start_date and membership.end_date < membership.start_date:
        raise ValidationError({"end_date": "The membership cannot end before it starts."})
    clash = (
        Membership.objects.filter(
            body_id=membership.body_id,
            member_state_id=membership.member_state_id,
            role=Membership.Role.HEAD_OF_DELEGATION,
            start_date__lte=membership.end_date or FAR_FUTURE,
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=membership.start_date))
        .exclude(pk=membership.pk)
        .select_related("person")
        .first()
    )
    if clash:
        raise ValidationError(
            {
                "role": f"{clash.person} is already head of delegation of {membership.member_state} on "
                f"{membership.body} from {clash.start_date:%d %b %Y}"
                + (f" to {clash.end_date:%d %b %Y}." if clash.end_date else " with no end date.")
            }
        )


class AuditEvent(models.Model):
    """Changes that simple-history does not see: object rights granted and withdrawn, handovers completed."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=40)
    object_type = models.CharField(max_length=40)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    summary = models.CharField(max_length=500)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.summary}"


# django-guardian: direct foreign-key permission tables, so a check is an indexed join, not a generic lookup.
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase  # noqa: E402


class BodyUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Body, on_delete=models.CASCADE)


class BodyGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Body, on_delete=models.CASCADE)


class AccountNotice(models.Model):
    """What an outbox message about an account describes: the user invited to set a password, and by whom.
    The set-password link is made when the message is built, so it is fresh when it leaves."""

    message = models.OneToOneField(
        "outbox.Message", primary_key=True, on_delete=models.CASCADE, related_name="account_notice"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    invited_by = models.CharField(max_length=150)

    def __str__(self) -> str:
        return f"{self.message_id}: account of {self.user_id}"
