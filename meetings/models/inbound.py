"""Replies that calendar clients sent to the organizer mailbox (iTIP REPLY and COUNTER), as read."""

from __future__ import annotations

from django.db import models

from .meeting import Meeting
from .participation import Invitation


class InboundReply(models.Model):
    """One message read from the organizer mailbox and what became of it. Its key (the Message-ID, or a
    digest of the message) is unique: a message read twice (the worker died before filing it) is filed,
    never applied again. Unmatched replies stay listed for the Secretariat."""

    class Outcome(models.TextChoices):
        APPLIED = "applied", "Answer recorded"
        REFUSED = "refused", "Refused"
        UNMATCHED = "unmatched", "Matches no invitation"
        COUNTER = "counter", "Counter-proposal declined"

    key = models.CharField(max_length=300, unique=True, help_text="Message-ID, or sha256: of the message")
    sender = models.CharField(max_length=320, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    size = models.PositiveIntegerField(default=0, help_text="Bytes, as the server reported")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    reason = models.CharField(max_length=300, blank=True)
    uid = models.CharField(max_length=250, blank=True, help_text="The UID in the REPLY")
    sequence = models.PositiveIntegerField(null=True, blank=True)
    attendee = models.CharField(max_length=320, blank=True)
    partstat = models.CharField(max_length=16, blank=True)
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    invitation = models.ForeignKey(
        Invitation, null=True, blank=True, on_delete=models.SET_NULL, related_name="inbound_replies"
    )
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        indexes = [models.Index(fields=["outcome", "received_at"], name="inboundreply_outcome")]

    def __str__(self) -> str:
        return f"{self.sender}: {self.get_outcome_display()}"
