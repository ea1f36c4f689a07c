from django.db import migrations

from governance.migration_ops import NoOverlap


class Migration(migrations.Migration):
    dependencies = [("governance", "0001_initial")]

    operations = [
        # At most one head of delegation per state per body at any moment.
        NoOverlap(
            table="governance_membership",
            name="membership_one_head_per_state",
            same=["body_id", "member_state_id"],
            where="role = 'head'",
        ),
    ]
