"""An existing database upgrades in place with every row kept.

A database at the migration state of the layout before the apps were split into layers (``OLD_LEAVES``, plus
every third-party app at its leaf) gets rows of every model of governance, chairmanship and meetings, written
through the historical models of that state, and notification rows of every kind there was. It is then
migrated to the latest migrations, whatever they are when the test runs, and every row is read back through
the latest state's models: same table, same id, same values (but the changes a migration makes on purpose,
named here row by row). A model that moved to another app keeps its table, so a row is found by its table
name. What a notification was about went from its own columns into the typed notice of its kind: each row's
notice is checked, column by column.

The test drops every table and migrates from nothing, so no migration needs to be reversible; on the way out
the database is put back at the latest migrations for the tests that follow.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps as installed_apps
from django.conf import settings
from django.db import connection, models
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

# The fixed "before": the leaves of the product's apps on main before the split. Never change these.
OLD_LEAVES = {
    "governance": "0003_feeds_reminders_links",
    "chairmanship": "0004_handoveritem_done_has_time",
    "meetings": "0006_actionitem_open_indexes",
}

# A later migration that renames a table on purpose: old table -> new table.
TABLES_RENAMED: dict[str, str] = {}
# A later migration that drops a table on purpose: old table -> why its rows need not survive.
TABLES_DROPPED: dict[str, str] = {}
# A later migration that drops a column on purpose: (old table, column) -> why.
CARRIED = "carried into the typed notice of the row's kind: checked row by row (NOTIFICATIONS)"
COLUMNS_CHANGED: dict[tuple[str, str], str] = {
    ("meetings_notification", "meeting_id"): CARRIED,
    ("meetings_notification", "person_id"): CARRIED,
    ("meetings_notification", "meeting_sequence"): CARRIED,
    ("meetings_notification", "object_ref"): CARRIED,
}
# Models whose rows are written apart, each with what the upgrade must make of it (notifications below).
FILLED_APART = {"meetings.notification"}

Snapshot = dict[str, dict[Any, dict[str, Any]]]  # table -> primary key -> column -> value
Written = dict[str, list[models.Model]]  # model label -> rows in the order written


@dataclass(frozen=True)
class Row:
    """The n-th row written of a model, for a foreign key that must not take the first one."""

    label: str
    n: int


# Rows that a constraint of the old schema needs told apart; every other value is made up by ``_value``.
# One dict per row; a model not named here gets one row.
ROWS: dict[str, list[dict[str, Any]]] = {
    "governance.memberstate": [
        {"short_name": "Indonesia", "iso2": "ID", "iso3": "IDN", "timezone": "Asia/Jakarta"},
        {"short_name": "Philippines", "iso2": "PH", "iso3": "PHL", "timezone": "Asia/Manila"},
    ],
    "governance.body": [{"acronym": "ACCMSME"}, {"acronym": "SEOM"}],
    "governance.reportingline": [{"to_body": Row("governance.body", 1)}],
    "governance.membership": [{"organisation": None, "role": "head"}],
    "chairmanship.rotationrule": [{"term_start_month": 6, "term_start_day": 1}],
    "chairmanship.rotationexception": [{"other_state": Row("governance.memberstate", 1)}],
    "chairmanship.chairterm": [
        {"start_date": dt.date(2025, 1, 1), "end_date": dt.date(2025, 12, 31)},
        {
            "member_state": Row("governance.memberstate", 1),
            "start_date": dt.date(2026, 1, 1),
            "end_date": dt.date(2026, 12, 31),
        },
    ],
    "chairmanship.handover": [{"incoming_term": Row("chairmanship.chairterm", 1)}],
    "meetings.meeting": [
        {"number": 21, "previous": None},
        {"number": 22, "previous": Row("meetings.meeting", 0)},
    ],
    "meetings.submission": [{"to_body": Row("governance.body", 1)}],
}


def _graph_leaves(executor: MigrationExecutor) -> list[tuple[str, str]]:
    return executor.loader.graph.leaf_nodes()


def _old_targets(executor: MigrationExecutor) -> list[tuple[str, str]]:
    """``OLD_LEAVES``, and every app that lives outside the repository at its leaf. The product's other apps
    had no migrations then."""
    in_repo = {c.label for c in installed_apps.get_app_configs() if Path(c.path).parent == settings.BASE_DIR}
    third_party = [(app, name) for app, name in _graph_leaves(executor) if app not in in_repo]
    return sorted(OLD_LEAVES.items()) + third_party


def _drop_every_table() -> None:
    cascade = " CASCADE" if connection.vendor == "postgresql" else ""
    tables = connection.introspection.table_names(include_views=False)
    with connection.schema_editor() as editor:  # on SQLite it turns foreign key checks off first
        for table in tables:
            editor.execute(f"DROP TABLE IF EXISTS {editor.quote_name(table)}{cascade}")


def _migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection)


@pytest.fixture
def empty_database(transactional_db) -> Iterator[None]:
    """No tables at all. Afterwards the latest migrations, as pytest-django made the test database: when the
    test stopped half-way, or left a table no model knows (which pytest-django's flush would not empty), every
    table is dropped and migrated again."""
    _drop_every_table()
    yield
    executor = MigrationExecutor(connection)
    leaves = _graph_leaves(executor)
    known = set(_models_by_table(executor.loader.project_state(leaves).apps)) | {"django_migrations"}
    if executor.migration_plan(leaves) or set(connection.introspection.table_names()) - known:
        _drop_every_table()
        _migrate(leaves)


# Writing the rows -------------------------------------------------------------------------------------------


def _filled_models(state_apps) -> list[type[models.Model]]:
    """The models of the three apps, through tables and history included, and whatever they point to."""
    wanted = [m for m in state_apps.get_models(include_auto_created=True) if m._meta.app_label in OLD_LEAVES]
    seen, order = set(), []

    def visit(model: type[models.Model]) -> None:
        if model._meta.label_lower in seen:
            return
        seen.add(model._meta.label_lower)
        for field in model._meta.concrete_fields:
            target = field.related_model
            if target is not None and target is not model:
                visit(target)
        order.append(model)

    for model in wanted:
        visit(model)
    return order


def _value(model: type[models.Model], field: models.Field, position: int, n: int) -> Any:
    """A made-up value that satisfies the old schema. Values grow with the field's position, so a field
    declared after another ("end" after "start", "left_on" after "admitted_on") holds the later value."""
    tag = f"{model._meta.model_name}-{field.name}-{n}"
    if field.choices:
        return field.choices[0][0]
    if isinstance(field, models.BooleanField):
        return True  # not the usual default, so a lost column shows
    if isinstance(field, models.DateTimeField):
        return dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC) + dt.timedelta(hours=position)
    if isinstance(field, models.DateField):
        return dt.date(2026, 3, 2) + dt.timedelta(days=position)
    if isinstance(field, models.IntegerField):
        return 1 + position
    if isinstance(field, models.JSONField):
        return {"made_up": [position, n]}
    if isinstance(field, models.EmailField):
        return f"{tag}@example.org"
    if isinstance(field, models.URLField):
        return f"https://example.org/{tag}"
    if "timezone" in field.name:
        return "Asia/Jakarta"
    text = f"{tag}-{model._meta.app_label}"
    return text[: field.max_length] if field.max_length else text


def _fill(state_apps) -> Written:
    written: Written = {}
    for model in _filled_models(state_apps):
        label = model._meta.label_lower
        if label in FILLED_APART:
            continue
        for n, overrides in enumerate(ROWS.get(label, [{}])):
            values = {}
            for position, field in enumerate(model._meta.concrete_fields):
                if isinstance(field, models.AutoField):  # ids come from the database, as they did
                    continue
                if field.name in overrides:
                    value = overrides[field.name]
                    if isinstance(value, Row):
                        value = written[value.label][value.n]
                elif field.related_model is model:
                    value = written[label][0] if written.get(label) else None
                elif field.related_model is not None:
                    value = written[field.related_model._meta.label_lower][0]
                else:
                    value = _value(model, field, position, n)
                values[field.name] = value
            written.setdefault(label, []).append(model._base_manager.create(**values))
    return written


# Notifications: every kind there was, and what each row must become ----------------------------------------

MEETING_NOTICE = "meetings_meetingnotice"
ACTION_NOTICE = "meetings_actionitemnotice"
HANDOVER_NOTICE = "chairmanship_handovernotice"
ACCOUNT_NOTICE = "governance_accountnotice"
NOTICE_TABLES = (MEETING_NOTICE, ACTION_NOTICE, HANDOVER_NOTICE, ACCOUNT_NOTICE)
GONE = {"status": "cancelled", "note": "what it was about no longer exists"}
MISSING = 999_999  # the id of a row that no longer exists


@dataclass
class Expected:
    """What the upgrade must make of the notification rows: the columns a migration changes on purpose (by
    row id), and each row's typed notice (table and columns; None when it is about nothing that exists)."""

    changes: dict[int, dict[str, Any]] = dataclass_field(default_factory=dict)
    notices: dict[int, tuple[str, dict[str, Any]] | None] = dataclass_field(default_factory=dict)


def _write_notifications(state_apps, written: Written) -> Expected:
    """One row of every kind of the old layout (with its ``object_ref`` as the old code wrote it), a
    handover key in the old grammar, and rows about things deleted since."""
    Notification = state_apps.get_model("meetings", "Notification")
    meeting, person = written["meetings.meeting"][0], written["governance.person"][0]
    m, p, s = meeting.pk, person.pk, meeting.sequence
    item, handover = written["meetings.actionitem"][0].pk, written["chairmanship.handover"][0].pk
    agenda, invitation = written["meetings.agendaversion"][0].pk, written["meetings.invitation"][0].pk
    user = written[settings.AUTH_USER_MODEL.lower()][0].pk
    expected = Expected()

    def meeting_notice(**columns) -> tuple[str, dict[str, Any]]:
        base = {"meeting_id": m, "person_id": p, "sequence": s, "days": None}
        return MEETING_NOTICE, {**base, "agenda_version_id": None, "withdrawn_invitation_id": None, **columns}

    def add(kind, key, object_ref, notice, *, changes=None, about_meeting=True, to=person, **columns) -> None:
        n = len(expected.notices)
        row = Notification.objects.create(
            kind=kind,
            key=key,
            object_ref=object_ref,
            meeting=meeting if about_meeting else None,
            meeting_sequence=s if notice and notice[0] == MEETING_NOTICE else None,
            person=to,
            recipient=columns.pop("recipient", person.email),
            due_at=dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC) + dt.timedelta(hours=n),
            status=columns.pop("status", "sent"),
            subject=f"{kind} {n}: the subject as sent",
            body_text=f"{kind} {n}: the text as sent,\non two lines",
            **columns,
        )
        expected.notices[row.pk] = notice
        if changes:
            expected.changes[row.pk] = changes

    add("invite", f"request:meeting-{m}:person-{p}:s{s}.l1", f"meeting:{m}", meeting_notice())
    add(
        "update",
        f"request:meeting-{m}:person-{p}:s{s}.l2",
        f"meeting:{m}",
        meeting_notice(),
        status="planned",
    )
    add("cancel", f"cancel:meeting-{m}:person-{p}:s{s}.l1", f"meeting:{m}", meeting_notice())
    add(
        "cancel",
        f"cancel:meeting-{m}:person-{p}:s{s}.l2",
        f"invitation:{invitation}",
        meeting_notice(withdrawn_invitation_id=invitation),
    )
    add(
        "agenda",
        f"agenda:agendaversion-{agenda}:person-{p}:v1",
        f"agendaversion:{agenda}",
        meeting_notice(agenda_version_id=agenda),
    )
    add(
        "reminder",
        f"reminder:meeting-{m}:person-{p}:s{s}.d7",
        f"meeting:{m}",
        meeting_notice(days=7),
        status="planned",
    )
    add(
        "coming_up",
        f"coming_up:meeting-{m}:person-{p}:s{s}",
        f"meeting:{m}",
        meeting_notice(),
        status="skipped",
        note="declined: no reminder",
    )
    add(
        "chaser",
        f"chaser:meeting-{m}:person-{p}:s{s}.d3",
        f"meeting:{m}",
        meeting_notice(days=3),
        status="failed",
        attempts=5,
        last_error="SMTPServerDisconnected",
    )
    add(
        "action_due",
        f"action_due:actionitem-{item}:person-{p}:2026-03-20.d1",
        f"actionitem:{item}",
        (
            ACTION_NOTICE,
            {"action_item_id": item, "person_id": p, "due_date": dt.date(2026, 3, 20), "days": 1},
        ),
    )
    # Handover keys take the one grammar, the address in lower case (as planning writes it now).
    add(
        "handover",
        f"handover:{handover}:Ann.Chair@Example.org:d30",
        f"handover:{handover}",
        (HANDOVER_NOTICE, {"handover_id": handover, "person_id": p, "days": 30}),
        changes={"key": f"handover:handover-{handover}:ann.chair@example.org:d30"},
        about_meeting=False,
        recipient="Ann.Chair@Example.org",
        status="planned",
    )
    add(
        "handover",
        f"handover:{handover}:secretariat@example.org:d7",
        f"handover:{handover}",
        (HANDOVER_NOTICE, {"handover_id": handover, "person_id": None, "days": 7}),
        changes={"key": f"handover:handover-{handover}:secretariat@example.org:d7"},
        about_meeting=False,
        to=None,
        recipient="secretariat@example.org",
    )
    add(
        "account",
        f"account:user-{user}:person-{p}:invite",
        f"user:{user}",
        (ACCOUNT_NOTICE, {"user_id": user, "invited_by": "the ACCMSME Secretariat"}),
        about_meeting=False,
        status="planned",
    )
    # About things deleted since: sent history kept as it was; what was still to go is cancelled.
    add(
        "action_due",
        f"action_due:actionitem-{MISSING}:person-{p}:2026-03-20.d7",
        f"actionitem:{MISSING}",
        None,
        changes=GONE,
        status="planned",
    )
    add(
        "cancel",
        f"cancel:meeting-{m}:person-{p}:s{s}.l3",
        f"invitation:{MISSING}",
        meeting_notice(),
        changes=GONE,
        status="planned",
    )
    add(
        "handover",
        f"handover:{MISSING}:ben@example.org:d7",
        f"handover:{MISSING}",
        None,
        changes={"key": f"handover:handover-{MISSING}:ben@example.org:d7"},
        about_meeting=False,
    )
    add(
        "account",
        f"account:user-{MISSING}:person-{p}:invite",
        f"user:{MISSING}",
        None,
        changes=GONE,
        about_meeting=False,
        status="sending",
    )
    kinds = set(Notification.objects.values_list("kind", flat=True))
    assert kinds == {value for value, _ in Notification._meta.get_field("kind").choices}, "a kind is missing"
    return expected


