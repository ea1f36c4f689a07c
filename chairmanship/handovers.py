"""Rules about handovers between chair terms, callable without HTTP: planning one (by hand, or by the beat
job for terms starting soon) with its checklist from the data, ticking the checklist, completing it as one
act that moves the terms and the chair's rights, the 30- and 7-day reminders, and the beat job itself
(``handovers_sweep``). The terms themselves are written by ``chairmanship.terms``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from chairmanship.handover_checklist import checklist_entries
from chairmanship.handover_messages import KIND as HANDOVER_KIND
from chairmanship.models import ChairTerm, Handover, HandoverItem, HandoverNotice
from chairmanship.selectors import effective_moment, term_people_ids
from chairmanship.terms import chair_term_save, fmt_day
from governance import concurrency
from governance.audit import audit
from governance.models import Body, Membership, Person
from governance.permissions import local_date
from governance.rights import sync_user_rights
from outbox.keys import message_key, object_ref, recipient_ref
from outbox.models import Message
from outbox.planning import message_save

OPEN = (Handover.Status.PLANNED, Handover.Status.IN_PROGRESS)


class HandoverError(Exception):
    """A handover cannot do what was asked (already completed, not yet due...); the message says why."""


class HandoverAlreadyClosed(HandoverError):
    pass


class HandoverStale(HandoverError):
    """Someone else saved the row after the page was drawn (``governance.concurrency``)."""


# --- Handovers ------------------------------------------------------------------------------------------


def handover_checklist_refresh(*, handover: Handover) -> int:
    """Add to the checklist what the data says must be passed on and is not on it yet (the registered
    sources: open action items of the body, reports of its meetings not yet submitted, meetings already
    scheduled in the incoming term, documents of the outgoing term). Items already there (ticked or not)
    stay. Returns how many were added."""
    wanted = checklist_entries(handover)
    have = set(handover.items.filter(ref_id__isnull=False).values_list("kind", "ref_id"))
    position = handover.items.count()
    new = []
    for kind, ref, label in wanted:
        if (kind, ref) in have:
            continue
        position += 1
        new.append(
            HandoverItem(handover=handover, kind=kind, ref_id=ref, label=label[:300], position=position)
        )
    HandoverItem.objects.bulk_create(new, ignore_conflicts=True)
    if new:  # bulk-created rows leave no history of their own
        audit(
            action="handover_checklist_refreshed",
            obj=handover,
            summary=f"{len(new)} item(s) added to the checklist of {handover}",
            data={"items": [f"{i.kind}:{i.ref_id}" for i in new]},
        )
    return len(new)


@transaction.atomic
def handover_plan(
    *,
    outgoing_term: ChairTerm,
    incoming_term: ChairTerm,
    effective_date: dt.date | None = None,
    notes: str = "",
    actor=None,
) -> Handover:
    """Plan the handover between two terms of one body, with its checklist built from the data."""
    if outgoing_term.body_id != incoming_term.body_id:
        raise ValidationError({"incoming_term": "Both terms must belong to the same body."})
    if outgoing_term.pk == incoming_term.pk:
        raise ValidationError({"incoming_term": "A term cannot hand over to itself."})
    effective_date = effective_date or incoming_term.start_date
    if not outgoing_term.start_date < effective_date <= incoming_term.end_date:
        raise ValidationError(
            {
                "effective_date": f"The effective date must fall after the outgoing term starts "
                f"({fmt_day(outgoing_term.start_date)}) and no later than the incoming term ends "
                f"({fmt_day(incoming_term.end_date)})."
            }
        )
    live = Handover.objects.filter(incoming_term=incoming_term).exclude(status=Handover.Status.CANCELLED)
    if live.exists():
        raise ValidationError({"incoming_term": "A handover to this term is already planned or done."})
    handover = Handover.objects.create(
        body_id=outgoing_term.body_id,
        outgoing_term=outgoing_term,
        incoming_term=incoming_term,
        effective_date=effective_date,
        notes=notes,
    )
    handover_checklist_refresh(handover=handover)
    audit(
        action="handover_planned",
        obj=handover,
        actor=actor,
        summary=f"Handover of {handover.body} planned: {outgoing_term.member_state} → "
        f"{incoming_term.member_state} on {fmt_day(effective_date)}",
    )
    return handover


def handover_plan_next(*, body: Body, on: dt.date, actor=None) -> Handover:
    """Plan the handover from the chair running on ``on`` to the next chair term of the body."""
    current = (
        ChairTerm.objects.filter(body=body, role=ChairTerm.Role.CHAIR, start_date__lte=on, end_date__gte=on)
        .select_related("member_state")
        .first()
    )
    if current is None:
        raise ValidationError({"outgoing_term": f"No chair term of {body} runs on {fmt_day(on)}."})
    nxt = (
        ChairTerm.objects.filter(body=body, role=ChairTerm.Role.CHAIR, start_date__gt=current.start_date)
        .order_by("start_date")
        .first()
    )
    if nxt is None:
        raise ValidationError({"incoming_term": f"No chair term of {body} follows {current.member_state}'s."})
    return handover_plan(outgoing_term=current, incoming_term=nxt, actor=actor)


def handovers_plan_upcoming(*, today: dt.date, within_days: int = 45) -> list[Handover]:
    """Plan a handover for every chair term starting within ``within_days`` that follows on from another
    state's term and has none yet, so the 30- and 7-day reminders go out without anyone remembering."""
    planned = []
    soon = ChairTerm.objects.filter(
        role=ChairTerm.Role.CHAIR,
        start_date__gt=today,
        start_date__lte=today + dt.timedelta(days=within_days),
    ).filter(handovers_in__isnull=True)  # one a person cancelled is not planned again behind their back
    for incoming in soon.select_related("body"):
        outgoing = (
            ChairTerm.objects.filter(
                body_id=incoming.body_id,
                role=ChairTerm.Role.CHAIR,
                end_date=incoming.start_date - dt.timedelta(days=1),
            )
            .exclude(member_state_id=incoming.member_state_id)
            .first()
        )
        if outgoing is not None:
            try:
                planned.append(handover_plan(outgoing_term=outgoing, incoming_term=incoming))
            except ValidationError:
                continue  # terms that cannot hand over (e.g. the outgoing starts too late): left to a person
    return planned


