"""Sending: claim, build at send time, send, record; retry with backoff.

- **One sender.** A send claims its row with a conditional update (planned → sending, as healthchecks'
  ``sendalerts`` does); only the worker whose update changed the row sends. A failure goes back to planned
  with an exponential backoff (``next_attempt_at``) and ends as *failed* after ``NOTIFY_MAX_ATTEMPTS``.
- **Never stale.** The message is built now, by the builder its kind's owner registered, from the thing it
  is about as it stands; the builder may withhold it (superseded, answered, closed) with a note.
- **What went out is kept.** A sent row records the subject and plain text it was sent with.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from outbox.keys import message_id
from outbox.models import Message
from outbox.registry import LATE_POLICIES, Withheld, kind_spec

log = logging.getLogger(__name__)
Status = Message.Status


def setting(name: str, default):
    return getattr(settings, name, default)


def late_policy(kind: str) -> str:
    spec = kind_spec(kind)
    default = spec.late_policy if spec else "skip"
    policy = setting("NOTIFICATION_LATE_POLICY", {}).get(kind, default)
    if policy not in LATE_POLICIES:
        raise ValueError(f"NOTIFICATION_LATE_POLICY[{kind!r}] must be one of {LATE_POLICIES}, not {policy!r}")
    return policy


@dataclass
class SendContext:
    """What a batch of sends shares: the clock, one mail connection, and what the kinds preloaded."""

    now: dt.datetime
    connection: object = None
    cache: dict = field(default_factory=dict)


def claim_batch(ids: Iterable[int], now: dt.datetime) -> set[int]:
    """planned → sending, each row by exactly one worker; one transaction for the whole batch instead of
    one update per message. Rows another worker holds locked are skipped, not waited for; rows it has
    already claimed are no longer planned."""
    with transaction.atomic():
        claimed = set(
            Message.objects.select_for_update(skip_locked=True)
            .filter(pk__in=list(ids), status=Status.PLANNED, due_at__lte=now)
            .values_list("pk", flat=True)
        )
        if claimed:
            Message.objects.filter(pk__in=claimed).update(
                status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
            )
    return claimed


def claim(row_id: int, now: dt.datetime) -> bool:
    return row_id in claim_batch([row_id], now)


def record_failure(row_id: int, attempts: int, error: str, now: dt.datetime) -> str:
    max_attempts = setting("NOTIFY_MAX_ATTEMPTS", 5)
    if attempts >= max_attempts:
        Message.objects.filter(pk=row_id, status=Status.SENDING).update(
            status=Status.FAILED, last_error=error[:2000], next_attempt_at=None
        )
        return Status.FAILED
    backoff = setting("NOTIFY_RETRY_BASE_SECONDS", 60) * 2 ** (attempts - 1)
    Message.objects.filter(pk=row_id, status=Status.SENDING).update(
        status=Status.PLANNED, last_error=error[:2000], next_attempt_at=now + dt.timedelta(seconds=backoff)
    )
    return "retry"


def build(row: Message, ctx: SendContext) -> EmailMessage | Withheld:
    """The email for one row, built now by its kind's owner, with the Message-ID of its key."""
    spec = kind_spec(row.kind)
    if spec is None:
        return Withheld(Status.FAILED, f"no app registers the kind {row.kind!r}")
    if (
        spec.check_late_at_send
        and late_policy(row.kind) == "skip"
        and row.due_at < row.created_at - dt.timedelta(minutes=1)
    ):
        return Withheld(Status.SKIPPED, "moment had passed when planned (policy skip)")
    message = spec.build(row, ctx)
    if isinstance(message, Withheld):
        return message
    message.extra_headers = {
        **message.extra_headers,
        "Message-ID": message_id(row.key),
        "X-ACCMSME-Notification": row.key,
    }
    message.connection = ctx.connection
    return message


def send_one(row: Message, ctx: SendContext) -> str:
    """Check, build, send, record one row this worker has claimed. Returns what happened."""
    try:
        message = build(row, ctx)
        if isinstance(message, Withheld):
            Message.objects.filter(pk=row.pk, status=Status.SENDING).update(
                status=message.status, note=message.note[:300]
            )
            return message.status
        ctx.connection.send_messages([message])
    except Exception as exc:  # noqa: BLE001 - any failure is recorded on the row and retried
        log.warning("message %s failed: %s", row.key, exc)
        return record_failure(row.pk, row.attempts, f"{type(exc).__name__}: {exc}", ctx.now)
    # One update per message after it left: the line between "sent" and "send again after a crash". It
    # records what went out (a record for the Secretariat; a message is always built afresh).
    Message.objects.filter(pk=row.pk, status=Status.SENDING).update(
        status=Status.SENT,
        sent_at=ctx.now,
        last_error="",
        next_attempt_at=None,
        subject=str(message.subject)[:300],
        body_text=str(message.body),
    )
    return Status.SENT


def _preload(ids: Iterable[int], ctx: SendContext) -> dict[int, Message]:
    """The batch's claimed rows, then what each kind needs for them, loaded once per kind for the batch."""
    rows = {r.pk: r for r in Message.objects.filter(pk__in=list(ids), status=Status.SENDING)}
    by_kind: dict[str, list[Message]] = defaultdict(list)
    for row in rows.values():
        by_kind[row.kind].append(row)
    for kind, kind_rows in by_kind.items():
        spec = kind_spec(kind)
        if spec is not None and spec.preload is not None:
            spec.preload(kind_rows, ctx)
    return rows


def send_batch(ids: Iterable[int], *, now: dt.datetime | None = None) -> dict[str, int]:
    """Send the given rows (a worker's task body): claim what is still planned, then send it one by one.
    A row not claimed here is sent, cancelled or held by another worker."""
    ids = list(ids)
    start = now or timezone.now()
    claimed = claim_batch(ids, start)
    counts: dict[str, int] = {}
    if len(claimed) < len(ids):
        counts["not-claimed"] = len(ids) - len(claimed)
    if not claimed:
        return counts
    connection = get_connection()
    ctx = SendContext(now=start, connection=connection)
    rows = _preload(claimed, ctx)
    try:
        connection.open()
    except Exception as exc:  # noqa: BLE001 - mail server down: the batch goes back to planned, with backoff
        log.warning("mail connection failed for %d messages: %s", len(rows), exc)
        for row in rows.values():
            record_failure(row.pk, row.attempts, f"{type(exc).__name__}: {exc}", start)
        return {**counts, "retry": len(rows)}
    try:
        for row_id in ids:
            if row_id in rows:
                ctx.now = now or timezone.now()
                outcome = send_one(rows[row_id], ctx)
                counts[outcome] = counts.get(outcome, 0) + 1
    finally:
        connection.close()
    return counts