def _notice_differences(expected: Expected, latest_apps) -> list[str]:
    """Each notification's typed notice, in the table of its kind and no other, with the expected columns."""
    latest_models = _models_by_table(latest_apps)
    found: dict[str, dict[int, dict[str, Any]]] = {}
    for table in NOTICE_TABLES:
        model = latest_models[table]
        columns = {f.attname: f.column for f in model._meta.concrete_fields}
        found[table] = {
            row["message_id"]: {columns[k]: v for k, v in row.items()}
            for row in model._base_manager.order_by().values(*columns)
        }
    problems = [
        f"{table}: a notice for message {pk}, which had none"
        for table, rows in found.items()
        for pk in rows.keys() - expected.notices.keys()
    ]
    for pk, notice in expected.notices.items():
        want = {} if notice is None else {notice[0]: {"message_id": pk, **notice[1]}}
        # A column added since (null on the upgraded rows) is not a difference.
        held = {
            table: {k: v for k, v in rows[pk].items() if v is not None or k in want.get(table, {})}
            for table, rows in found.items()
            if pk in rows
        }
        if held != want:
            problems.append(f"message {pk}: expected {want or 'no notice'}, found {held or 'no notice'}")
    return problems


# Reading them back ------------------------------------------------------------------------------------------


def _snapshot(state_apps, tables: dict[str, set[str]] | None = None) -> Snapshot:
    """Every row of the given tables (default: every table of the three apps), by table, id and column."""
    by_table = _models_by_table(state_apps)
    wanted = tables or {
        m._meta.db_table: set()
        for m in state_apps.get_models(include_auto_created=True)
        if m._meta.app_label in OLD_LEAVES
    }
    snapshot: Snapshot = {}
    for table in wanted:
        model = by_table[table]
        fields = [f for f in model._meta.concrete_fields if not wanted[table] or f.column in wanted[table]]
        rows = model._base_manager.order_by().values(*(f.attname for f in fields))
        pk = model._meta.pk.attname
        snapshot[table] = {r[pk]: {f.column: r[f.attname] for f in fields} for r in rows}
    return snapshot


