"""``manage.py backup [FOLDER]``: the database and the media files, with a manifest (portal.operations)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from portal.operations.backup import BackupError, backup


class Command(BaseCommand):
    help = "Write a consistent backup (database dump, media files, manifest with sizes and checksums)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("folder", nargs="?", help="An empty folder (default: var/backups/<time>)")

    def handle(self, *args, folder: str | None = None, **options) -> None:
        now = timezone.now()
        target = (
            Path(folder) if folder else Path(settings.VAR_DIR) / "backups" / now.strftime("%Y%m%dT%H%M%SZ")
        )
        try:
            manifest = backup(target, now=now)
        except (BackupError, OSError) as exc:
            raise CommandError(str(exc)) from None
        sizes = ", ".join(f"{n} {m['size']} bytes" for n, m in manifest["files"].items())
        self.stdout.write(f"backup written to {target}: {sizes}; {manifest['documents']} document(s)")
