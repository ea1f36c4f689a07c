"""Sending: claim, check and build at send time, send, record; retry with backoff (docs/decisions, see
``outbox`` in README "Delivery guarantee").

- **One sender, one row at a time.** A row is claimed just before it is sent, with a conditional update
  (planned → sending, as healthchecks' ``sendalerts`` does), which commits and records the claim time and
  the Message-ID. The claim time is the row's own, so a slow batch is never reclaimed under its worker.
- **Checked in the transaction that sends.** The send runs in one transaction that locks the row (the
  sweep's reclaim skips a locked row: a live send is never taken over) and in which the kind's builder
  checks, and locks for share, the thing the message is about as it stands now: a change committed before
  the lock is seen and the message withheld; a change committed after waits for the send to be recorded.
  The builder may withhold it (superseded, answered, closed) or defer it (``Withheld("planned", ...)``:
  not yet, e.g. a reminder whose invitation has not gone yet).
- **Server faults pause, message faults retry.** A fault of the mail server (``outbox.faults``) opens its
  breaker (``outbox.breaker``): the row goes back without using an attempt and the rest of the batch waits
  for the breaker's trial. A fault of the message is retried with an exponential backoff and ends as
  *failed* after ``NOTIFY_MAX_ATTEMPTS``.
- **What went out is kept.** A sent row records the subject and plain text it was sent with.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.utils import timezone

from outbox import breaker
from outbox.faults import is_server_fault, may_have_arrived
from outbox.keys import message_id
from outbox.models import Message
from outbox.registry import LATE_POLICIES, Withheld, kind_spec
from outbox.smtp import server_name

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
    server: str = ""
    opened: bool = False


class ServerFault(Exception):
    """The mail server failed this send (see ``outbox.faults``); carries the original error."""

    def __init__(self, error: BaseException, *, may_have_arrived: bool) -> None:
        super().__init__(f"{type(error).__name__}: {error}")
        self.may_have_arrived = may_have_arrived


def claim_row(row_id: int, now: dt.datetime, *, row: Message | None = None) -> Message | None:
    """planned → sending for one row, by exactly one worker (a conditional update; a second claimer finds
    it no longer planned), with its Message-ID recorded. Commits at once: from here a crash leaves
    evidence that it may have gone. One statement (``RETURNING``) when the caller has the row loaded."""
    if row is None:
        row = Message.objects.filter(pk=row_id).first()
        if row is None:
            return None
    msgid = message_id(row.key)
    at = connection.ops.adapt_datetimefield_value(now)
    due = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        cursor.execute(
            f'UPDATE "{Message._meta.db_table}" SET "status" = %s, "claimed_at" = %s, '  # noqa: S608 - our names
            '"attempts" = "attempts" + 1, "msgid" = %s '
            'WHERE "id" = %s AND "status" = %s AND "due_at" <= %s RETURNING "attempts"',
            [Status.SENDING.value, at, msgid, row_id, Status.PLANNED.value, due],
        )
        claimed = cursor.fetchone()
    if claimed is None:
        return None
    row.status, row.claimed_at, row.attempts, row.msgid = Status.SENDING, now, claimed[0], msgid
    return row


def claim_batch(ids: Iterable[int], now: dt.datetime) -> set[int]:
    """Claim each of these rows (see ``claim_row``). Returns the rows claimed here."""
    return {row_id for row_id in ids if claim_row(row_id, now) is not None}


def claim(row_id: int, now: dt.datetime) -> bool:
    return claim_row(row_id, now) is not None


def record_failure(row_id: int, attempts: int, error: str, now: dt.datetime) -> str:
    """A message fault: retried with an exponential backoff, failed after the last attempt."""
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


def release(row_id: int, error: str, *, until: dt.datetime, may_have_arrived: bool = False) -> None:
    """A server fault: back to planned without using an attempt, waiting for the breaker's trial."""
    changes = dict(
        status=Status.PLANNED,
        attempts=F("attempts") - 1,
        last_error=error[:2000],
        next_attempt_at=until,
        transient=True,
    )
    if may_have_arrived:
        changes["possibly_delivered"] = True
    Message.objects.filter(pk=row_id, status=Status.SENDING, attempts__gt=0).update(**changes)


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


def _withhold(row: Message, withheld: Withheld, now: dt.datetime) -> str:
    if withheld.status == Status.PLANNED:
        # Not yet: back to planned, the attempt given back, looked at again a little later.
        later = now + dt.timedelta(seconds=setting("NOTIFY_DEFER_SECONDS", 30))
        Message.objects.filter(pk=row.pk, status=Status.SENDING).update(
            status=Status.PLANNED, attempts=F("attempts") - 1, note=withheld.note[:300], next_attempt_at=later
        )
        return "deferred"
    Message.objects.filter(pk=row.pk, status=Status.SENDING).update(
        status=withheld.status, note=withheld.note[:300]
    )
    return withheld.status


def _deliver(message: EmailMessage, ctx: SendContext) -> None:
    """Hand one email to the mail server; its failures are sorted into server and message faults."""
    try:
        if not ctx.opened:
            ctx.connection.open()
            ctx.opened = True
    except Exception as exc:
        if is_server_fault(exc):
            raise ServerFault(exc, may_have_arrived=False) from exc
        raise
    try:
        ctx.connection.send_messages([message])
    except Exception as exc:
        if is_server_fault(exc):
            raise ServerFault(exc, may_have_arrived=may_have_arrived(exc)) from exc
        raise


