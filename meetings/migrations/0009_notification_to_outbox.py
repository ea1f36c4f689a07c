"""The notification table keeps its rows and becomes ``outbox.Message``: the columns that now live in the
typed references are dropped, and the model leaves the meetings app's state (the outbox's ``0001`` holds
it)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0008_notices_from_notifications"),
        ("governance", "0004_accountnotice"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="notification", name="meetings_no_meeting_2ee011_idx"),
        migrations.RemoveField(model_name="notification", name="meeting"),
        migrations.RemoveField(model_name="notification", name="person"),
        migrations.RemoveField(model_name="notification", name="meeting_sequence"),
        migrations.RemoveField(model_name="notification", name="object_ref"),
        migrations.RemoveField(model_name="notification", name="subject"),
        migrations.RemoveField(model_name="notification", name="body_text"),
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="Notification")]),
    ]