def _models_by_table(state_apps) -> dict[str, type[models.Model]]:
    found: dict[str, type[models.Model]] = {}
    for model in state_apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        table = model._meta.db_table
        assert table not in found, f"{table} belongs to {found[table]._meta.label} and {model._meta.label}"
        found[table] = model
    return found


def _differences(before: Snapshot, latest_apps, changes: dict[str, dict[Any, dict[str, Any]]]) -> list[str]:
    """What the upgrade lost or changed, one line each, but the ``changes`` made on purpose (table -> row id ->
    column -> new value); empty when every row came through whole."""
    latest_models = _models_by_table(latest_apps)
    problems: list[str] = []
    for old_table, rows in before.items():
        if old_table in TABLES_DROPPED:
            continue
        table = TABLES_RENAMED.get(old_table, old_table)
        model = latest_models.get(table)
        if model is None:
            problems.append(f"{old_table}: no model of the latest state has this table")
            continue
        present = {f.column for f in model._meta.concrete_fields}
        compared = {c for c in next(iter(rows.values())) if (old_table, c) not in COLUMNS_CHANGED}
        problems += [f"{table}.{c}: the column is gone" for c in sorted(compared - present)]
        after = _snapshot(latest_apps, {table: compared & present})[table]
        for pk, old_row in rows.items():
            old_row = {**old_row, **changes.get(old_table, {}).get(pk, {})}
            new_row = after.get(pk)
            if new_row is None:
                problems.append(f"{table} ({model._meta.label}): row {pk} is gone")
                continue
            problems += [
                f"{table}.{c} row {pk}: {old_row[c]!r} -> {new_row[c]!r}"
                for c in sorted(compared & present)
                if new_row[c] != old_row[c]
            ]
    return problems