def _send_locked(row: Message, ctx: SendContext) -> str:
    """In the send's transaction: the row still ours (locked), the message checked and built by its
    owner (who locks what it checks), sent, recorded."""
    mine = (
        Message.objects.select_for_update()
        .filter(pk=row.pk, status=Status.SENDING, claimed_at=row.claimed_at)
        .exists()
    )
    if not mine:
        return "lost-claim"
    message = build(row, ctx)
    if isinstance(message, Withheld):
        return _withhold(row, message, ctx.now)
    _deliver(message, ctx)
    # One update per message after it left: the line between "sent" and "send again after a crash". It
    # records what went out (a record for the Secretariat; a message is always built afresh).
    Message.objects.filter(pk=row.pk, status=Status.SENDING).update(
        status=Status.SENT,
        sent_at=ctx.now,
        last_error="",
        next_attempt_at=None,
        transient=False,
        subject=str(message.subject)[:300],
        body_text=str(message.body),
    )
    return Status.SENT


def send_one(row: Message, ctx: SendContext) -> str:
    """Check, build, send, record one row this worker has claimed. Returns what happened; a server fault
    is raised (``ServerFault``) once the row is put back, for the batch to stop."""
    try:
        with transaction.atomic():
            return _send_locked(row, ctx)
    except ServerFault as fault:
        log.warning("mail server %s failed on %s: %s", ctx.server, row.key, fault)
        until = breaker.server_failed(ctx.server, str(fault), ctx.now)
        release(row.pk, f"mail server: {fault}", until=until, may_have_arrived=fault.may_have_arrived)
        raise
    except DatabaseError:
        raise  # the database's fault, not the message's: the task is retried, the sweep reclaims the row
    except Exception as exc:  # noqa: BLE001 - any other failure is the message's: recorded and retried
        log.warning("message %s failed: %s", row.key, exc)
        return record_failure(row.pk, row.attempts, f"{type(exc).__name__}: {exc}", ctx.now)


def _preload(ids: list[int], ctx: SendContext) -> dict[int, Message]:
    """The batch's rows still planned, then what each kind needs for them, loaded once per kind for the
    batch (a cache: the builder checks the thing as it stands again when it sends)."""
    rows = {r.pk: r for r in Message.objects.filter(pk__in=ids, status=Status.PLANNED)}
    by_kind: dict[str, list[Message]] = defaultdict(list)
    for row in rows.values():
        by_kind[row.kind].append(row)
    for kind, kind_rows in by_kind.items():
        spec = kind_spec(kind)
        if spec is not None and spec.preload is not None:
            spec.preload(kind_rows, ctx)
    return rows


def _pause_rest(ids: list[int], ctx: SendContext) -> int:
    """The batch's rows not yet claimed wait for the breaker's trial instead of the dispatch lease."""
    until = breaker.retry_at(ctx.server, ctx.now)
    return Message.objects.filter(pk__in=ids, status=Status.PLANNED).update(
        next_attempt_at=until, transient=True
    )


def _hang_up(ctx: SendContext) -> None:
    smtp = getattr(ctx.connection, "connection", None)
    if smtp is not None:
        with contextlib.suppress(Exception):
            smtp.close()
        ctx.connection.connection = None
    ctx.opened = False


def send_batch(ids: Iterable[int], *, now: dt.datetime | None = None) -> dict[str, int]:
    """Send the given rows (a worker's task body): each claimed just before it is sent. A row not claimed
    here is sent, cancelled or held by another worker, or not due."""
    ids = list(ids)
    start = now or timezone.now()
    counts: dict[str, int] = defaultdict(int)
    connection = get_connection()
    ctx = SendContext(now=start, connection=connection, server=server_name(connection))
    if not breaker.may_send(ctx.server, start):
        counts["paused"] = _pause_rest(ids, ctx)
        return dict(counts)
    rows = _preload(ids, ctx)
    counts["not-claimed"] = len(ids) - len(rows)
    try:
        for i, row_id in enumerate(ids):
            if row_id not in rows:
                continue
            ctx.now = now or timezone.now()
            row = claim_row(row_id, ctx.now, row=rows[row_id])
            if row is None:
                counts["not-claimed"] += 1
                continue
            try:
                outcome = send_one(row, ctx)
            except ServerFault:
                _hang_up(ctx)  # no QUIT to a server that just failed: it could hang a second time
                counts["retry"] += 1
                counts["paused"] = _pause_rest(ids[i + 1 :], ctx)
                break
            counts[str(outcome)] += 1
            if outcome == Status.SENT and counts["sent"] == 1:
                revived = breaker.server_answered(ctx.server, ctx.now)
                if revived:
                    counts["revived"] = revived
    finally:
        if ctx.opened:
            try:
                connection.close()
            except Exception:  # noqa: BLE001 - a server that hangs up on QUIT has already taken what it took
                log.info("closing the mail connection failed", exc_info=True)
    return {k: v for k, v in counts.items() if v}
