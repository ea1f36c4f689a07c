"""Decisions by written procedure (ad referendum), callable without HTTP: open a procedure on a body, answer
it for a member state, close it at its deadline by its rule (docs/decisions/0035).

- **Who answers:** the member states of ASEAN on the opening day, in the body's zone (dated membership:
  a procedure opened before 26 Oct 2025 has ten, not Timor-Leste), each through a head of delegation or an
  alternate seated for it on the body on the day of the answer. One answer per state, never changed.
- **Late answers** (after the deadline, or once the procedure is closed) are refused.
- **The rule** (``procedure_outcome``, a pure function): any objection blocks; with *unanimity* every
  state must answer (concur or abstain) and at least one must concur; with *silence* a state that did not
  answer concurs.
- **Messages** go through the outbox as typed notices: on opening, reminders ``REMINDER_DAYS`` before the
  deadline to delegations that have not answered (planned once by unique key, so sent once), and the
  outcome. The deadline is closed by the outbox's beat sweep (``procedures_close_due``), idempotently.
- **The outcome** is also a ``Decision`` of the body (agreed, or deferred when not adopted), one per
  procedure; a **withdrawn** procedure (by the Secretariat or the chair, with a reason, the delegations
  told) has no outcome (docs/decisions/0052).
"""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from governance.audit import audit
from governance.models import Body, Membership, MemberState, Person
from governance.permissions import can_manage_body
from meetings.models import Decision, Document, ProcedureAnswer, ProcedureNotice, WrittenProcedure
from outbox.keys import message_key, object_ref, recipient_ref
from outbox.models import Message
from outbox.planning import messages_save

log = logging.getLogger(__name__)
KIND = "wproc"
REMINDER_DAYS = (3, 1)
ANSWERING_ROLES = (Membership.Role.HEAD_OF_DELEGATION, Membership.Role.ALTERNATE)
Rule, Status, Answer = WrittenProcedure.Rule, WrittenProcedure.Status, ProcedureAnswer.Answer


def fmt_moment(moment: dt.datetime, zone: str) -> str:
    local = moment.astimezone(zoneinfo.ZoneInfo(zone))
    return f"{local.day} {local:%b %Y, %H:%M} {zone.rsplit('/', 1)[-1].replace('_', ' ')} time"


def body_zone(body: Body) -> str:
    """The zone a body's deadlines are said in: its own (``handover_timezone``, Jakarta unless it says
    otherwise)."""
    try:
        zoneinfo.ZoneInfo(body.handover_timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return "Asia/Jakarta"
    return body.handover_timezone


# --- The rule ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    adopted: bool
    text: str

    @property
    def status(self) -> str:
        return Status.ADOPTED if self.adopted else Status.NOT_ADOPTED


def procedure_outcome(*, rule: str, states: Sequence[str], answers: dict[str, str]) -> Outcome:
    """The outcome of a procedure among ``states`` given each state's answer (``concur``, ``object`` or
    ``abstain``; a state missing from ``answers`` was silent)."""
    objecting = [s for s in states if answers.get(s) == Answer.OBJECT]
    silent = [s for s in states if s not in answers]
    concurring = [s for s in states if answers.get(s) == Answer.CONCUR]
    abstaining = [s for s in states if answers.get(s) == Answer.ABSTAIN]
    if objecting:
        return Outcome(False, f"Not adopted: objection by {', '.join(objecting)}.")
    if rule == Rule.UNANIMITY and silent:
        return Outcome(False, f"Not adopted: no answer from {', '.join(silent)} by the deadline.")
    if not concurring and (rule == Rule.UNANIMITY or not silent):
        return Outcome(False, "Not adopted: every member state abstained.")
    parts = []
    if concurring:
        parts.append(f"{len(concurring)} concurred")
    if silent:
        parts.append(f"{len(silent)} silent, counted as concurring ({', '.join(silent)})")
    if abstaining:
        parts.append(f"{len(abstaining)} abstained ({', '.join(abstaining)})")
    how = "by silence" if silent else "unanimously"
    return Outcome(True, f"Adopted ad referendum {how}: {'; '.join(parts)}.")


# --- Who answers ----------------------------------------------------------------------------------------


def procedure_states(procedure: WrittenProcedure) -> list[MemberState]:
    """The member states that answer: ASEAN's members on the opening day."""
    return list(MemberState.objects.members_on(procedure.opened_on).order_by("short_name"))


def answering_seats(*, body_id: int, on: dt.date) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(
            body_id=body_id, role__in=ANSWERING_ROLES, member_state__isnull=False, start_date__lte=on
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=on))
        .select_related("person", "member_state")
    )


def answerable_states(*, procedure: WrittenProcedure, person: Person, on: dt.date) -> list[MemberState]:
    """The states ``person`` may answer for on ``on``: those they hold a head or alternate seat for on the
    procedure's body and that are among the procedure's states."""
    states = {s.pk for s in procedure_states(procedure)}
    return [
        m.member_state
        for m in answering_seats(body_id=procedure.body_id, on=on).filter(person=person)
        if m.member_state_id in states
    ]


