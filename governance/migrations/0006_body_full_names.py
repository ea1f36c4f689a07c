"""Seeded bodies whose long name was cut at its first comma (the seed file's unquoted YAML flow mapping read
"ASEAN Coordinating Committee on Micro, Small and ..." as two keys): restored, only where the stored name is
exactly the cut one, so a name a person corrected is left alone."""

from django.db import migrations

CUT = {
    "ACCMSME": (
        "ASEAN Coordinating Committee on Micro",
        "ASEAN Coordinating Committee on Micro, Small and Medium Enterprises",
    ),
}


def restore(apps, schema_editor):
    Body = apps.get_model("governance", "Body")
    for acronym, (cut, full) in CUT.items():
        Body.objects.filter(acronym=acronym, name=cut).update(name=full)


class Migration(migrations.Migration):
    dependencies = [("governance", "0005_membership_after_admission")]

    operations = [migrations.RunPython(restore, migrations.RunPython.noop)]
