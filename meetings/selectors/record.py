"""Action items as the record follows them: a meeting's own and the open ones from before."""

from __future__ import annotations

from django.db.models import F, Q, QuerySet

from meetings.models import ActionItem, Meeting
from meetings.selectors.parties import party_label, party_names


def _open_before(meeting: Meeting) -> Q:
    return Q(
        body_id=meeting.body_id,
        status__in=[ActionItem.Status.OPEN, ActionItem.Status.IN_PROGRESS],
        meeting__start__lt=meeting.start,
    )


def open_action_items_before(meeting: Meeting) -> QuerySet[ActionItem]:
    """Open action items of the body agreed at earlier meetings: "matters arising from the previous meeting"."""
    return (
        ActionItem.objects.filter(_open_before(meeting))
        .select_related("owner_state", "owner_person", "owner_body", "meeting")
        .order_by("meeting__start", "due_date", "id")
    )


def action_items_with_matters_arising(meeting: Meeting) -> tuple[list[ActionItem], list[ActionItem]]:
    """The meeting's own action items (due date order) and ``open_action_items_before`` it, in one query, each
    with ``agreed_at`` and ``closed_at_title`` (the titles of the meetings that agreed and closed it) and
    ``owner_label``."""
    own: list[ActionItem] = []
    arising: list[ActionItem] = []
    # The page shows only names: the owners' and the titles of the meetings where an item was agreed and
    # closed, annotated rather than a state, a body, a person and a meeting built per row.
    for a in (
        ActionItem.objects.filter(Q(meeting=meeting) | _open_before(meeting))
        .annotate(
            **party_names("owner"),
            agreed_at=F("meeting__title"),
            closed_at_title=F("closed_at_meeting__title"),
        )
        .order_by("meeting__start", "due_date", "id")
    ):
        # "Philippines ACCMSME Maria Santos", as the pages always wrote it.
        a.owner_label = party_label(a, "owner", " ")
        if a.meeting_id == meeting.pk:
            a.meeting = meeting
            own.append(a)
        else:
            arising.append(a)
    return own, arising


def action_item_owner(a: ActionItem) -> str:
    return ", ".join(str(p) for p in (a.owner_state, a.owner_body, a.owner_person) if p)