def local_today(procedure: WrittenProcedure) -> dt.date:
    return timezone.now().astimezone(zoneinfo.ZoneInfo(procedure.timezone)).date()


# --- Opening --------------------------------------------------------------------------------------------


def written_procedure_open(
    *,
    body: Body,
    title: str,
    text: str,
    rule: str,
    deadline: dt.datetime,
    papers: Sequence[Document] = (),
    actor=None,
) -> WrittenProcedure:
    """Open a procedure; a naive ``deadline`` is read in the body's zone. Plans the opening message and the
    reminders."""
    now = timezone.now()
    zone = body_zone(body)
    tz = zoneinfo.ZoneInfo(zone)
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = "Give the procedure a title."
    if not text.strip():
        errors["text"] = "Write the proposal the member states answer."
    if rule not in Rule.values:
        errors["rule"] = "Unanimity, or silence counts as concurrence."
    if deadline.tzinfo is None:
        deadline = deadline.replace(tzinfo=tz)
    if deadline <= now:
        errors["deadline"] = f"The deadline ({fmt_moment(deadline, zone)}) has already passed."
    foreign = [p.title for p in papers if p.body_id != body.pk]
    if foreign:
        errors["papers"] = f"Not papers of {body}: {', '.join(foreign)}."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        procedure = WrittenProcedure.objects.create(
            body=body,
            title=title.strip(),
            text=text.strip(),
            rule=rule,
            timezone=zone,
            opened_at=now,
            opened_on=now.astimezone(tz).date(),
            deadline=deadline,
            opened_by=actor,
        )
        procedure.papers.set(papers)
        audit(
            action="procedure_opened",
            obj=procedure,
            actor=actor,
            summary=f"Written procedure opened on {body}: {procedure.title} (deadline "
            f"{fmt_moment(deadline, zone)}, {procedure.get_rule_display().lower()})",
        )
        procedure_notices_plan(procedure=procedure, now=now)
    return procedure


def _notice_pairs(
    procedure: WrittenProcedure, seats: Iterable[Membership], stage: str, due: dt.datetime, days=None
):
    version = stage if days is None else f"{stage}-d{days}"
    for seat in seats:
        person = seat.person
        if not person.email:
            continue
        key = message_key(
            KIND, object_ref("procedure", procedure.pk), recipient_ref(person_id=person.pk), version
        )
        yield (
            Message(key=key, kind=KIND, recipient=person.email, due_at=due),
            ProcedureNotice(
                procedure=procedure, person=person, member_state=seat.member_state, stage=stage, days=days
            ),
        )


def procedure_notices_plan(*, procedure: WrittenProcedure, now: dt.datetime) -> int:
    """The opening message now, and a reminder ``REMINDER_DAYS`` before the deadline, to every head and
    alternate of the answering states (whether they have answered is judged when a reminder is sent).
    Unique keys: planning again writes nothing new, so each goes once. Returns the keys planned."""
    states = {s.pk for s in procedure_states(procedure)}
    seats = [
        s
        for s in answering_seats(body_id=procedure.body_id, on=procedure.opened_on)
        if s.member_state_id in states
    ]
    pairs = list(_notice_pairs(procedure, seats, ProcedureNotice.Stage.OPENED, now))
    for days in REMINDER_DAYS:
        due = procedure.deadline - dt.timedelta(days=days)
        if due > now:  # a reminder whose moment is past when the procedure opens is not planned
            pairs += _notice_pairs(procedure, seats, ProcedureNotice.Stage.REMINDER, due, days)
    return len(messages_save(pairs))


# --- Answering ------------------------------------------------------------------------------------------


def procedure_answer(
    *,
    procedure: WrittenProcedure,
    person: Person,
    member_state: MemberState,
    answer: str,
    reason: str = "",
) -> ProcedureAnswer:
    """Record a state's answer (raises ``ValidationError`` naming the field when it cannot be taken)."""
    now = timezone.now()
    with transaction.atomic():
        p = WrittenProcedure.objects.select_for_update().get(pk=procedure.pk)
        if p.status != Status.OPEN:
            raise ValidationError({"answer": f"The procedure is closed ({p.get_status_display().lower()})."})
        if now > p.deadline:
            raise ValidationError(
                {
                    "answer": f"The deadline passed on {fmt_moment(p.deadline, p.timezone)}: too late to answer."
                }
            )
        if answer not in Answer.values:
            raise ValidationError({"answer": "Concur, object or abstain."})
        reason = reason.strip()
        if answer == Answer.OBJECT and not reason:
            raise ValidationError({"reason": "Give the reason for the objection."})
        if not member_state.is_member_on(p.opened_on):
            raise ValidationError(
                {
                    "member_state": f"{member_state} was not an ASEAN member on {p.opened_on.day} "
                    f"{p.opened_on:%b %Y}, when the procedure opened: it does not answer it."
                }
            )
        today = now.astimezone(zoneinfo.ZoneInfo(p.timezone)).date()
        if member_state not in answerable_states(procedure=p, person=person, on=today):
            raise ValidationError(
                {
                    "member_state": f"{person} is not head of delegation or alternate of {member_state} on {p.body}."
                }
            )
        try:
            with transaction.atomic():
                row = ProcedureAnswer.objects.create(
                    procedure=p,
                    member_state=member_state,
                    answer=answer,
                    reason=reason,
                    answered_by=person,
                    answered_at=now,
                )
        except IntegrityError:
            raise ValidationError({"member_state": f"{member_state} has already answered."}) from None
        audit(
            action="procedure_answered",
            obj=p,
            actor=person.user,
            summary=f"{member_state} {row.get_answer_display().lower()} ({person})"
            + (f": {reason}" if reason else ""),
            data={"state": member_state.iso2, "answer": answer},
        )
    return row