def handover_item_update(
    *,
    item: HandoverItem,
    actor,
    is_done: bool | None = None,
    comment: str | None = None,
    expected_version: str | None = None,
) -> HandoverItem:
    """Tick (or untick) a checklist item and/or set its comment. Closed handovers' lists are frozen, except
    that the body's chair may go on noting progress on what was passed on. With ``expected_version`` (the
    row's version when the page was drawn), a change over someone else's newer one is refused."""
    now = timezone.now()
    handover = item.handover
    if handover.status == Handover.Status.CANCELLED:
        raise HandoverAlreadyClosed("This handover was cancelled; its checklist is closed.")
    if is_done is not None and handover.status == Handover.Status.COMPLETED:
        raise HandoverAlreadyClosed("This handover is completed; its checklist can no longer be ticked.")
    with transaction.atomic():
        if expected_version is not None:
            locked = HandoverItem.objects.select_for_update().get(pk=item.pk)
            if concurrency.edit_version(locked) != expected_version.strip():
                drawn = {"is_done": is_done, "comment": None if comment is None else comment.strip()}
                drawn = {k: v for k, v in drawn.items() if v is not None}
                if concurrency.drawn_unchanged(locked, expected_version, drawn):
                    return locked  # this row was left as drawn: the newer change stays
                try:
                    concurrency.check_current(locked, expected_version, fields=sorted(drawn))
                except ValidationError as exc:
                    raise HandoverStale(" ".join(exc.messages)) from exc
            locked.handover = handover
            item = locked
        if is_done is not None and is_done != item.is_done:
            item.is_done = is_done
            item.done_by = actor if is_done else None
            item.done_at = now if is_done else None
        if comment is not None:
            item.comment = comment.strip()
        item.save()
        # Work has begun. A plain update: the status does not change anyone's rights.
        Handover.objects.filter(pk=handover.pk, status=Handover.Status.PLANNED).update(
            status=Handover.Status.IN_PROGRESS
        )
    return item


def handover_item_tick(*, item: HandoverItem, actor, done: bool = True):
    return handover_item_update(item=item, actor=actor, is_done=done)


def handover_item_comment(*, item: HandoverItem, actor, comment: str) -> HandoverItem:
    return handover_item_update(item=item, actor=actor, comment=comment)


def handover_people_ids(handover: Handover) -> set[int]:
    return term_people_ids(handover.outgoing_term) | term_people_ids(handover.incoming_term)


