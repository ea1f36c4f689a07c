"""Decisions marked public, and the public meetings' index (docs/decisions/0049)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0017_meeting_packs"),
    ]

    operations = [
        migrations.AddField(
            model_name="decision",
            name="is_public",
            field=models.BooleanField(default=False, help_text="Published on the meeting's public page"),
        ),
        migrations.AddField(
            model_name="historicaldecision",
            name="is_public",
            field=models.BooleanField(default=False, help_text="Published on the meeting's public page"),
        ),
        migrations.AddIndex(
            model_name="meeting",
            index=models.Index(
                condition=models.Q(("is_public", True)), fields=["body", "start"], name="meeting_public_idx"
            ),
        ),
    ]
