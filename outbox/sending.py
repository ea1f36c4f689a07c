"""Sending: claim, check and build at send time, send, record; retry with backoff (docs/decisions, see
``outbox`` in README "Delivery guarantee").

- **Claimed just before it is sent, in small chunks.** Each row of a chunk is claimed with a conditional
  update (planned → sending, as healthchecks' ``sendalerts`` does; one statement for the chunk, each row
  on its own condition), which commits and records the claim time and each row's Message-ID.
- **Checked in the transaction that sends.** A chunk is sent in one transaction that first locks its rows
  (the sweep's reclaim skips a locked row: a live send is never taken over) and in which each kind checks,
  and locks for share, what its messages are about as it stands now (``KindSpec.lock`` for the chunk, or
  the builder per message): a change committed before the lock is seen and the message withheld; a change
  committed after waits until the chunk is recorded. The builder may withhold a message (superseded,
  answered, closed) or defer it (``Withheld("planned", ...)``: not yet, e.g. a reminder whose invitation
  has not gone yet). What was sent is recorded in one statement when the chunk ends.
- **Chunks sized by time.** A chunk starts at one row and doubles (up to ``NOTIFY_SEND_CHUNK``) while a
  chunk's sends take less than ``NOTIFY_SEND_CHUNK_SECONDS``, halving when one takes longer. That bounds
  by time both how long a meeting edit waits for sends in flight and the window in which a death of the
  worker (or the database) leaves sent rows unrecorded: those are reclaimed as *possibly delivered* and
  sent again with their Message-ID (docs/decisions/0057).
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
import time
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
    # What the kinds read and locked for the chunk being sent (``KindSpec.lock``); valid only inside that
    # chunk's transaction, so emptied when it ends.
    locked: dict = field(default_factory=dict)


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


def claim_rows(rows: list[Message], now: dt.datetime) -> list[Message]:
    """``claim_row`` for several loaded rows in one statement: each row is claimed on its own condition
    (still planned, due), with its own Message-ID. Commits at once. Returns the rows claimed here, in the
    order given."""
    if not rows:
        return []
    at = connection.ops.adapt_datetimefield_value(now)
    ids = [row.pk for row in rows]
    msgids = {row.pk: message_id(row.key) for row in rows}
    cases = " ".join(["WHEN %s THEN %s"] * len(rows))
    marks = ", ".join(["%s"] * len(rows))
    with connection.cursor() as cursor:
        cursor.execute(
            f'UPDATE "{Message._meta.db_table}" SET "status" = %s, "claimed_at" = %s, '  # noqa: S608 - our names
            f'"attempts" = "attempts" + 1, "msgid" = CASE "id" {cases} END '
            f'WHERE "id" IN ({marks}) AND "status" = %s AND "due_at" <= %s RETURNING "id", "attempts"',
            [
                Status.SENDING.value,
                at,
                *(v for pk in ids for v in (pk, msgids[pk])),
                *ids,
                Status.PLANNED.value,
                at,
            ],
        )
        claimed = dict(cursor.fetchall())
    mine = []
    for row in rows:
        if row.pk in claimed:
            row.status, row.claimed_at, row.attempts = Status.SENDING, now, claimed[row.pk]
            row.msgid = msgids[row.pk]
            mine.append(row)
    return mine


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


def _record_sent(sent: list[tuple[Message, EmailMessage]], ctx: SendContext) -> None:
    """The rows of a chunk that left, recorded as sent in one statement, with the subject and plain text
    each went out with (a record for the Secretariat; a message is always built afresh)."""
    if not sent:
        return
    at = connection.ops.adapt_datetimefield_value(ctx.now)
    cases = " ".join(["WHEN %s THEN %s"] * len(sent))
    marks = ", ".join(["%s"] * len(sent))
    with connection.cursor() as cursor:
        cursor.execute(
            f'UPDATE "{Message._meta.db_table}" SET "status" = %s, "sent_at" = %s, "last_error" = \'\', '  # noqa: S608
            f'"next_attempt_at" = NULL, "transient" = %s, "subject" = CASE "id" {cases} END, '
            f'"body_text" = CASE "id" {cases} END WHERE "id" IN ({marks}) AND "status" = %s',
            [
                Status.SENT.value,
                at,
                False,
                *(v for row, msg in sent for v in (row.pk, str(msg.subject)[:300])),
                *(v for row, msg in sent for v in (row.pk, str(msg.body))),
                *(row.pk for row, _ in sent),
                Status.SENDING.value,
            ],
        )


def _lock_chunk(rows: list[Message], ctx: SendContext) -> list[Message]:
    """In the chunk's transaction: its rows locked (still ours: same claim), then what each kind checks."""
    mine = set(
        Message.objects.select_for_update()
        .filter(pk__in=[r.pk for r in rows], status=Status.SENDING, claimed_at=ctx.now)
        .values_list("pk", flat=True)
    )
    rows = [r for r in rows if r.pk in mine]
    _per_kind(rows, "lock", ctx)
    return rows


@dataclass
class ChunkResult:
    """What a chunk did: outcomes counted, and the server fault that stopped it (with the rows it left)."""

    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    fault: ServerFault | None = None
    fault_row: Message | None = None
    unsent: list[Message] = field(default_factory=list)


