"""``manage.py rotation ACCMSME --from 2024 --to 2035 [--apply] [--quiet]``: who chairs a body, year by year."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from chairmanship.rotation import RotationError, Status
from chairmanship.selectors import rotation_for_body
from chairmanship.terms import rotation_apply
from governance.models import Body
from governance.permissions import today_in_asean


class Command(BaseCommand):
    help = (
        "Print a body's chair and vice-chair for each year with the reason (forecast years marked provisional); "
        "--apply writes the missing terms (idempotent; never rewrites a recorded term)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("body", help='Acronym of the body, e.g. ACCMSME or "ASEAN Summit"')
        parser.add_argument("--from", dest="year_from", type=int, help="First year (default: this year)")
        parser.add_argument("--to", dest="year_to", type=int, help="Last year (default: ten years on)")
        parser.add_argument("--apply", action="store_true", help="Write the terms the record lacks")
        parser.add_argument("--quiet", action="store_true", help="Print nothing but errors")

    def handle(self, *args, **options) -> None:
        today = today_in_asean()
        year_from = options["year_from"] or today.year
        year_to = options["year_to"] or year_from + 10
        if year_from > year_to:
            raise CommandError(f"--from {year_from} is after --to {year_to}")
        acronym = options["body"]
        body = Body.objects.filter(acronym__iexact=acronym).first()
        if body is None:
            known = ", ".join(Body.objects.order_by("acronym").values_list("acronym", flat=True))
            raise CommandError(f"unknown body {acronym!r} (known: {known or 'none, run seed_asean'})")
        try:
            if options["apply"]:
                rotation, report = rotation_apply(
                    body=body, year_from=year_from, year_to=year_to, today=today
                )
            else:
                rotation, report = rotation_for_body(body=body, year_from=year_from, year_to=year_to), None
        except RotationError as exc:
            raise CommandError(str(exc)) from exc
        if options["quiet"]:
            return
        self.stdout.write(f"{body.acronym}: {body.get_chair_policy_display()}, {year_from}–{year_to}")
        rows = [("Year", "Chair", "Vice-chair", "Status", "Reason")]
        for y in rotation.years:
            status = y.status.value.upper() if y.status == Status.PROVISIONAL else y.status.value
            rows.append((str(y.year), y.chair or "—", y.vice_chair or "—", status, y.reason))
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        for r in rows:
            self.stdout.write("  ".join(c.ljust(w) for c, w in zip(r[:4], widths, strict=True)) + "  " + r[4])
        for w in rotation.warnings:
            self.stdout.write(f"warning: {w}")
        if report is not None:
            self.stdout.write(f"Applied: {report.summary()}")
            for line in report.created:
                self.stdout.write(f"  + {line}")
            for line in report.updated:
                self.stdout.write(f"  ~ {line}")
            for line in report.kept:
                self.stdout.write(f"  = {line}")