def handover_complete(*, handover: Handover | int, actor=None, bring_forward: bool = False) -> Handover:
    """The handover as one act, done once: close the outgoing term the day before the effective date, open
    (and confirm) the incoming one from it, move the chair's rights, record who and when.

    Before the effective moment (start of the effective date in the body's handover zone) it is refused
    unless ``bring_forward``: then the effective date becomes today in that zone. Two concurrent calls
    leave exactly one result: the row is locked and its status changed by a conditional update; the loser
    gets ``HandoverAlreadyClosed``.
    """
    now = timezone.now()
    pk = handover.pk if isinstance(handover, Handover) else handover
    with transaction.atomic():
        h = (
            Handover.objects.select_for_update()
            .select_related("body", "outgoing_term__member_state", "incoming_term__member_state")
            .get(pk=pk)
        )
        if h.status not in OPEN:
            raise HandoverAlreadyClosed(f"This handover is already {h.get_status_display().lower()}.")
        effective = h.effective_date
        moment = effective_moment(h)
        brought_forward_from = None
        if now < moment:
            if not bring_forward:
                raise HandoverError(
                    f"This handover takes effect on {fmt_day(effective)} (start of the day, {h.body.handover_timezone}). "
                    "To hand over earlier, bring it forward to today."
                )
            brought_forward_from, effective = effective, local_date(h.body.handover_timezone, now)
        out, inc = h.outgoing_term, h.incoming_term
        if effective <= out.start_date:
            raise HandoverError(
                f"The outgoing term only starts on {fmt_day(out.start_date)}: it cannot hand over on {fmt_day(effective)}."
            )
        # The claim: exactly one caller moves the status from open to completed.
        claimed = Handover.objects.filter(pk=h.pk, status__in=OPEN).update(
            status=Handover.Status.COMPLETED,
            completed_at=now,
            completed_by=actor,
            effective_date=effective,
        )
        if claimed != 1:
            raise HandoverAlreadyClosed("This handover was completed by someone else a moment ago.")
        shrinking = effective - dt.timedelta(days=1) < out.end_date
        out.end_date = effective - dt.timedelta(days=1)
        inc.start_date, inc.is_provisional = effective, False
        if inc.end_date < inc.start_date:
            raise HandoverError(f"The incoming term ends on {fmt_day(inc.end_date)}, before the handover.")
        # Shrink before growing, so the two terms never overlap, even for an instant (the database checks).
        for term in (out, inc) if shrinking else (inc, out):
            chair_term_save(term=term)
        # Rights derive from the terms: recompute them for everyone concerned as they stand from the handover.
        people = handover_people_ids(h)
        on = max(effective, local_date(h.body.handover_timezone, now))
        users = list(get_user_model().objects.filter(person__id__in=people).select_related("person"))
        for user in users:
            sync_user_rights(user, on=on)
        h.refresh_from_db()
        audit(
            action="handover_completed",
            obj=h,
            actor=actor,
            summary=f"{h.body} chair handed over from {out.member_state} to {inc.member_state}, effective "
            f"{fmt_day(effective)}"
            + (f" (brought forward from {fmt_day(brought_forward_from)})" if brought_forward_from else ""),
            data={
                "outgoing_term": out.pk,
                "incoming_term": inc.pk,
                "effective_date": effective.isoformat(),
                "brought_forward_from": brought_forward_from.isoformat() if brought_forward_from else None,
                "completed_at": now.isoformat(),
                "users_resynced": sorted(u.pk for u in users),
            },
        )
        handover_reminders_cancel(handover=h)
    return h


def handover_cancel(*, handover: Handover, actor=None, reason: str = "") -> Handover:
    with transaction.atomic():
        changed = Handover.objects.filter(pk=handover.pk, status__in=OPEN).update(
            status=Handover.Status.CANCELLED
        )
        if changed != 1:
            raise HandoverAlreadyClosed("Only a planned or running handover can be cancelled.")
        handover.refresh_from_db()
        audit(
            action="handover_cancelled",
            obj=handover,
            actor=actor,
            summary=f"Handover {handover} cancelled. {reason}",
        )
        handover_reminders_cancel(handover=handover)
    return handover


# --- Reminders ------------------------------------------------------------------------------------------

REMINDER_DAYS = (30, 7)
STALE_AFTER = dt.timedelta(days=1)  # a reminder whose moment passed longer ago than this is not sent late