# --- Closing at the deadline ------------------------------------------------------------------------------


def procedure_close(*, procedure: WrittenProcedure, now: dt.datetime) -> bool:
    """Close one procedure whose deadline has passed, by its rule. False if it was closed already (by
    another sweep) or is not due: safe to run twice."""
    with transaction.atomic():
        p = (
            WrittenProcedure.objects.select_for_update(skip_locked=True)
            .filter(pk=procedure.pk, status=Status.OPEN, deadline__lte=now)
            .first()
        )
        if p is None:
            return False
        states = procedure_states(p)
        answers = dict(p.answers.values_list("member_state__short_name", "answer"))
        outcome = procedure_outcome(rule=p.rule, states=[s.short_name for s in states], answers=answers)
        p.status, p.outcome, p.closed_at = outcome.status, outcome.text, now
        p.save(update_fields=["status", "outcome", "closed_at"])
        procedure_decision_record(procedure=p, adopted=outcome.adopted)
        audit(action="procedure_closed", obj=p, actor=None, summary=f"{p.title}: {outcome.text}")
        seats = [
            s
            for s in answering_seats(body_id=p.body_id, on=p.opened_on)
            if s.member_state_id in {x.pk for x in states}
        ]
        messages_save(list(_notice_pairs(p, seats, ProcedureNotice.Stage.OUTCOME, now)))
    return True


def procedure_decision_record(*, procedure: WrittenProcedure, adopted: bool) -> Decision:
    """The closed procedure's outcome as a ``Decision`` of its body, taken between meetings: *agreed* when
    adopted, *deferred* when not (the matter goes back to the next meeting, where the procedure stands under
    matters arising). One per procedure (a one-to-one column), so a second call returns the first."""
    kind = Decision.Kind.AGREED if adopted else Decision.Kind.DEFERRED
    decision, _ = Decision.objects.get_or_create(
        procedure=procedure,
        defaults={"kind": kind, "text": f"{procedure.title}. {procedure.outcome}"},
    )
    return decision


def procedure_withdraw(*, procedure: WrittenProcedure, actor, reason: str) -> WrittenProcedure:
    """Withdraw an open procedure (the Secretariat or the body's chair, with a reason): no outcome is ever
    computed for it, its pending reminders are withheld, and the answering delegations are told through the
    outbox. Audited."""
    now = timezone.now()
    if not can_manage_body(actor, procedure.body_id):
        raise PermissionDenied("Only the Secretariat and the body's chair withdraw a written procedure.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the procedure is withdrawn."})
    with transaction.atomic():
        p = WrittenProcedure.objects.select_for_update().get(pk=procedure.pk)
        if p.status != Status.OPEN:
            raise ValidationError(
                {"procedure": f"The procedure is already closed ({p.get_status_display().lower()})."}
            )
        if now >= p.deadline:  # past the deadline the rule has decided it: closing is the sweep's
            raise ValidationError(
                {
                    "procedure": f"The deadline passed on {fmt_moment(p.deadline, p.timezone)}: too late to withdraw."
                }
            )
        p.status, p.closed_at = Status.WITHDRAWN, now
        p.withdrawn_reason, p.withdrawn_by = reason, actor
        p.save(update_fields=["status", "closed_at", "withdrawn_reason", "withdrawn_by"])
        audit(
            action="procedure_withdrawn",
            obj=p,
            actor=actor,
            summary=f"Written procedure withdrawn: {p.title} ({reason})",
            data={"reason": reason},
        )
        states = {s.pk for s in procedure_states(p)}
        seats = [s for s in answering_seats(body_id=p.body_id, on=p.opened_on) if s.member_state_id in states]
        messages_save(list(_notice_pairs(p, seats, ProcedureNotice.Stage.WITHDRAWN, now)))
    return p


def procedures_close_due(*, now: dt.datetime) -> int:
    """The sweep step: close every open procedure whose deadline has passed. Returns how many."""
    due = WrittenProcedure.objects.filter(status=Status.OPEN, deadline__lte=now).order_by("deadline")
    closed = 0
    for p in due[:500]:
        try:
            closed += procedure_close(procedure=p, now=now)
        except Exception:  # noqa: BLE001 - one bad row must not stop the sweep; it is tried again next time
            log.exception("written procedure %s could not be closed", p.pk)
    return closed
