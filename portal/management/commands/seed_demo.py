from django.core.management.base import BaseCommand, CommandError

from governance.models import Body
from governance.permissions import today_in_asean
from portal.demo import DEMO_PASSWORD, create_demo_users


class Command(BaseCommand):
    help = "Create the demo accounts (idempotent) and print their logins."

    def handle(self, *args, **options) -> None:
        if not Body.objects.filter(acronym="ACCMSME").exists():
            raise CommandError("ACCMSME is not in the database: run `manage.py seed_asean` first.")
        rows = create_demo_users(on=today_in_asean())
        width = max(len(u) for u, _ in rows)
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}) at http://127.0.0.1:8000/")
        for username, what in rows:
            self.stdout.write(f"  {username:<{width}}  {what}")
