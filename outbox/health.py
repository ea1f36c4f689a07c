"""How delivery is doing, for the Outbox page's banner and the readiness check: mail servers whose breaker
is open, messages overdue (due and not sent a while after), rows being sent for too long, messages that may
have gone twice, failed ones; and sending every failed message again at once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from outbox.breaker import open_breakers
from outbox.models import MailServer, Message
from outbox.sending import setting

Status = Message.Status
OVERDUE = dt.timedelta(minutes=2)  # the promise: out within two minutes of the server's return


@dataclass
class DeliveryHealth:
    paused: list[MailServer] = field(default_factory=list)
    overdue: int = 0
    stuck: int = 0
    failed: int = 0
    possibly_delivered: int = 0
    held: int = 0

    @property
    def ok(self) -> bool:
        return not (self.paused or self.overdue or self.stuck or self.held)


def delivery_health() -> DeliveryHealth:
    """Two queries: the breakers, and one aggregate over the messages, as the clock stands."""
    now = timezone.now()
    stuck_after = dt.timedelta(seconds=setting("NOTIFY_CLAIM_TIMEOUT_SECONDS", 60))
    agg = Message.objects.aggregate(
        overdue=Count("pk", filter=Q(status=Status.PLANNED, due_at__lt=now - OVERDUE)),
        stuck=Count("pk", filter=Q(status=Status.SENDING, claimed_at__lt=now - stuck_after)),
        failed=Count("pk", filter=Q(status=Status.FAILED)),
        possibly_delivered=Count("pk", filter=Q(possibly_delivered=True)),
        held=Count("pk", filter=Q(status=Status.HELD)),
    )
    return DeliveryHealth(paused=open_breakers(), **agg)


def held_decide(*, release: bool) -> list[int]:
    """The Secretariat's decision on the messages held after a restore: all planned again from now (their
    builders still check each against the record as it stands), or all cancelled. Returns the released."""
    held = Message.objects.filter(status=Status.HELD)
    if not release:
        held.update(status=Status.CANCELLED, note="held after a restore; cancelled by the Secretariat")
        return []
    ids = list(held.values_list("pk", flat=True))
    Message.objects.filter(pk__in=ids, status=Status.HELD).update(
        status=Status.PLANNED, attempts=0, next_attempt_at=None, note="released after a restore"
    )
    return ids


def failed_retry(*, kind: str = "") -> list[int]:
    """Every failed message (of ``kind``) planned again from its first attempt, due now; returns their ids."""
    now = timezone.now()
    qs = Message.objects.filter(status=Status.FAILED)
    if kind:
        qs = qs.filter(kind=kind)
    ids = list(qs.values_list("pk", flat=True))
    Message.objects.filter(pk__in=ids, status=Status.FAILED).update(
        status=Status.PLANNED, attempts=0, next_attempt_at=None, due_at=now, transient=False
    )
    return ids
