"""``manage.py restore FOLDER``: check the manifest, load the database and the media files; messages that
were planned or being sent are held for the Secretariat (portal.operations)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.operations.backup import BackupError, restore


class Command(BaseCommand):
    help = "Restore a backup written by `manage.py backup` into this site's database and MEDIA_ROOT."

    def add_arguments(self, parser) -> None:
        parser.add_argument("folder")
        parser.add_argument("--without-media", action="store_true", help="The database only")

    def handle(self, *args, folder: str, without_media: bool = False, **options) -> None:
        try:
            done = restore(Path(folder), with_media=not without_media)
        except (BackupError, OSError) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"restored {done.documents} document(s); {done.held} message(s) held for the Secretariat "
            "(Outbox page: release or cancel)"
        )
