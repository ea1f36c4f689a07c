"""Who follows an action item (its owning state's delegates, its owner, the body's Secretariat and chair),
and action items as lists show them: overdue marked, owners named."""

from __future__ import annotations

import datetime as dt

from django.db.models import BooleanField, Case, Q, QuerySet, Value, When

from governance.accounts import person_of
from governance.permissions import (
    MANAGE,
    body_ids_with,
    can_manage_body,
    delegations,
    object_rule,
    queryset_rule,
)
from meetings.models import ActionItem

OPEN = (ActionItem.Status.OPEN, ActionItem.Status.IN_PROGRESS)


def with_overdue(qs: QuerySet[ActionItem], *, on: dt.date) -> QuerySet[ActionItem]:
    """Annotate ``overdue``: still open (or in progress) after its due date, as of ``on``
    (``ActionItem.is_overdue`` reads it)."""
    return qs.annotate(
        overdue=Case(
            When(due_date__lt=on, status__in=OPEN, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def chase_interval(*, due_date: dt.date, today: dt.date, every: int) -> int:
    """Which chase interval ``today`` falls in: 0 while the item is not overdue, 1 from the day after the
    due date for ``every`` days, then 2, and so on."""
    late = (today - due_date).days
    return 0 if late <= 0 else (late - 1) // max(every, 1) + 1


def next_chase_on(*, due_date: dt.date, today: dt.date, every: int) -> dt.date:
    """The day the next chaser goes (the schedule the owner sees): the day after the due date while it is
    not overdue yet, then the first day of the next interval."""
    n = chase_interval(due_date=due_date, today=today, every=every)
    return due_date + dt.timedelta(days=1 + n * max(every, 1))


@object_rule
def can_follow_action_item(user, item: ActionItem) -> bool:
    """Update an action item's progress and status: the body's Secretariat and chair; a delegate of the
    state that owns it, on that body; the person who owns it. Never another state's."""
    if can_manage_body(user, item.body_id):
        return True
    if item.owner_state_id is not None and (item.body_id, item.owner_state_id) in delegations(user):
        return True
    person = person_of(user)
    return person is not None and item.owner_person_id is not None and item.owner_person_id == person.pk


@queryset_rule(ActionItem)
def followable_action_items(user, qs: QuerySet[ActionItem]) -> QuerySet[ActionItem]:
    """``can_follow_action_item`` in SQL, for a list's update forms and the API."""
    cond = Q(body_id__any_of=body_ids_with(user, MANAGE))
    for body_id, state_id in delegations(user):
        cond |= Q(body_id=body_id, owner_state_id=state_id)
    person = person_of(user)
    if person is not None:
        cond |= Q(owner_person_id=person.pk)
    return qs.filter(cond)
