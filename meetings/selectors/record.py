"""Action items as the record follows them: a meeting's own and the open ones from before."""

from __future__ import annotations

import datetime as dt

from django.db.models import F, Q, QuerySet

from governance.concurrency import version_column
from governance.prepared import Prepared
from meetings.models import ActionItem, AgendaItem, Attendance, Meeting
from meetings.selectors.parties import party_label, party_names


def _open_before(body_id: int, start: dt.datetime) -> Q:
    return Q(
        body_id=body_id,
        status__in=[ActionItem.Status.OPEN, ActionItem.Status.IN_PROGRESS],
        meeting__start__lt=start,
    )


def open_action_items_before(meeting: Meeting) -> QuerySet[ActionItem]:
    """Open action items of the body agreed at earlier meetings: "matters arising from the previous meeting"."""
    return (
        ActionItem.objects.filter(_open_before(meeting.body_id, meeting.start))
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
    for a in _WITH_ARISING(meeting_id=meeting.pk, body_id=meeting.body_id, start=meeting.start):
        # "Philippines ACCMSME Maria Santos", as the pages always wrote it.
        a.owner_label = party_label(a, "owner", " ")
        if a.meeting_id == meeting.pk:
            a.meeting = meeting
            own.append(a)
        else:
            arising.append(a)
    return own, arising


def _with_arising(meeting_id: int, body_id: int, start: dt.datetime) -> QuerySet[ActionItem]:
    return (
        ActionItem.objects.filter(Q(meeting_id=meeting_id) | _open_before(body_id, start))
        .annotate(
            **party_names("owner"),
            agreed_at=F("meeting__title"),
            closed_at_title=F("closed_at_meeting__title"),
        )
        .order_by("meeting__start", "due_date", "id")
    )


# Read on every meeting page: compiled once per process (governance.prepared).
_WITH_ARISING = Prepared(_with_arising)


def action_item_owner(a: ActionItem) -> str:
    return ", ".join(str(p) for p in (a.owner_state, a.owner_body, a.owner_person) if p)


def attendance_version(present: bool, remote: bool) -> str:
    """An attendance row's version (it keeps no history): the state drawn, "10" present in the room, "11"
    present remotely, "00" absent or not recorded (which the record page shows alike)."""
    return f"{int(present)}{int(present and remote)}"


def record_versions(
    *, items: list[AgendaItem], actions: list[ActionItem], attendance: list[Attendance], people: list[int]
) -> dict[str, str]:
    """The version of every row of the record page, by the row's field key ("minutes_12", "status_7",
    "present_3"): one query per kind of row, however long the record."""
    versions: dict[str, str] = {}
    for prefix, model, pks in (("minutes", AgendaItem, items), ("status", ActionItem, actions)):
        if pks:
            rows = model.objects.filter(pk__in=[o.pk for o in pks]).annotate(v=version_column(model))
            versions.update({f"{prefix}_{pk}": str(v or "") for pk, v in rows.values_list("pk", "v")})
    drawn = {a.person_id: attendance_version(a.present, a.remote) for a in attendance}
    versions.update({f"present_{pid}": drawn.get(pid, "00") for pid in people})
    return versions
