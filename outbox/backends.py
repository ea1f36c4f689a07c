"""The file email backend of ``make run``: one ``.eml`` file per Message-ID in ``var/outbox``, written
atomically, for the Secretariat's Outbox page to list.

Messages carry a Message-ID derived from their key, so a message sent again after a worker died mid-send
replaces its own file instead of adding a second one (what a mail client does with a repeated Message-ID
too). Each delivery is also appended to ``deliveries.log``, so a resend stays countable.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import hashlib
import os
import re
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend

FILE_RE = re.compile(r"^[0-9a-f]{40}\.eml$")


def outbox_dir() -> Path:
    return Path(getattr(settings, "EMAIL_FILE_PATH", None) or settings.EMAIL_OUTBOX_DIR)


def file_name_for(message_id: str) -> str:
    return hashlib.sha1(message_id.strip().encode()).hexdigest() + ".eml"  # noqa: S324 - a name, not security


class OutboxBackend(BaseEmailBackend):
    """Django email backend writing ``<sha1 of Message-ID>.eml`` files into the outbox directory."""

    def __init__(self, file_path: str | None = None, fail_silently: bool = False, **kwargs) -> None:
        super().__init__(fail_silently=fail_silently)
        self.path = Path(file_path or getattr(settings, "EMAIL_FILE_PATH", None) or settings.EMAIL_OUTBOX_DIR)
        self.path.mkdir(parents=True, exist_ok=True)

    def send_messages(self, email_messages) -> int:
        sent = 0
        for message in email_messages:
            mime = message.message()
            msgid = str(mime["Message-ID"])
            data = mime.as_bytes(linesep="\r\n")
            fd, tmp = tempfile.mkstemp(dir=self.path, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                os.replace(tmp, self.path / file_name_for(msgid))
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                if not self.fail_silently:
                    raise
                continue
            with open(self.path / "deliveries.log", "a", encoding="utf-8") as log:
                log.write(f"{dt.datetime.now(dt.UTC).isoformat()}\t{msgid}\t{','.join(message.to)}\n")
            sent += 1
        return sent


def outbox_messages(limit: int = 50) -> list[dict]:
    """The latest messages in the outbox directory, newest first, with their main headers."""
    folder = outbox_dir()
    if not folder.is_dir():
        return []
    files = sorted(
        (p for p in folder.iterdir() if FILE_RE.match(p.name)), key=lambda p: p.stat().st_mtime, reverse=True
    )
    rows = []
    for path in files[:limit]:
        with open(path, "rb") as fh:
            msg = email.message_from_binary_file(fh, policy=email.policy.default)
        rows.append(
            {
                "name": path.name,
                "subject": msg["Subject"],
                "to": msg["To"],
                "date": msg["Date"],
                "key": msg["X-ACCMSME-Notification"] or "",
                "parts": [p.get_content_type() for p in msg.walk() if not p.is_multipart()],
            }
        )
    return rows
