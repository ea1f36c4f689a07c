"""Who is invited to a meeting for which delegation, and who attended."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from governance.models import MemberState, Person

from .meeting import Meeting


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
    # The calendar side (docs/decisions: attendee cancel and answers per version). SEQUENCE in this
    # invitee's calendar is the meeting's plus this offset, raised by a CANCEL to them alone and again by
    # a re-invitation (RFC 5546 §3.2.5), so their copy always moves forward.
    sequence_offset = models.PositiveIntegerField(default=0)
    answers_since = models.PositiveIntegerField(
        default=0, help_text="Meeting version from which the answer counts (raised when time or place change)"
    )
    earlier_partstat = models.CharField(
        max_length=12, blank=True, help_text="The answer for the earlier date"
    )
    earlier_start = models.DateTimeField(null=True, blank=True, help_text="The date that answer was for")
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
