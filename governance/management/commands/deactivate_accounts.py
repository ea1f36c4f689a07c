import datetime as dt

from django.core.management.base import BaseCommand

from governance.accounts import deactivate_lapsed_accounts


class Command(BaseCommand):
    help = "Deactivate the users whose last membership has ended (the daily job, run by hand)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--on", type=dt.date.fromisoformat, help="Judge memberships on this day")
        parser.add_argument("--dry-run", action="store_true", help="Only list who would be deactivated")

    def handle(self, *args, on: dt.date | None, dry_run: bool, **options) -> None:
        names = deactivate_lapsed_accounts(on=on, dry_run=dry_run)
        verb = "Would deactivate" if dry_run else "Deactivated"
        self.stdout.write(f"{verb} {len(names)} account(s)" + (": " + ", ".join(names) if names else "."))
