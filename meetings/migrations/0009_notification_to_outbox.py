"""The notification table keeps its rows and becomes ``outbox.Message``: the columns that now live in the
typed references (``0008`` carried them over) are dropped, and the model leaves the meetings app's state (the
outbox's ``0001`` holds it). ``subject`` and ``body_text`` stay: they are the record of what was sent."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0008_notices_from_notifications"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="notification", name="meetings_no_meeting_2ee011_idx"),
        migrations.RemoveField(model_name="notification", name="meeting"),
        migrations.RemoveField(model_name="notification", name="person"),
        migrations.RemoveField(model_name="notification", name="meeting_sequence"),
        migrations.RemoveField(model_name="notification", name="object_ref"),
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="Notification")]),
    ]
