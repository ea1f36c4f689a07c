"""The Secretariat's outbox: every notification with its status and the meeting version it described, and
the messages written to ``var/outbox`` by the file backend of ``make run``.

``OutboxBackend`` is that file backend: one ``.eml`` file per Message-ID, written atomically. Messages
carry a Message-ID derived from their notification key, so a message sent again after a worker died
mid-send replaces its own file instead of adding a second one (what a mail client does with a repeated
Message-ID too). Each delivery is also appended to ``deliveries.log``, so a resend stays countable.
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
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.mail.backends.base import BaseEmailBackend
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from governance.permissions import is_secretariat
from meetings.models import Notification

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


def _require_secretariat(request) -> None:
    if not is_secretariat(request.user):
        raise PermissionDenied("The outbox is the Secretariat's.")


@login_required
def outbox(request):
    _require_secretariat(request)
    qs = Notification.objects.select_related("meeting", "person").order_by("-due_at", "-pk")
    status = request.GET.get("status", "")
    kind = request.GET.get("kind", "")
    if status in Notification.Status.values:
        qs = qs.filter(status=status)
    if kind in Notification.Kind.values:
        qs = qs.filter(kind=kind)
    if request.GET.get("meeting", "").isdigit():
        qs = qs.filter(meeting_id=int(request.GET["meeting"]))
    page = Paginator(qs, 100).get_page(request.GET.get("page"))
    counts = {s: 0 for s in Notification.Status.values}
    for row in Notification.objects.values("status").order_by().annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]
    return render(
        request,
        "meetings/outbox.html",
        {
            "page": page,
            "counts": counts,
            "statuses": Notification.Status.choices,
            "kinds": Notification.Kind.choices,
            "status": status,
            "kind": kind,
            "messages_on_disk": outbox_messages(),
            "outbox_path": outbox_dir(),
            "now": timezone.now(),
        },
    )


@login_required
def outbox_message(request, name: str):
    """One message as written (RFC 822 text), for the Secretariat to check what went out."""
    _require_secretariat(request)
    if not FILE_RE.match(name):
        raise Http404("No such message")
    path = outbox_dir() / name
    if not path.is_file():
        raise Http404("No such message")
    return HttpResponse(path.read_bytes(), content_type="text/plain; charset=utf-8")


@login_required
@require_POST
def outbox_retry(request, pk: int):
    """Send a failed notification again from the first attempt."""
    from meetings.notifications import dispatch

    _require_secretariat(request)
    row = get_object_or_404(Notification, pk=pk)
    with transaction.atomic():
        changed = Notification.objects.filter(pk=row.pk, status=Notification.Status.FAILED).update(
            status=Notification.Status.PLANNED, attempts=0, next_attempt_at=None, due_at=timezone.now()
        )
        if changed:
            transaction.on_commit(lambda: dispatch([row.pk]))
    return HttpResponseRedirect(reverse("meetings:outbox") + "?status=failed")
