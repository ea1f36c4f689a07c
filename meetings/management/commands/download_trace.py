"""``manage.py download_trace K7Q2M9XA``: who received the copy stamped with that id (or with that SHA-256).
Exits non-zero with one line when there is none."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from meetings.services.downloads import download_find


class Command(BaseCommand):
    help = "Name the person a stamped copy of a Restricted or Confidential paper was issued to."

    def add_arguments(self, parser) -> None:
        parser.add_argument("download_id", help="The id stamped on the copy's pages, or the file's SHA-256")

    def handle(self, *args, download_id: str, **options) -> None:
        found = download_find(download_id)
        if found is None:
            raise CommandError(f"No copy was issued under {download_id!r}.")
        self.stdout.write(
            f"{found.download_id}: {found.document_title} (v{found.document_version}, "
            f"{found.get_classification_display()}) issued to {found.recipient} ({found.delegation}) "
            f"on {found.at:%Y-%m-%d %H:%M} UTC" + ("" if found.stamped else f" [{found.note}]")
        )
