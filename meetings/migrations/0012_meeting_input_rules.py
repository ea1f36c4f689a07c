# Meeting text on one line and dates between 1967 and 2100 (governance/input_rules.py,
# docs/decisions/0042-hostile-input.md). Rows written before the rule have their control characters
# turned into spaces first, so the CHECK can be added over any existing data.

import datetime
import re

import governance.input_rules
from django.db import migrations, models

CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def single_line_text(apps, schema_editor):
    Meeting = apps.get_model("meetings", "Meeting")
    for field in ("title", "label", "venue", "city"):
        for pk, value in Meeting.objects.filter(**{f"{field}__regex": r"[\x01-\x1f\x7f]"}).values_list(
            "pk", field
        ):
            Meeting.objects.filter(pk=pk).update(**{field: CONTROL.sub(" ", value).strip()})


class Migration(migrations.Migration):

    dependencies = [
        ("meetings", "0011_report_jobs"),
    ]

    operations = [
        migrations.RunPython(single_line_text, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='historicalmeeting',
            name='city',
            field=models.CharField(blank=True, max_length=120, validators=[governance.input_rules.SingleLine()]),
        ),
        migrations.AlterField(
            model_name='historicalmeeting',
            name='end',
            field=models.DateTimeField(validators=[governance.input_rules.DateInRange()]),
        ),
        migrations.AlterField(
            model_name='historicalmeeting',
            name='label',
            field=models.CharField(blank=True, help_text='Label where the series uses one, e.g. "2/55"', max_length=40, validators=[governance.input_rules.SingleLine()]),
        ),
        migrations.AlterField(
            model_name='historicalmeeting',
            name='start',
            field=models.DateTimeField(validators=[governance.input_rules.DateInRange()]),
        ),
        migrations.AlterField(
            model_name='historicalmeeting',
            name='title',
            field=models.CharField(max_length=250, validators=[governance.input_rules.SingleLine()]),
        ),
        migrations.AlterField(
            model_name='historicalmeeting',
            name='venue',
            field=models.CharField(blank=True, max_length=250, validators=[governance.input_rules.SingleLine()]),
        ),
        migrations.AlterField(
            model_name='meeting',
            name='city',
            field=models.CharField(blank=True, max_length=120, validators=[governance.input_rules.SingleLine()]),
        ),
        migrations.AlterField(
            model_name='meeting',
            name='end',
            field=models.DateTimeField(validators=[governance.input_rules.DateInRange()]),
        ),
        migrations.AlterField(
            model_name='meeting',
            name='label',
            field=models.CharField(blank=True, help_text='Label where the series uses one, e.g. "2/55"', max_length=40, validators=[governance.input_rules.SingleLine()]),
        ),
        migrations.AlterField(
            model_name='meeting',
            name='start',
            field=models.DateTimeField(validators=[governance.input_rules.DateInRange()]),
        ),
        migrations.AlterField(
            model_name='meeting',
            name='title',
            field=models.CharField(max_length=250, validators=[governance.input_rules.SingleLine()]),
        ),
        migrations.AlterField(
            model_name='meeting',
            name='venue',
            field=models.CharField(blank=True, max_length=250, validators=[governance.input_rules.SingleLine()]),
        ),
        migrations.AddConstraint(
            model_name='meeting',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('start__isnull', True), models.Q(('start__gte', datetime.datetime(1966, 12, 31, 0, 0, tzinfo=datetime.timezone.utc)), ('start__lt', datetime.datetime(2101, 1, 2, 0, 0, tzinfo=datetime.timezone.utc))), _connector='OR'), models.Q(('end__isnull', True), models.Q(('end__gte', datetime.datetime(1966, 12, 31, 0, 0, tzinfo=datetime.timezone.utc)), ('end__lt', datetime.datetime(2101, 1, 2, 0, 0, tzinfo=datetime.timezone.utc))), _connector='OR')), name='meeting_dates_in_range', violation_error_message='Give a date between 1967 and 2100.'),
        ),
        migrations.AddConstraint(
            model_name='meeting',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('title__regex', '[\\x01-\\x1f\\x7f]'), _negated=True), models.Q(('label__regex', '[\\x01-\\x1f\\x7f]'), _negated=True), models.Q(('venue__regex', '[\\x01-\\x1f\\x7f]'), _negated=True), models.Q(('city__regex', '[\\x01-\\x1f\\x7f]'), _negated=True)), name='meeting_text_single_line', violation_error_message='Use one line of text: no line breaks, tabs or control characters.'),
        ),
    ]
