from django.db import migrations

from governance.migration_ops import NoOverlap


class Migration(migrations.Migration):
    dependencies = [("chairmanship", "0002_initial")]

    operations = [
        # Two chairs (or two vice-chairs) of one body never overlap; co-chairs may.
        NoOverlap(
            table="chairmanship_chairterm",
            name="chairterm_one_chair_at_a_time",
            same=["body_id", "role"],
            where="role IN ('chair', 'vice_chair')",
        ),
    ]
