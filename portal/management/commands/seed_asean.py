from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from governance.seed import DATA_FILE, SeedError
from portal.seed import seed_asean


class Command(BaseCommand):
    help = "Load the real ASEAN structure (member states, bodies, lines, plans, chairs) from the data file."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--file", default=str(DATA_FILE), help="YAML data file (default: the bundled one)"
        )

    def handle(self, *args, **options) -> None:
        try:
            report = seed_asean(Path(options["file"]))
        except SeedError as exc:
            raise CommandError(str(exc)) from exc
        if not report.created and not report.differs:
            self.stdout.write(f"Nothing to do: all {report.unchanged} records already match the data file.")
            return
        for line in report.lines():
            self.stdout.write(line)
