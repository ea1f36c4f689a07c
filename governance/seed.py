"""Load the governance part of the real ASEAN structure from ``governance/data/asean.yaml`` as editable
records, and the ``Seeder`` the other apps load their parts with.

Creates what is missing, never overwrites a row that exists (a person may have corrected it), and reports
every field where the stored row and the data file differ. Running it twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.db import models

from governance.input_rules import FIRST_YEAR, LAST_YEAR, year_in_range
from governance.models import (
    Body,
    MemberState,
    Organisation,
    ReportingLine,
    StrategicGoal,
    StrategicPlan,
)

DATA_FILE = Path(__file__).resolve().parent / "data" / "asean.yaml"


class SeedError(Exception):
    pass


@dataclass
class SeedReport:
    created: list[str] = field(default_factory=list)
    unchanged: int = 0
    differs: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [
            f"created {len(self.created)}, unchanged {self.unchanged}, differing {len(self.differs)} (kept as stored)"
        ]
        out += [f"  + {c}" for c in self.created]
        out += [f"  ≠ {d}" for d in self.differs]
        return out


def load_data(path: Path = DATA_FILE) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise SeedError(f"cannot read {path}: {exc}") from exc
    if not isinstance(data, dict) or "member_states" not in data:
        raise SeedError(f"{path} has no member_states section")
    return data


class Seeder:
    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.report = SeedReport()

    def ensure(self, model: type[models.Model], lookup: dict, values: dict, label: str) -> models.Model:
        for name, value in {**lookup, **values}.items():
            # The data file obeys the input rules too (governance/input_rules.py, decision 0042).
            if isinstance(value, dt.date) and not year_in_range(value.year):
                raise SeedError(f"{label}: {name} {value} is not between {FIRST_YEAR} and {LAST_YEAR}")
        obj = model.objects.filter(**lookup).first()
        if obj is None:
            obj = model.objects.create(**lookup, **values)
            self.report.created.append(f"{model._meta.verbose_name} {label}")
            return obj
        diffs = []
        for name, wanted in values.items():
            have = getattr(obj, name)
            if isinstance(have, models.Model):
                have = have.pk
                wanted = wanted.pk if isinstance(wanted, models.Model) else wanted
            if have != wanted:
                diffs.append(f"{name}: stored {have!r}, data file {wanted!r}")
        if diffs:
            self.report.differs.append(f"{model._meta.verbose_name} {label}: " + "; ".join(diffs))
        else:
            self.report.unchanged += 1
        return obj

    @staticmethod
    def fact(row: dict, default_certainty: str = "sourced") -> dict:
        return {"source": row.get("source", ""), "certainty": row.get("certainty", default_certainty)}

    def state(self, name: str) -> MemberState:
        try:
            return self.states[name]
        except KeyError:
            raise SeedError(f"unknown member state {name!r} in the data file") from None

    def body(self, acronym: str) -> Body:
        try:
            return self.bodies_by_acronym[acronym]
        except KeyError:
            raise SeedError(f"unknown body {acronym!r} in the data file") from None

    def member_states(self) -> None:
        self.states: dict[str, MemberState] = {}
        zones = zoneinfo.available_timezones()
        for row in self.data["member_states"]:
            if row["timezone"] not in zones:
                raise SeedError(f"{row['short_name']}: {row['timezone']} is not an IANA time zone")
            values = {
                k: row[k]
                for k in ("official_name", "iso2", "iso3", "capital", "timezone", "zone_label", "admitted_on")
            }
            values.update(self.fact(row))
            self.states[row["short_name"]] = self.ensure(
                MemberState, {"short_name": row["short_name"]}, values, row["short_name"]
            )

    def organisations(self) -> None:
        for row in self.data.get("organisations", []):
            values = {"acronym": row.get("acronym", ""), "kind": row["kind"], **self.fact(row)}
            self.ensure(Organisation, {"name": row["name"]}, values, row["name"])

    def plans(self) -> None:
        self.goals: dict[tuple[str, str], StrategicGoal] = {}
        for row in self.data.get("strategic_plans", []):
            values = {
                "name": row["name"],
                "period_start": row["period_start"],
                "period_end": row["period_end"],
                "vision": row.get("vision", ""),
                "adopted_on": row.get("adopted_on"),
                **self.fact(row),
            }
            plan = self.ensure(
                StrategicPlan,
                {"short_name": row["short_name"], "version": row.get("version", 1)},
                values,
                row["short_name"],
            )
            for goal in row.get("goals", []):
                g = self.ensure(
                    StrategicGoal,
                    {"plan": plan, "code": str(goal["code"])},
                    {
                        "title": goal["title"],
                        "source": row.get("source", ""),
                        "certainty": goal.get("certainty", "sourced"),
                    },
                    f"{row['short_name']} {goal['code']}",
                )
                self.goals[(row["short_name"], str(goal["code"]))] = g

    def bodies(self) -> None:
        self.bodies_by_acronym: dict[str, Body] = {}
        for row in self.data["bodies"]:
            values = {
                k: row[k]
                for k in ("name", "kind", "mandate", "meetings_per_year", "chair_policy", "parent_access")
                if k in row
            }
            values["established_on"] = row.get("established_on")
            values.update(self.fact(row))
            created_before = Body.objects.filter(acronym=row["acronym"]).exists()
            body = self.ensure(Body, {"acronym": row["acronym"]}, values, row["acronym"])
            if not created_before:
                # Goals are links, set only when the body is new so a person's later edits stand.
                body.goals.set([self.goals[tuple(g)] for g in row.get("goals", [])])
            self.bodies_by_acronym[row["acronym"]] = body

    def reporting_lines(self) -> None:
        for row in self.data.get("reporting_lines", []):
            frm, to = self.body(row["from"]), self.body(row["to"])
            line = ReportingLine.objects.filter(from_body=frm, to_body=to, kind=row["kind"]).first()
            if line is None:
                line = ReportingLine(
                    from_body=frm,
                    to_body=to,
                    kind=row["kind"],
                    valid_from=row.get("valid_from"),
                    **self.fact(row),
                )
                line.save()
                self.report.created.append(f"reporting line {line}")
            else:
                self.report.unchanged += 1


def seed_governance(seeder: Seeder) -> None:
    """The governance part of the data file: member states, organisations, plans, bodies, reporting lines.
    The apps above seed their own parts with the same ``Seeder`` (``portal.seed`` runs them in order)."""
    seeder.member_states()
    seeder.organisations()
    seeder.plans()
    seeder.bodies()
    seeder.reporting_lines()


def year_bounds(year: int, month: int = 1, day: int = 1) -> tuple[dt.date, dt.date]:
    start = dt.date(year, month, day)
    end = dt.date(year + 1, month, day) - dt.timedelta(days=1)
    return start, end
