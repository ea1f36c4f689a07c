"""Seed the rotation rules, their recorded exceptions and the chairs on record (called by ``seed_asean``)."""

from __future__ import annotations

from chairmanship.models import ChairTerm, RotationException, RotationRule


def seed_chairmanship(seeder) -> None:
    from governance.seed import year_bounds

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
                ChairTerm.objects.create(
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
                seeder.report.created.append(f"chair term {acronym} {row['year']} {state}")
            elif existing.member_state_id != state.pk:
                seeder.report.differs.append(
                    f"chair term {acronym} {row['year']}: stored {existing.member_state}, data file {state}"
                )
            else:
                seeder.report.unchanged += 1