# The test ---------------------------------------------------------------------------------------------------


def test_a_database_of_the_old_layout_upgrades_with_every_row_kept(empty_database):
    executor = _migrate(_old_targets(MigrationExecutor(connection)))
    old_apps = executor.loader.project_state(_old_targets(executor)).apps
    expected = _write_notifications(old_apps, _fill(old_apps))
    before = _snapshot(old_apps)
    empty = sorted(table for table, rows in before.items() if not rows)
    assert not empty, f"tables left without a row, so their upgrade is not tested: {empty}"
    assert len(before) == 55  # 52 models of the three apps at OLD_LEAVES, and 3 many-to-many tables

    executor = _migrate(_graph_leaves(MigrationExecutor(connection)))
    assert not executor.migration_plan(_graph_leaves(executor)), "the latest migrations are all applied"
    latest_apps = executor.loader.project_state().apps

    problems = _differences(before, latest_apps, {"meetings_notification": expected.changes})
    assert not problems, "the upgrade lost or changed rows:\n" + "\n".join(problems)
    problems = _notice_differences(expected, latest_apps)
    assert not problems, "a notification lost what it was about:\n" + "\n".join(problems)
    # Read through the latest state's models (by table, wherever the model lives now), every row is there.
    latest_models = _models_by_table(latest_apps)
    for table, rows in before.items():
        if table in TABLES_DROPPED:
            continue
        model = latest_models[TABLES_RENAMED.get(table, table)]
        assert model._base_manager.filter(pk__in=list(rows)).count() == len(rows), model._meta.label
