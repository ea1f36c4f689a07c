"""Print (and with --save, schedule) a body's meetings for a year, as the planning page proposes them."""

from __future__ import annotations

import zoneinfo

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from governance.models import Body
from meetings.services import year_plan as year_plan_services


class Command(BaseCommand):
    help = "Propose next year's meetings of a body (host from the chair term, numbered from the record)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--body", default="ACCMSME", help="Body acronym (default ACCMSME)")
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--save", action="store_true", help="Schedule the proposals as planned meetings")

    def handle(self, *args, body: str, year: int, save: bool, **options) -> None:
        target = Body.objects.filter(acronym=body).first()
        if target is None:
            raise CommandError(f"No body with the acronym {body!r}.")
        try:
            proposals = year_plan_services.meeting_year_propose(body=target, year=year)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        if not proposals:
            self.stdout.write("Nothing to propose: the year's meetings are already scheduled.")
            return
        for p in proposals:
            tz = zoneinfo.ZoneInfo(p.timezone)
            prefix = "    before it: " if p.is_preparatory else ""
            self.stdout.write(
                f"{prefix}{p.title}: {p.start.astimezone(tz):%a %d %b %Y %H:%M}–{p.end.astimezone(tz):%H:%M} "
                f"{p.timezone}, {p.city or '?'}{f' ({p.host})' if p.host else ''}"
            )
            for w in p.warnings:
                self.stdout.write(self.style.WARNING(f"    ! {w}"))
        if save:
            try:
                created = year_plan_services.meeting_year_confirm(proposals=proposals)
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
            self.stdout.write(self.style.SUCCESS(f"Scheduled {len(created)} meeting(s) as planned."))
