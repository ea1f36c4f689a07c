"""Messages about a written procedure, built when they are sent from the procedure as it stands (registered
with the outbox for the ``wproc`` kind by ``meetings.registrations``): the opening, the reminders (withheld
once the state has answered or the procedure closed) and the outcome."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from meetings.models import ProcedureAnswer, ProcedureNotice, WrittenProcedure
from meetings.services.written_procedure import KIND, fmt_moment, procedures_close_due
from outbox.models import Message
from outbox.registry import About, KindSpec, Withheld, register_kind, register_sweep_step
from outbox.sending import SendContext

Stage = ProcedureNotice.Stage


def _subject(notice: ProcedureNotice) -> str:
    p = notice.procedure
    if notice.stage in (Stage.OUTCOME, Stage.WITHDRAWN):
        return f"{p.body}: {p.get_status_display()} — {p.title}"[:300]
    if notice.stage == Stage.REMINDER:
        return f"Reminder: {p.body} written procedure closes in {notice.days} day(s) — {p.title}"[:300]
    return f"{p.body} written procedure: {p.title} (answer by {fmt_moment(p.deadline, p.timezone)})"[:300]


def _text(notice: ProcedureNotice) -> str:
    p = notice.procedure
    link = settings.SITE_URL + p.get_absolute_url()
    if notice.stage == Stage.OUTCOME:
        return f"{p.title}\n\n{p.outcome}\n\nThe procedure and every answer: {link}\n\nASEAN Secretariat"
    if notice.stage == Stage.WITHDRAWN:
        return (
            f"The written procedure of {p.body} on\n\n{p.title}\n\nhas been withdrawn: {p.withdrawn_reason}\n\n"
            f"No answer is needed and no outcome will be recorded.\n\n{link}\n\nASEAN Secretariat"
        )
    rule = (
        "Silence by the deadline counts as concurrence."
        if p.rule == WrittenProcedure.Rule.SILENCE
        else "The proposal is adopted only if every member state concurs or abstains by the deadline."
    )
    return (
        f"{p.body} is asked to decide by written procedure (ad referendum):\n\n{p.title}\n\n{p.text}\n\n"
        f"Please answer for {notice.member_state} — concur, object (with your reason) or abstain — by "
        f"{fmt_moment(p.deadline, p.timezone)}. {rule}\n\n{link}\n\nASEAN Secretariat"
    )


def build(message: Message, ctx: SendContext) -> EmailMultiAlternatives | Withheld:
    notice = (
        ProcedureNotice.objects.select_related("procedure__body", "member_state")
        .filter(pk=message.pk)
        .first()
    )
    if notice is None:
        return Withheld(Message.Status.CANCELLED, "procedure deleted")
    p = notice.procedure
    if notice.stage == Stage.WITHDRAWN and p.status != WrittenProcedure.Status.WITHDRAWN:
        return Withheld(Message.Status.CANCELLED, "procedure not withdrawn")
    if notice.stage not in (Stage.OUTCOME, Stage.WITHDRAWN) and p.status != WrittenProcedure.Status.OPEN:
        return Withheld(Message.Status.CANCELLED, f"Procedure {p.get_status_display().lower()}")
    if notice.stage == Stage.REMINDER and (
        ProcedureAnswer.objects.filter(procedure=p, member_state=notice.member_state).exists()
    ):
        return Withheld(Message.Status.SKIPPED, f"{notice.member_state} has answered")
    return EmailMultiAlternatives(
        subject=_subject(notice),
        body=_text(notice),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.recipient],
    )


def describe(messages: list[Message]) -> dict[int, About]:
    notices = ProcedureNotice.objects.filter(pk__in=[m.pk for m in messages]).select_related(
        "procedure__body"
    )
    return {
        n.pk: About(
            title=f"{n.procedure.body} written procedure: {n.procedure.title}",
            url=n.procedure.get_absolute_url(),
        )
        for n in notices
    }


def register() -> None:
    register_kind(
        KindSpec(kind=KIND, label="Written procedure", build=build, describe=describe, late_policy="skip")
    )
    # The deadline is met by the outbox's beat sweep: it closes what is due before it hands out messages.
    register_sweep_step("written_procedures", procedures_close_due)
