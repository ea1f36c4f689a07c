import datetime as dt

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from governance.rights import sync_all_rights, sync_user_rights


class Command(BaseCommand):
    help = (
        "Re-derive object rights from memberships, chair terms and invitations (everyone, or one user): the "
        "operator's repair after rows were written around the services."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--user", help="Only this username")
        parser.add_argument(
            "--on", type=dt.date.fromisoformat, help="Judge memberships and terms on this day"
        )

    def handle(self, *args, user: str | None, on: dt.date | None, **options) -> None:
        if user:
            try:
                u = get_user_model().objects.get(username=user)
            except get_user_model().DoesNotExist as exc:
                raise CommandError(f"No user {user!r}") from exc
            granted, withdrawn = sync_user_rights(u, on=on)
            self.stdout.write(f"{user}: {granted} granted, {withdrawn} withdrawn.")
            return
        n = sync_all_rights(on=on)
        self.stdout.write(f"Rights re-derived for {n} users.")
