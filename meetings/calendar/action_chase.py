"""Chasing overdue action items: once an open item is past its due date, its owners (for a task force, its
leads) are written to once per chase interval of the item's body (``Body.action_chase_days``, 14 days by
default) until it is closed or re-dated.

Planned by a beat task (``meetings.calendar.tasks.action_items_chase``) through the outbox: one message per
item, recipient and interval, under the key ``act_chase:actionitem-<id>:person-<id>:<due date>.c<n>``, so a
task run twice (or by two workers) plans nothing twice and the outbox sends each key once. Built when sent
from the item as it stands: a closed or re-dated item sends nothing stale.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from meetings.calendar.action_items import action_recipients, notice_as_it_stands
from meetings.calendar.kinds import Kind
from meetings.models import ActionItem, ActionItemNotice
from meetings.selectors.action_items import chase_interval, next_chase_on
from meetings.times import fmt_date
from outbox.keys import message_key, object_ref, recipient_ref
from outbox.models import Message
from outbox.planning import messages_save
from outbox.registry import About, KindSpec, Withheld, register_kind
from outbox.sending import SendContext

Status = Message.Status
OPEN = (ActionItem.Status.OPEN, ActionItem.Status.IN_PROGRESS)
CHUNK = 500


def _asean_today(now: dt.datetime) -> dt.date:
    return now.astimezone(ZoneInfo(settings.TIME_ZONE)).date()


def plan_action_item_chasers() -> int:
    """Plan this interval's chaser for every overdue open action item, to each of its owners; idempotent
    (a key per item, recipient and interval). Returns the messages planned now."""
    now = timezone.now()
    today = _asean_today(now)
    overdue = (
        ActionItem.objects.filter(status__in=OPEN, due_date__lt=today)
        .select_related("body", "owner_person__member_state")
        .order_by("pk")
    )
    planned = 0
    last = 0
    while True:
        items = list(overdue.filter(pk__gt=last)[:CHUNK])
        if not items:
            return planned
        last = items[-1].pk
        interval = {
            i.pk: chase_interval(due_date=i.due_date, today=today, every=i.body.action_chase_days)
            for i in items
        }
        # Items already chased in this interval are left alone without a look at their owners.
        done = set(
            ActionItemNotice.objects.filter(action_item__in=items, chase__isnull=False).values_list(
                "action_item_id", "due_date", "chase"
            )
        )
        rows = []
        for item in items:
            n = interval[item.pk]
            if (item.pk, item.due_date, n) in done:
                continue
            for person in action_recipients(item, today):
                key = message_key(
                    Kind.ACTION_CHASE,
                    object_ref("actionitem", item.pk),
                    recipient_ref(person_id=person.pk),
                    f"{item.due_date.isoformat()}.c{n}",
                )
                rows.append(
                    (
                        Message(key=key, kind=Kind.ACTION_CHASE, recipient=person.email, due_at=now),
                        ActionItemNotice(action_item=item, person=person, due_date=item.due_date, chase=n),
                    )
                )
        planned += len(rows)
        messages_save(rows)


def chase_text(item: ActionItem, notice: ActionItemNotice, name: str, today: dt.date) -> str:
    every = item.body.action_chase_days
    late = (today - item.due_date).days
    owner = item.owner_state or item.owner_body or item.owner_person
    return "\n".join(
        [
            f"Dear {name},",
            "",
            f"An action item of {item.body} owned by {owner} was due on {fmt_date(item.due_date)} and is "
            f"still {item.get_status_display().lower()} ({late} day{'s' if late != 1 else ''} overdue):",
            "",
            f"  {item.title}",
            "",
            f"Agreed at the {item.meeting.title}."
            + (f" Latest progress: {item.progress_note}" if item.progress_note else ""),
            f"Please report progress or close it: {settings.SITE_URL}{item.get_meeting_url()}",
            "",
            f"Overdue items are chased every {every} days; the next reminder goes on "
            f"{fmt_date(next_chase_on(due_date=item.due_date, today=today, every=every))} unless it is closed.",
            "",
            "ASEAN Secretariat",
        ]
    )


def build(message: Message, ctx: SendContext) -> EmailMultiAlternatives | Withheld:
    found = notice_as_it_stands(message, "action_item__body")
    if isinstance(found, Withheld):
        return found
    notice, item = found
    name = notice.person.full_name if notice.person else message.recipient
    return EmailMultiAlternatives(
        subject=f"Overdue since {item.due_date:%d %b %Y}: {item.title}"[:300],
        body=chase_text(item, notice, name, _asean_today(ctx.now)),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.recipient],
    )


def describe(messages: list[Message]) -> dict[int, About]:
    notices = ActionItemNotice.objects.filter(pk__in=[m.pk for m in messages]).select_related("action_item")
    return {
        n.pk: About(title=f"Overdue: {n.action_item.title}", url=n.action_item.get_meeting_url())
        for n in notices
    }


def register() -> None:
    register_kind(
        KindSpec(kind=Kind.ACTION_CHASE, label=Kind.ACTION_CHASE.label, build=build, describe=describe)
    )
