"""What the Outbox page shows of calendar replies coming in: the mailbox and the webhooks on or off, and the
replies the Secretariat should see (matching nothing, or refused), latest first."""

from __future__ import annotations

from meetings.calendar.inbound import mailbox_state
from meetings.calendar.webhook import providers_on
from meetings.models import InboundReply

Outcome = InboundReply.Outcome


def inbox_state() -> str:
    """One line: the mailbox on (which one) or off, and the providers whose webhook takes replies."""
    line = mailbox_state()
    on = providers_on()
    if on:
        line += f" Replies posted by a mail provider are taken too ({', '.join(f'{p} inbound webhook' for p in on)})."
    return line


def inbox_panel() -> dict:
    seen = InboundReply.objects.exclude(outcome__in=[Outcome.APPLIED, Outcome.COUNTER])[:20]
    return {"state": inbox_state(), "replies": list(seen)}
