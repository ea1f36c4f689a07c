"""Every message the system sends: one row per recipient and version of what it is about.

The row holds only what sending needs (who, when, how it went). What a message is about lives in the app
that owns it, as a typed reference with real foreign keys (a meeting notice, a handover notice, an account
notice...) pointing at this row; its text is built from that reference when the message is sent, by the
builder the owner registered for its kind (``outbox.registry``), so a message can never carry a stale copy.
The subject and text that went out are written back on the row by the sender: a record of what was sent,
never read to build a message.
"""

from __future__ import annotations

from django.db import models

from outbox.registry import kind_label


class Message(models.Model):
    """One message to one recipient about one version of one thing; the unique key makes sends idempotent."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped"
        CANCELLED = "cancelled", "Cancelled"
        # Planned or being sent in a restored backup: not sent until the Secretariat releases it.
        HELD = "held", "Held (restored)"

    key = models.CharField(max_length=200, unique=True, help_text="kind:object:recipient:version")
    kind = models.CharField(max_length=10, help_text="Registered by the app that owns the kind")
    recipient = models.EmailField()
    due_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    note = models.CharField(max_length=300, blank=True, help_text="Why skipped or cancelled")
    msgid = models.CharField(
        max_length=200, blank=True, help_text="The Message-ID, recorded when claimed, before it is sent"
    )
    possibly_delivered = models.BooleanField(
        default=False,
        help_text="A send of it may have reached the server before its worker or connection died: a second "
        "copy (same Message-ID) is possible",
    )
    transient = models.BooleanField(
        default=False, help_text="Failed for a reason on the server's side: sent again when it answers"
    )
    subject = models.CharField(max_length=300, blank=True, help_text="As sent")
    body_text = models.TextField(blank=True, help_text="The plain text as sent")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        # The table the meetings app created for its notifications: moved here with every row.
        db_table = "meetings_notification"
        ordering = ["-due_at"]
        indexes = [models.Index(fields=["status", "due_at"], name="meetings_no_status_f3f749_idx")]

    def __str__(self) -> str:
        return self.key

    def get_kind_display(self) -> str:
        return kind_label(self.kind)


class MailServer(models.Model):
    """The circuit breaker of one mail server (``host:port``): closed while it answers; open, with sending
    to it paused until ``retry_at``, after a server fault; a trial send once that moment passes closes it
    again (and revives what failed meanwhile) or opens it for longer."""

    class State(models.TextChoices):
        CLOSED = "closed", "Answering"
        OPEN = "open", "Paused: failing"

    name = models.CharField(max_length=200, unique=True)
    state = models.CharField(max_length=6, choices=State.choices, default=State.CLOSED)
    failures = models.PositiveIntegerField(default=0, help_text="Server faults in a row")
    retry_at = models.DateTimeField(null=True, blank=True, help_text="When a trial send may go")
    failing_since = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_ok_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.state})"


class Heartbeat(models.Model):
    """The last time a periodic job ran on a worker (``worker``: the outbox hand-out, every few seconds):
    the readiness check's proof that beat and a worker are alive."""

    name = models.CharField(max_length=40, unique=True)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.at:%Y-%m-%d %H:%M:%S}"
