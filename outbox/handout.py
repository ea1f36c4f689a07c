"""Finding what is due and what a dead worker left behind (the sweep's reads and repairs)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q

from outbox.models import Message
from outbox.sending import setting

Status = Message.Status


def reclaim_stuck(*, now: dt.datetime) -> int:
    """Rows left in "sending" by a worker (or a database connection) that died: back to planned (or failed
    after the last attempt), marked *possibly delivered*: the send may have reached the server before the
    death. A row whose send is still running is locked by it (see ``outbox.sending``) and skipped, so the
    claim timeout only has to cover the moment between the claim and that lock."""
    timeout = dt.timedelta(seconds=setting("NOTIFY_CLAIM_TIMEOUT_SECONDS", 60))
    max_attempts = setting("NOTIFY_MAX_ATTEMPTS", 5)
    with transaction.atomic():
        orphans = list(
            Message.objects.select_for_update(skip_locked=True)
            .filter(status=Status.SENDING, claimed_at__lt=now - timeout)
            .values_list("pk", flat=True)
        )
        stuck = Message.objects.filter(pk__in=orphans, status=Status.SENDING)
        failed = stuck.filter(attempts__gte=max_attempts).update(
            status=Status.FAILED,
            possibly_delivered=True,
            last_error="worker lost while sending (possibly delivered); no attempts left",
        )
        back = stuck.filter(attempts__lt=max_attempts).update(
            status=Status.PLANNED,
            next_attempt_at=None,
            possibly_delivered=True,
            last_error="worker lost while sending (possibly delivered); retried",
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
