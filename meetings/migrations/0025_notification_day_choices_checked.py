# Per-day choices for chasers, and both per-day maps held by a CHECK on their JSON text (decision 0064).

import re

from django.db import migrations, models

# Frozen here as it was when written (``meetings.models.preferences.DAY_CHOICES_PATTERN``).
_DAY = r'"[1-9][0-9]*"\s*:\s*"(immediate|digest|off)"'
DAY_CHOICES_PATTERN = rf"\A\{{\s*({_DAY}(\s*,\s*{_DAY})*)?\s*\}}\Z"
CHANNELS = ("immediate", "digest", "off")


def keep_valid_days(apps, schema_editor):
    """Drop any per-day entry the new constraint would refuse (none written by ``preference_save``), so
    the constraint can be added to a database whatever was written to it by hand."""
    Preference = apps.get_model("meetings", "NotificationPreference")
    for pref in Preference.objects.only("pk", "reminder_days"):
        days = pref.reminder_days if isinstance(pref.reminder_days, dict) else {}
        kept = {
            str(int(d)): c for d, c in days.items() if re.fullmatch(r"[1-9][0-9]*", str(d)) and c in CHANNELS
        }
        if kept != pref.reminder_days:
            Preference.objects.filter(pk=pref.pk).update(reminder_days=kept)


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0024_pack_builds"),
    ]

    operations = [
        migrations.AddField(
            model_name="notificationpreference",
            name="chaser_days",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="Days before a meeting → immediate, digest or off (chasers)",
            ),
        ),
        migrations.RunPython(keep_valid_days, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="notificationpreference",
            constraint=models.CheckConstraint(
                condition=models.Q(reminder_days__regex=DAY_CHOICES_PATTERN),
                name="notificationpreference_reminder_days",
                violation_error_message="Reminder days: each a whole number of days → immediate, digest or off.",
            ),
        ),
        migrations.AddConstraint(
            model_name="notificationpreference",
            constraint=models.CheckConstraint(
                condition=models.Q(chaser_days__regex=DAY_CHOICES_PATTERN),
                name="notificationpreference_chaser_days",
                violation_error_message="Chaser days: each a whole number of days → immediate, digest or off.",
            ),
        ),
    ]
