"""Finding what is due and what a dead worker left behind (the sweep's reads and repairs)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from outbox.models import Message
from outbox.sending import setting

Status = Message.Status


def reclaim_stuck(*, now: dt.datetime) -> int:
    """Rows left in "sending" by a worker that died: back to planned (or failed after the last attempt)."""
    timeout = dt.timedelta(seconds=setting("NOTIFY_CLAIM_TIMEOUT_SECONDS", 600))
    stuck = Message.objects.filter(status=Status.SENDING, claimed_at__lt=now - timeout)
    max_attempts = setting("NOTIFY_MAX_ATTEMPTS", 5)
    failed = stuck.filter(attempts__gte=max_attempts).update(
        status=Status.FAILED, last_error="worker lost while sending; no attempts left"
    )
    back = stuck.filter(attempts__lt=max_attempts).update(
        status=Status.PLANNED, next_attempt_at=None, last_error="worker lost while sending; retried"
    )
    return failed + back


def due_ids(*, now: dt.datetime, limit: int) -> list[int]:
    return list(
        Message.objects.filter(status=Status.PLANNED, due_at__lte=now)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("due_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def due_now_ids(*, now: dt.datetime, within: Q | None = None) -> list[int]:
    """Rows just planned and already due (first attempts only): handed out when their plan commits."""
    qs = Message.objects.filter(status=Status.PLANNED, due_at__lte=now, next_attempt_at__isnull=True)
    return list(qs.filter(within or Q()).order_by("due_at", "pk").values_list("pk", flat=True))
