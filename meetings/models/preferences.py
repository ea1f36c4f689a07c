"""How each person wants to hear about meetings: which reminders, when, and the alarm in invitations."""

from __future__ import annotations

from django.db import models

from governance.models import Person

# A per-day choice as the database holds it: a JSON object of "days before" (a positive whole number) to
# immediate, digest or off, checked on its text (jsonb's text on PostgreSQL, the stored text on SQLite), so
# a write that bypasses ``preference_save`` (an update(), raw SQL, the shell) is refused as well.
_DAY = r'"[1-9][0-9]*"\s*:\s*"(immediate|digest|off)"'
DAY_CHOICES_PATTERN = rf"\A\{{\s*({_DAY}(\s*,\s*{_DAY})*)?\s*\}}\Z"


class NotificationPreference(models.Model):
    """A person's choice; without a row, everything is sent as it falls due and invitations carry the
    alarm. Invitations, updates and cancellations always go at once: they carry the calendar entry."""

    class Delivery(models.TextChoices):
        IMMEDIATE = "immediate", "As each falls due"
        DIGEST = "digest", "One daily digest"

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="notification_preference")
    reminders = models.BooleanField(
        default=True, help_text="Reminders before a meeting (and coming-up notices)"
    )
    chasers = models.BooleanField(
        default=True, help_text='"Please reply" reminders while an invitation is open'
    )
    delivery = models.CharField(max_length=9, choices=Delivery.choices, default=Delivery.IMMEDIATE)
    alarm = models.BooleanField(default=True, help_text="An alarm in the calendar entry of invitations")
    # Per reminder day, a choice that wins over ``reminders`` and ``delivery`` for that day's reminder:
    # {"7": "digest", "1": "off"}; a day not named follows them (``meetings.calendar.preferences``).
    reminder_days = models.JSONField(
        default=dict, blank=True, help_text="Days before a meeting → immediate, digest or off"
    )
    # The same per day for the "please reply" reminders: wins over ``chasers`` and ``delivery``.
    chaser_days = models.JSONField(
        default=dict, blank=True, help_text="Days before a meeting → immediate, digest or off (chasers)"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(delivery__in=["immediate", "digest"]),
                name="notificationpreference_delivery",
            ),
            models.CheckConstraint(
                condition=models.Q(reminder_days__regex=DAY_CHOICES_PATTERN),
                name="notificationpreference_reminder_days",
                violation_error_message="Reminder days: each a whole number of days → immediate, digest or off.",
            ),
            models.CheckConstraint(
                condition=models.Q(chaser_days__regex=DAY_CHOICES_PATTERN),
                name="notificationpreference_chaser_days",
                violation_error_message="Chaser days: each a whole number of days → immediate, digest or off.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.get_delivery_display().lower()}"


class DigestNotice(models.Model):
    """What a daily digest message describes: the person and the day (in their zone) it gathers."""

    message = models.OneToOneField(
        "outbox.Message", primary_key=True, on_delete=models.CASCADE, related_name="digest_notice"
    )
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "day"], name="digestnotice_one_per_day")]

    def __str__(self) -> str:
        return f"digest for {self.person} on {self.day}"
