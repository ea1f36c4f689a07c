"""Migration operations for rules that PostgreSQL states as an exclusion constraint and SQLite as a trigger.

``ExclusionConstraint`` emits ``EXCLUDE USING gist``, which SQLite cannot run, so each rule is written once
here for both databases and the migration applies whichever matches the connection.
"""

from __future__ import annotations

from django.db import migrations


class NoOverlap(migrations.operations.base.Operation):
    """No two rows of ``table`` with equal ``same`` columns (and matching ``where``) overlap in dates.

    Dates are inclusive ``[start, end]``; a NULL end means open-ended.
    """

    reduces_to_sql = False
    reversible = True

    def __init__(
        self,
        table: str,
        name: str,
        same: list[str],
        where: str,
        start: str = "start_date",
        end: str = "end_date",
    ) -> None:
        self.table, self.name, self.same, self.where = table, name, same, where
        self.start, self.end = start, end

    def state_forwards(self, app_label, state) -> None:  # the rule lives in the database only
        pass

    def _postgres(self) -> list[str]:
        cols = ", ".join(f"{c} WITH =" for c in self.same)
        return [
            "CREATE EXTENSION IF NOT EXISTS btree_gist",
            f"ALTER TABLE {self.table} ADD CONSTRAINT {self.name} EXCLUDE USING gist "
            f"({cols}, daterange({self.start}, {self.end}, '[]') WITH &&) WHERE ({self.where})",
        ]

    def _sqlite(self) -> list[str]:
        where_new = self.where
        for token in ("role", "status"):
            where_new = where_new.replace(f"{token} ", f"NEW.{token} ")
        same = " AND ".join(f"o.{c} = NEW.{c}" for c in self.same)
        where_old = " AND ".join(f"o.{part.strip()}" for part in self.where.split(" AND "))
        overlap = (
            f"o.{self.start} <= COALESCE(NEW.{self.end}, '9999-12-31') "
            f"AND COALESCE(o.{self.end}, '9999-12-31') >= NEW.{self.start}"
        )
        statements = []
        for event, extra in (("INSERT", ""), ("UPDATE", " AND o.id <> NEW.id")):
            statements.append(
                f"CREATE TRIGGER {self.name}_{event.lower()} BEFORE {event} ON {self.table} "
                f"WHEN ({where_new}) AND EXISTS (SELECT 1 FROM {self.table} o WHERE {same} AND {where_old} "
                f"AND {overlap}{extra}) BEGIN SELECT RAISE(ABORT, '{self.name}'); END"
            )
        return statements

    def database_forwards(self, app_label, schema_editor, from_state, to_state) -> None:
        vendor = schema_editor.connection.vendor
        statements = (
            self._postgres() if vendor == "postgresql" else self._sqlite() if vendor == "sqlite" else []
        )
        for sql in statements:
            schema_editor.execute(sql)

    def database_backwards(self, app_label, schema_editor, from_state, to_state) -> None:
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            schema_editor.execute(f"ALTER TABLE {self.table} DROP CONSTRAINT IF EXISTS {self.name}")
        elif vendor == "sqlite":
            for event in ("insert", "update"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {self.name}_{event}")

    def describe(self) -> str:
        return f"No overlapping rows in {self.table} ({self.name})"

    def deconstruct(self):
        return (
            self.__class__.__qualname__,
            [],
            {
                "table": self.table,
                "name": self.name,
                "same": self.same,
                "where": self.where,
                "start": self.start,
                "end": self.end,
            },
        )
