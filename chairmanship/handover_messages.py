"""The handover reminder, built when it is sent from the handover as it stands (registered with the outbox
for the ``handover`` kind by ``ChairmanshipConfig.ready``)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from chairmanship.models import Handover, HandoverNotice
from outbox.models import Message
from outbox.registry import About, KindSpec, Withheld, register_kind
from outbox.sending import SendContext

KIND = "handover"
OPEN = (Handover.Status.PLANNED, Handover.Status.IN_PROGRESS)


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


def handover_reminder_subject(handover: Handover, days: int) -> str:
    out, inc = handover.outgoing_term, handover.incoming_term
    return (
        f"{handover.body} chair handover in {days} days: {out.member_state} → {inc.member_state} "
        f"on {_day(handover.effective_date)}"
    )[:300]


def handover_reminder_text(handover: Handover) -> str:
    out, inc = handover.outgoing_term, handover.incoming_term
    link = settings.SITE_URL + f"/chairmanship/handovers/{handover.pk}/"
    return (
        f"The chair of {handover.body} passes from {out.member_state} to {inc.member_state} at the start of "
        f"{_day(handover.effective_date)} ({handover.body.handover_timezone} time).\n\n"
        f"The handover checklist (open action items, reports not yet submitted, meetings already scheduled, "
        f"documents to pass on) is at {link}\n\nASEAN Secretariat"
    )


def _notice(message: Message) -> HandoverNotice | None:
    return (
        HandoverNotice.objects.select_related(
            "handover__body", "handover__outgoing_term__member_state", "handover__incoming_term__member_state"
        )
        .filter(pk=message.pk)
        .first()
    )


def build(message: Message, ctx: SendContext) -> EmailMultiAlternatives | Withheld:
    notice = _notice(message)
    if notice is None:
        return Withheld(Message.Status.CANCELLED, "handover deleted")
    handover = notice.handover
    if handover.status not in OPEN:
        return Withheld(Message.Status.CANCELLED, f"Handover {handover.get_status_display().lower()}")
    return EmailMultiAlternatives(
        subject=handover_reminder_subject(handover, notice.days),
        body=handover_reminder_text(handover),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.recipient],
    )


def describe(messages: list[Message]) -> dict[int, About]:
    notices = HandoverNotice.objects.filter(pk__in=[m.pk for m in messages]).select_related("handover__body")
    return {
        n.pk: About(
            title=f"{n.handover.body} handover on {_day(n.handover.effective_date)}",
            url=f"/chairmanship/handovers/{n.handover_id}/",
        )
        for n in notices
    }


def register() -> None:
    register_kind(
        KindSpec(
            kind=KIND,
            label="Handover reminder",
            build=build,
            describe=describe,
            late_policy="send",
            check_late_at_send=True,
        )
    )
