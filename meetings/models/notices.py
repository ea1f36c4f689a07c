"""What each message sent about a meeting or an action item describes (typed outbox references)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from governance.models import Person

from .agenda import AgendaVersion
from .meeting import Meeting
from .participation import Invitation
from .record import ActionItem


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
    days = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Days before the due date")
    chase = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Once overdue: which chase interval since the due date (1, 2 ...)"
    )

    class Meta:
        constraints = [
            # A reminder before the due date, or a chaser after it: one of the two.
            models.CheckConstraint(
                condition=Q(days__isnull=False, chase__isnull=True) | Q(days__isnull=True, chase__gte=1),
                name="actionitemnotice_reminder_or_chase",
            ),
        ]
        indexes = [models.Index(fields=["action_item", "chase"], name="actionitemnotice_chase")]

    def __str__(self) -> str:
        return f"{self.message_id} about action item {self.action_item_id}"