def _send_chunk_locked(rows: list[Message], ctx: SendContext, result: ChunkResult) -> None:
    """In the chunk's transaction: each row checked and built by its owner, sent; the sent recorded."""
    rows_locked = _lock_chunk(rows, ctx)
    result.counts["lost-claim"] += len(rows) - len(rows_locked)
    sent: list[tuple[Message, EmailMessage]] = []
    for n, row in enumerate(rows_locked):
        try:
            message = build(row, ctx)
            if isinstance(message, Withheld):
                result.counts[_withhold(row, message, ctx.now)] += 1
                continue
            _deliver(message, ctx)
        except ServerFault as fault:
            result.fault, result.fault_row, result.unsent = fault, row, rows_locked[n + 1 :]
            break
        except DatabaseError:
            raise  # the database's fault: the task is retried, the sweep reclaims the rows
        except Exception as exc:  # noqa: BLE001 - any other failure is the message's: recorded and retried
            log.warning("message %s failed: %s", row.key, exc)
            result.counts[record_failure(row.pk, row.attempts, f"{type(exc).__name__}: {exc}", ctx.now)] += 1
            continue
        sent.append((row, message))
    # The line between "sent" and "send again after a crash": one statement for the chunk, committed with
    # the locks it was checked under. Rows sent before a server fault are recorded too.
    _record_sent(sent, ctx)
    result.counts[Status.SENT] += len(sent)


def send_chunk(rows: list[Message], ctx: SendContext) -> ChunkResult:
    """Claim, check, build, send and record a chunk of loaded rows. A server fault stops it: the rows
    sent before are recorded, the failing row and the rest go back without using an attempt (and the
    server's breaker opens)."""
    result = ChunkResult()
    claimed = claim_rows(rows, ctx.now)
    result.counts["not-claimed"] += len(rows) - len(claimed)
    if not claimed:
        return result
    try:
        with transaction.atomic():
            _send_chunk_locked(claimed, ctx, result)
    finally:
        ctx.locked.clear()
    if result.fault is not None:
        fault = result.fault
        log.warning("mail server %s failed on %s: %s", ctx.server, result.fault_row.key, fault)
        until = breaker.server_failed(ctx.server, str(fault), ctx.now)
        release(
            result.fault_row.pk, f"mail server: {fault}", until=until, may_have_arrived=fault.may_have_arrived
        )
        for row in result.unsent:
            release(row.pk, f"waiting for the mail server: {fault}", until=until)
        result.counts["retry"] += 1
        result.counts["paused"] += len(result.unsent)
    return result


def send_one(row: Message, ctx: SendContext) -> str:
    """Check, build, send, record one loaded row (claimed here). Returns what happened; a server fault
    is raised (``ServerFault``) once the row is put back."""
    result = send_chunk([row], ctx)
    if result.fault is not None:
        raise result.fault
    return next((k for k, v in result.counts.items() if v and k != "not-claimed"), "not-claimed")


def _preload(ids: list[int], ctx: SendContext) -> dict[int, Message]:
    """The batch's rows still planned, then what each kind needs for them, loaded once per kind for the
    batch (a cache: the builder checks the thing as it stands again when it sends)."""
    rows = {r.pk: r for r in Message.objects.filter(pk__in=ids, status=Status.PLANNED)}
    _per_kind(list(rows.values()), "preload", ctx)
    return rows


def _per_kind(rows: list[Message], hook: str, ctx: SendContext) -> None:
    """Call each kind's ``hook`` (``preload`` or ``lock``) once with that kind's rows of the batch."""
    by_kind: dict[str, list[Message]] = defaultdict(list)
    for row in rows:
        by_kind[row.kind].append(row)
    for kind, kind_rows in by_kind.items():
        spec = kind_spec(kind)
        if spec is not None and getattr(spec, hook) is not None:
            getattr(spec, hook)(kind_rows, ctx)


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
    """Send the given rows (a worker's task body), chunk by chunk, each chunk claimed just before it is
    sent. A row not claimed here is sent, cancelled or held by another worker, or not due."""
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
    todo = [rows[i] for i in ids if i in rows]
    most = max(1, int(setting("NOTIFY_SEND_CHUNK", 100)))
    target = float(setting("NOTIFY_SEND_CHUNK_SECONDS", 0.5))
    size, answered = 1, False
    try:
        while todo:
            chunk, todo = todo[:size], todo[size:]
            ctx.now = now or timezone.now()
            began = time.monotonic()
            result = send_chunk(chunk, ctx)
            for key, value in result.counts.items():
                counts[key] += value
            if result.fault is not None:
                _hang_up(ctx)  # no QUIT to a server that just failed: it could hang a second time
                counts["paused"] += _pause_rest([r.pk for r in todo], ctx)
                break
            if result.counts[Status.SENT] and not answered:
                answered = True
                revived = breaker.server_answered(ctx.server, ctx.now)
                if revived:
                    counts["revived"] = revived
            took = time.monotonic() - began
            size = min(most, size * 2) if took < target else max(1, size // 2)
    finally:
        if ctx.opened:
            try:
                connection.close()
            except Exception:  # noqa: BLE001 - a server that hangs up on QUIT has already taken what it took
                log.info("closing the mail connection failed", exc_info=True)
    return {k: v for k, v in counts.items() if v}