def handover_recipients(handover: Handover, *, on: dt.date) -> list[tuple[Person | None, str]]:
    """Both chairs (the terms' chair persons and their states' heads of delegation on the body) and the
    Secretariat (its mailbox and the body's Secretariat officers)."""
    people = Person.objects.filter(pk__in=handover_people_ids(handover)).exclude(email="")
    officers = (
        Person.objects.filter(
            memberships__body_id=handover.body_id,
            memberships__role=Membership.Role.SECRETARIAT,
            memberships__start_date__lte=on,
        )
        .filter(Q(memberships__end_date__isnull=True) | Q(memberships__end_date__gte=on))
        .exclude(email="")
    )
    out: dict[str, Person | None] = {}
    for p in [*people.order_by("pk"), *officers.order_by("pk")]:
        out.setdefault(p.email.lower(), p)
    out.setdefault(settings.SECRETARIAT_MAILBOX.lower(), None)
    return [(p, email) for email, p in out.items()]


def handover_reminders_plan(*, handover: Handover, now: dt.datetime) -> int:
    """Plan the 30- and 7-day reminders in the outbox (one per recipient and offset, by a unique key, so
    planning again never duplicates); their text is written when they are sent. The outbox's sweep sends
    the due ones. Returns messages created."""
    if handover.status not in OPEN:
        return 0
    moment = effective_moment(handover)
    created = 0
    for days in REMINDER_DAYS:
        due = moment - dt.timedelta(days=days)
        if now - due > STALE_AFTER:
            continue  # planned too late for this one: do not send a 30-day reminder a week before
        for person, email in handover_recipients(handover, on=moment.date()):
            key = message_key(
                HANDOVER_KIND, object_ref("handover", handover.pk), recipient_ref(address=email), f"d{days}"
            )
            message = Message(key=key, kind=HANDOVER_KIND, recipient=email, due_at=due)
            if message_save(message, HandoverNotice(handover=handover, person=person, days=days)):
                created += 1
            else:
                # The effective date moved: the planned reminder follows it.
                planned = Message.objects.filter(pk=message.pk, status=Message.Status.PLANNED)
                planned.exclude(due_at=due).update(due_at=due)
    return created


def handover_reminders_cancel(*, handover: Handover) -> int:
    return Message.objects.filter(
        handover_notice__handover=handover, kind=HANDOVER_KIND, status=Message.Status.PLANNED
    ).update(status=Message.Status.CANCELLED, note=f"Handover {handover.get_status_display().lower()}")


@dataclass
class SweepReport:
    planned: list[int] = field(default_factory=list)
    completed: list[int] = field(default_factory=list)
    reminders: int = 0
    checklist_added: int = 0
    errors: list[str] = field(default_factory=list)


def handovers_sweep() -> SweepReport:
    """The beat job: plan handovers for terms starting soon, complete those whose moment has come (once,
    whoever else tries at the same time), plan reminders for the others. Idempotent."""
    now = timezone.now()
    report = SweepReport()
    today = local_date(settings.TIME_ZONE, now)
    report.planned = [h.pk for h in handovers_plan_upcoming(today=today)]
    live = Handover.objects.filter(status__in=OPEN).select_related(
        "body", "outgoing_term__member_state", "incoming_term__member_state"
    )
    for h in live.order_by("effective_date", "pk"):
        if now >= effective_moment(h):
            try:
                handover_complete(handover=h.pk)
                report.completed.append(h.pk)
            except HandoverAlreadyClosed:
                pass  # someone (or another sweep) completed it: that is the one result
            except (HandoverError, ValidationError) as exc:
                report.errors.append(f"handover {h.pk}: {exc}")
        else:
            # What was recorded since the handover was planned (a meeting, an action item, a report) joins
            # its checklist without anyone pressing "Refresh".
            report.checklist_added += handover_checklist_refresh(handover=h)
            report.reminders += handover_reminders_plan(handover=h, now=now)
    return report


@dataclass(frozen=True)
class ChecklistChange:
    """One row of a handover checklist as saved from the page: ``None`` leaves that part as it was."""

    item: HandoverItem
    is_done: bool | None = None
    comment: str | None = None
    expected_version: str | None = None  # the row's version when the page was drawn


def handover_checklist_save(*, changes: list[ChecklistChange], actor) -> int:
    """Save several rows of a checklist at once, all or none (one transaction); returns how many."""
    with transaction.atomic():
        for c in changes:
            handover_item_update(
                item=c.item,
                actor=actor,
                is_done=c.is_done,
                comment=c.comment,
                expected_version=c.expected_version,
            )
    return len(changes)
