"""The kinds of message the meetings app sends through the outbox."""

from __future__ import annotations

from django.db import models


class Kind(models.TextChoices):
    INVITE = "invite", "Invitation"
    UPDATE = "update", "Update"
    CANCEL = "cancel", "Cancellation"
    AGENDA = "agenda", "Agenda circulation"
    REMINDER = "reminder", "Reminder"
    COMING_UP = "coming_up", "Coming up"
    CHASER = "chaser", "RSVP chaser"
    ACTION_DUE = "action_due", "Action item due"
    ACTION_CHASE = "act_chase", "Overdue action item chased"
    COUNTER_DECLINED = "counter", "Counter-proposal declined"
    DIGEST = "digest", "Daily digest"


# Kinds that describe one version of a meeting and are planned per version.
VERSIONED_KINDS = (
    Kind.INVITE,
    Kind.UPDATE,
    Kind.CANCEL,
    Kind.REMINDER,
    Kind.COMING_UP,
    Kind.CHASER,
    Kind.AGENDA,
)
REQUEST_KINDS = (Kind.INVITE, Kind.UPDATE)
TIMED_KINDS = (Kind.REMINDER, Kind.COMING_UP, Kind.CHASER, Kind.AGENDA)
LATE_POLICY = {Kind.REMINDER: "coming_up", Kind.CHASER: "skip", Kind.AGENDA: "send", Kind.ACTION_DUE: "send"}
