"""Seed the rotation rules, their recorded exceptions and the chairs on record (``portal.seed`` calls it
after governance)."""

from __future__ import annotations

from chairmanship.models import ChairTerm, RotationException, RotationRule
from chairmanship.rights import sync_term_rights
from governance.seed import Seeder, year_bounds


def seed_chairmanship(seeder: Seeder) -> None:
    for acronym, spec in seeder.data.get("chairmanship", {}).items():
        body = seeder.body(acronym)
        rule = spec["rule"]
        seeder.ensure(
            RotationRule,
            {"body": body},
            {"anchor_year": rule["anchor_year"], "anchor_state": seeder.state(rule["anchor_state"])},
            f"{acronym}",
        )
        for row in spec.get("exceptions", []):
            values = {
                "other_state": seeder.state(row["other"]) if row.get("other") else None,
                "other_year": row.get("other_year"),
                "note": row.get("note", ""),
                **seeder.fact(row),
            }
            seeder.ensure(
                RotationException,
                {
                    "body": body,
                    "kind": row["kind"],
                    "year": row["year"],
                    "member_state": seeder.state(row["state"]),
                },
                values,
                f"{acronym} {row['kind']} {row['year']} {row['state']}",
            )
        for row in spec.get("terms", []):
            start, end = year_bounds(row["year"])
            state = seeder.state(row["state"])
            existing = ChairTerm.objects.filter(
                body=body, role=ChairTerm.Role.CHAIR, start_date=start
            ).first()
            if existing is None:
                term = ChairTerm.objects.create(
                    body=body,
                    member_state=state,
                    role=ChairTerm.Role.CHAIR,
                    start_date=start,
                    end_date=end,
                    reason=f"Recorded: {row.get('person') + ', ' if row.get('person') else ''}{row.get('source', '')}"[
                        :300
                    ],
                    **seeder.fact(row),
                )
                sync_term_rights(term=term)  # a head of the chairing state may already have a login
                seeder.report.created.append(f"chair term {acronym} {row['year']} {state}")
            elif existing.member_state_id != state.pk:
                seeder.report.differs.append(
                    f"chair term {acronym} {row['year']}: stored {existing.member_state}, data file {state}"
                )
            else:
                seeder.report.unchanged += 1
