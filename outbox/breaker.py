"""A circuit breaker per mail server (``outbox.models.MailServer``), kept in the database so every worker
sees it: a server fault opens it and pauses sending to that server; once ``retry_at`` passes, one worker
wins the trial (a conditional update) and sends; its success closes the breaker and revives what failed
for the server's sake, its failure opens it again for longer (``NOTIFY_BREAKER_BASE_SECONDS`` doubling up
to ``NOTIFY_BREAKER_MAX_SECONDS``). So a server back from an outage is noticed within the longest pause."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Q

from outbox.models import MailServer, Message

State = MailServer.State
Status = Message.Status


def _pause(failures: int) -> dt.timedelta:
    base = getattr(settings, "NOTIFY_BREAKER_BASE_SECONDS", 5)
    top = getattr(settings, "NOTIFY_BREAKER_MAX_SECONDS", 60)
    return dt.timedelta(seconds=min(top, base * 2 ** max(0, failures - 1)))


def may_send(name: str, now: dt.datetime) -> bool:
    """True when the breaker is closed, or open with its pause over and this caller won the trial (the
    next trial is pushed back, so other workers keep waiting while this one tries)."""
    server = MailServer.objects.filter(name=name).only("state", "retry_at", "failures").first()
    if server is None or server.state == State.CLOSED:
        return True
    if server.retry_at is not None and server.retry_at > now:
        return False
    return bool(
        MailServer.objects.filter(pk=server.pk, state=State.OPEN)
        .filter(Q(retry_at__isnull=True) | Q(retry_at__lte=now))
        .update(retry_at=now + _pause(server.failures + 1))
    )


def retry_at(name: str, now: dt.datetime) -> dt.datetime:
    """When rows paused for this server should be handed out again."""
    server = MailServer.objects.filter(name=name).only("retry_at").first()
    return server.retry_at if server is not None and server.retry_at and server.retry_at > now else now


def server_failed(name: str, error: str, now: dt.datetime) -> dt.datetime:
    """A server fault: the breaker opens (or stays open, for longer). Returns when to try again."""
    server, _ = MailServer.objects.get_or_create(name=name)
    failures = server.failures + 1
    until = now + _pause(failures)
    MailServer.objects.filter(pk=server.pk).update(
        state=State.OPEN,
        failures=failures,
        retry_at=until,
        failing_since=server.failing_since or now,
        last_error=error[:2000],
    )
    return until


def server_answered(name: str, now: dt.datetime) -> int:
    """A send went through: close the breaker. When it was open, what failed or waited for the server's
    sake goes out again now. Returns the rows revived."""
    changed = (
        MailServer.objects.filter(name=name)
        .exclude(state=State.CLOSED)
        .update(state=State.CLOSED, failures=0, retry_at=None, failing_since=None, last_ok_at=now)
    )
    if not changed:
        MailServer.objects.filter(name=name).update(last_ok_at=now)
        return 0
    return revive_for_server(now)


def revive_for_server(now: dt.datetime) -> int:
    """Failed rows whose failure was the server's, and rows paused until a later trial: due again now."""
    failed = Message.objects.filter(status=Status.FAILED, transient=True).update(
        status=Status.PLANNED, attempts=0, next_attempt_at=None, transient=False
    )
    paused = Message.objects.filter(status=Status.PLANNED, transient=True, next_attempt_at__gt=now).update(
        next_attempt_at=None, transient=False
    )
    return failed + paused


def open_breakers() -> list[MailServer]:
    return list(MailServer.objects.filter(state=State.OPEN).order_by("name"))
