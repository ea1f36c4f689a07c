"""The message table the meetings app created (``meetings_notification``) becomes the outbox's, in place:
state only here; the meetings app moves what each row is about into typed references and drops the columns
the outbox no longer has (``meetings/migrations/0007`` to ``0009``). ``subject`` and ``body_text`` stay with
their values: the record of what was sent."""

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [("meetings", "0006_actionitem_open_indexes")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Message",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("key", models.CharField(help_text="kind:object:recipient:version", max_length=200, unique=True)),
                        ("kind", models.CharField(help_text="Registered by the app that owns the kind", max_length=10)),
                        ("recipient", models.EmailField(max_length=254)),
                        ("due_at", models.DateTimeField()),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("planned", "Planned"),
                                    ("sending", "Sending"),
                                    ("sent", "Sent"),
                                    ("failed", "Failed"),
                                    ("skipped", "Skipped"),
                                    ("cancelled", "Cancelled"),
                                ],
                                default="planned",
                                max_length=10,
                            ),
                        ),
                        ("attempts", models.PositiveSmallIntegerField(default=0)),
                        ("claimed_at", models.DateTimeField(blank=True, null=True)),
                        ("sent_at", models.DateTimeField(blank=True, null=True)),
                        ("next_attempt_at", models.DateTimeField(blank=True, null=True)),
                        ("last_error", models.TextField(blank=True)),
                        ("note", models.CharField(blank=True, help_text="Why skipped or cancelled", max_length=300)),
                        ("subject", models.CharField(blank=True, help_text="As sent", max_length=300)),
                        ("body_text", models.TextField(blank=True, help_text="The plain text as sent")),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                    ],
                    options={
                        "db_table": "meetings_notification",
                        "ordering": ["-due_at"],
                        "indexes": [models.Index(fields=["status", "due_at"], name="meetings_no_status_f3f749_idx")],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
