"""A seat for a member state starts no earlier than the state's admission (docs/decisions/0034).

Written as triggers because a CHECK constraint cannot look at another table: one on the seat (insert and
update), one on the state (moving its admission later than a seat's start). PostgreSQL and SQLite each get
their own dialect; ``Membership.clean`` says the same in words before the database has to.
"""

from django.db import migrations

POSTGRES_FORWARD = [
    """
    CREATE OR REPLACE FUNCTION governance_membership_after_admission() RETURNS trigger AS $$
    BEGIN
        IF NEW.member_state_id IS NOT NULL AND EXISTS (
            SELECT 1 FROM governance_memberstate s
            WHERE s.id = NEW.member_state_id AND NEW.start_date < s.admitted_on
        ) THEN
            RAISE EXCEPTION 'membership_after_admission' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER membership_after_admission BEFORE INSERT OR UPDATE OF start_date, member_state_id
    ON governance_membership FOR EACH ROW EXECUTE FUNCTION governance_membership_after_admission()
    """,
    """
    CREATE OR REPLACE FUNCTION governance_memberstate_keeps_seats() RETURNS trigger AS $$
    BEGIN
        IF EXISTS (
            SELECT 1 FROM governance_membership m
            WHERE m.member_state_id = NEW.id AND m.start_date < NEW.admitted_on
        ) THEN
            RAISE EXCEPTION 'membership_after_admission' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER memberstate_keeps_seats BEFORE UPDATE OF admitted_on
    ON governance_memberstate FOR EACH ROW EXECUTE FUNCTION governance_memberstate_keeps_seats()
    """,
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS membership_after_admission ON governance_membership",
    "DROP FUNCTION IF EXISTS governance_membership_after_admission()",
    "DROP TRIGGER IF EXISTS memberstate_keeps_seats ON governance_memberstate",
    "DROP FUNCTION IF EXISTS governance_memberstate_keeps_seats()",
]

_SEAT_TOO_EARLY = (
    "NEW.member_state_id IS NOT NULL AND EXISTS (SELECT 1 FROM governance_memberstate s "
    "WHERE s.id = NEW.member_state_id AND NEW.start_date < s.admitted_on)"
)
SQLITE_FORWARD = [
    *(
        f"CREATE TRIGGER membership_after_admission_{event.lower()} BEFORE {event} ON governance_membership "
        f"WHEN {_SEAT_TOO_EARLY} BEGIN SELECT RAISE(ABORT, 'membership_after_admission'); END"
        for event in ("INSERT", "UPDATE")
    ),
    "CREATE TRIGGER memberstate_keeps_seats BEFORE UPDATE OF admitted_on ON governance_memberstate "
    "WHEN EXISTS (SELECT 1 FROM governance_membership m WHERE m.member_state_id = NEW.id "
    "AND m.start_date < NEW.admitted_on) BEGIN SELECT RAISE(ABORT, 'membership_after_admission'); END",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS membership_after_admission_insert",
    "DROP TRIGGER IF EXISTS membership_after_admission_update",
    "DROP TRIGGER IF EXISTS memberstate_keeps_seats",
]


def _run(statements: dict[str, list[str]]):
    def run(apps, schema_editor) -> None:
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("governance", "0004_accountnotice")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD}),
            elidable=False,
        ),
    ]
