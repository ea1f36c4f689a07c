"""Reminders of action items coming due: planned by the sweep (idempotent), built when sent from the item
as it stands, so a closed item or a moved deadline sends nothing stale."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import Q

from chairmanship.models import ChairTerm
from chairmanship.selectors import CHAIRING_ROLES
from governance.models import Membership, Person
from meetings.calendar.kinds import LATE_POLICY, Kind
from meetings.calendar.plan import offsets
from meetings.models import ActionItem, ActionItemNotice
from meetings.times import fmt_date
from outbox.keys import message_key, object_ref, recipient_ref
from outbox.models import Message
from outbox.planning import messages_save
from outbox.registry import About, KindSpec, Withheld, register_kind
from outbox.sending import SendContext, late_policy, setting

Status = Message.Status


def body_lead_ids(*, body_id: int, on: dt.date) -> set[int]:
    """The leads of a body on ``on`` (a task force's chair or co-chairs): the chair person of each chairing
    term running then, and the chairing state's head of delegation seated on the body that day."""
    terms = ChairTerm.objects.filter(
        body_id=body_id, role__in=CHAIRING_ROLES, start_date__lte=on, end_date__gte=on
    ).values_list("member_state_id", "chair_person_id")
    people = {person for _, person in terms if person}
    states = {state for state, _ in terms}
    if states:
        heads = Membership.objects.filter(
            body_id=body_id, member_state_id__in=states, role=Membership.Role.HEAD_OF_DELEGATION
        )
        people |= set(seated_on(heads, on).values_list("person_id", flat=True))
    return people


def seated_on(memberships, on: dt.date):
    return memberships.filter(start_date__lte=on).filter(Q(end_date__isnull=True) | Q(end_date__gte=on))


def action_recipients(item: ActionItem, on: dt.date) -> list[Person]:
    """Who is reminded of (and chased for) an action item: its owner; for a state, the state's heads of
    delegation on the item's body; for a body (a task force), its leads, or its Secretariat officers (the
    desk that follows its work) while it has none."""
    if item.owner_person_id:
        return [item.owner_person] if item.owner_person and item.owner_person.email else []
    if item.owner_state_id:
        members = Membership.objects.filter(
            body_id=item.body_id, member_state_id=item.owner_state_id, role=Membership.Role.HEAD_OF_DELEGATION
        )
    elif item.owner_body_id:
        leads = body_lead_ids(body_id=item.owner_body_id, on=on)
        if leads:
            people = Person.objects.filter(pk__in=leads).exclude(email="").order_by("pk")
            return list(people.select_related("member_state"))
        members = Membership.objects.filter(body_id=item.owner_body_id, role=Membership.Role.SECRETARIAT)
    else:
        return []
    members = seated_on(members, on).select_related("person__member_state").order_by("person_id")
    return list({m.person_id: m.person for m in members if m.person.email}.values())


def _rows_for(item: ActionItem, person: Person, days_list: list[int], now: dt.datetime) -> list:
    """One reminder per offset, at 09:00 in the owner's own zone; a missed moment follows the late policy."""
    zone = ZoneInfo(person.effective_timezone)
    planned, missed = [], []
    for days in days_list:
        due = dt.datetime.combine(item.due_date - dt.timedelta(days=days), dt.time(9, 0), tzinfo=zone)
        key = message_key(
            Kind.ACTION_DUE,
            object_ref("actionitem", item.pk),
            recipient_ref(person_id=person.pk),
            f"{item.due_date.isoformat()}.d{days}",
        )
        message = Message(key=key, kind=Kind.ACTION_DUE, recipient=person.email, due_at=due)
        notice = ActionItemNotice(action_item=item, person=person, due_date=item.due_date, days=days)
        (planned if due > now else missed).append((days, message, notice))
    if missed:
        policy = late_policy(Kind.ACTION_DUE)
        latest = min(d for d, _, _ in missed)
        for days, message, _ in missed:
            if policy == "send" and days == latest:
                message.due_at, message.note = now, "late: sent once, by policy"
            else:
                message.status, message.note = Status.SKIPPED, f"moment passed when planned ({policy})"
    return [(m, n) for _, m, n in planned + missed]


def plan_action_item_reminders(*, now: dt.datetime) -> int:
    """Plan due reminders for open action items coming due, as at the sweep's moment ``now`` (a sweep step;
    idempotent). The key carries the due date, so a moved deadline plans afresh and the old reminders are
    cancelled at send time."""
    days_list = offsets(setting("ACTION_DUE_REMINDER_DAYS", [7, 1]))
    if not days_list:
        return 0
    today = now.astimezone(ZoneInfo(settings.TIME_ZONE)).date()
    horizon = today + dt.timedelta(days=max(days_list) + 2)
    items = ActionItem.objects.filter(
        status__in=[ActionItem.Status.OPEN, ActionItem.Status.IN_PROGRESS],
        due_date__isnull=False,
        due_date__gte=today,
        due_date__lte=horizon,
    ).select_related("meeting", "owner_person__member_state", "owner_state")
    rows = [
        row
        for item in items
        for person in action_recipients(item, today)
        for row in _rows_for(item, person, days_list, now)
    ]
    messages_save(rows)
    return len(rows)


def action_text(item: ActionItem, name: str) -> str:
    lines = [
        f"Dear {name},",
        "",
        f"An action item from {item.meeting.title} is due on {fmt_date(item.due_date)}:",
        "",
        f"  {item.title}",
        "",
        f"Status: {item.get_status_display()}.",
        f"Details: {settings.SITE_URL}/",
        "",
        "ASEAN Secretariat",
    ]
    return "\n".join(lines)


def notice_as_it_stands(message: Message, *related: str) -> tuple[ActionItemNotice, ActionItem] | Withheld:
    """The notice behind ``message`` and its item as they stand at sending: nothing goes for an item deleted,
    closed or re-dated since the message was planned."""
    notice = (
        ActionItemNotice.objects.select_related("action_item__meeting", "person", *related)
        .filter(pk=message.pk)
        .first()
    )
    item = notice.action_item if notice is not None else None
    if item is None:
        return Withheld(Status.CANCELLED, "action item deleted")
    if item.status in (ActionItem.Status.DONE, ActionItem.Status.DROPPED):
        return Withheld(Status.SKIPPED, "action item closed")
    if item.due_date != notice.due_date:
        return Withheld(Status.CANCELLED, "due date changed")
    return notice, item


def build(message: Message, ctx: SendContext) -> EmailMultiAlternatives | Withheld:
    found = notice_as_it_stands(message)
    if isinstance(found, Withheld):
        return found
    notice, item = found
    name = notice.person.full_name if notice.person else message.recipient
    return EmailMultiAlternatives(
        subject=f"Action item due {item.due_date:%d %b %Y}: {item.title}"[:300],
        body=action_text(item, name),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.recipient],
    )


def describe(messages: list[Message]) -> dict[int, About]:
    notices = ActionItemNotice.objects.filter(pk__in=[m.pk for m in messages]).select_related("action_item")
    return {n.pk: About(title=n.action_item.title, url=n.action_item.get_meeting_url()) for n in notices}


def register() -> None:
    register_kind(
        KindSpec(
            kind=Kind.ACTION_DUE,
            label=Kind.ACTION_DUE.label,
            build=build,
            describe=describe,
            late_policy=LATE_POLICY[Kind.ACTION_DUE],
        )
    )
