"""Which meetings a user sees, who manages them, and a meeting's days in its own zone."""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo

from django.db.models import Q, QuerySet

from governance.models import Body
from governance.permissions import VIEW, has_body_right, is_active_user, is_secretariat
from governance.prepared import Prepared
from meetings.models import Meeting
from meetings.permissions import meeting_visible, meetings_visible, meetings_visible_to_user_id


def visible_meetings(user) -> QuerySet[Meeting]:
    """Meetings the user may see: all for the Secretariat; their bodies' meetings for members; the public
    meetings of bodies they observe; single meetings they were given a right on (an invitation). The rule
    itself lives with the other rights in ``governance.permissions``."""
    return meetings_visible(user, Meeting.objects.all())


# What the API's meeting list shows of each meeting, by the model's attribute names: a row read with these
# answers the serializer as the meeting would (``MeetingSerializer.to_representation``).
LIST_COLUMNS = (
    "id", "body_id", "series_id", "number", "label", "title", "start", "end", "timezone", "host_id", "venue",
    "city", "modality", "join_url", "is_public", "status", "uid", "sequence", "date_precision",
    "previous_id", "prepares_for_id",
)  # fmt: skip


def first_meetings(user, *, rows: int, count_up_to: int) -> tuple[list, int]:
    """The first ``rows`` meetings the user may see in start order, as rows of ``LIST_COLUMNS``, and how
    many they see counted up to ``count_up_to``: the meeting list as most clients read it, in two
    statements compiled once per process and no model built."""
    if not is_active_user(user):
        return [], 0
    # The rights in SQL: this read needs nothing else of them (``meetings_visible_to_user_id``).
    who = {"user_id": None if is_secretariat(user) else user.pk}
    return _first_rows(rows)(**who), _count_up_to(count_up_to).count(**who)


# One plan per page size asked for (at most the API's 500) and per cap: a LIMIT is written into the SQL.
@functools.cache
def _first_rows(rows: int) -> Prepared:
    return Prepared(
        lambda user_id: (
            meetings_visible_to_user_id(Meeting.objects.all(), user_id=user_id)
            .order_by("start", "id")
            .values_list(*LIST_COLUMNS, named=True)[:rows]
        )
    )


@functools.cache
def _count_up_to(cap: int) -> Prepared:
    # Bounded: PostgreSQL stops after ``cap`` rows, whatever the table's size.
    return Prepared(
        lambda user_id: (
            meetings_visible_to_user_id(Meeting.objects.all(), user_id=user_id).order_by().values("pk")[:cap]
        )
    )


def body_meetings_for_user(*, body: Body, user) -> list[Meeting]:
    """The body page's fifty latest meetings the user may see, with the columns that page shows only."""
    # Whoever may view the body sees every meeting of it (``meetings_visible``'s first case): checked against
    # the rights already read for this request rather than compiled into the query with the other cases.
    sees_all = is_active_user(user) and has_body_right(user, VIEW, body)
    if sees_all:
        return _BODY_MEETINGS(body_id=body.pk)
    return list(_latest_of_body(visible_meetings(user), body.pk))


_BODY_MEETINGS_SHOWN = ("title", "start", "date_precision", "city", "status", "host__short_name")


def _latest_of_body(meetings: QuerySet[Meeting], body_id: int) -> QuerySet[Meeting]:
    return (
        meetings.filter(body_id=body_id)
        .select_related("host")
        .only(*_BODY_MEETINGS_SHOWN)
        .order_by("-start")[:50]
    )


# Compiled once per process (governance.prepared) for the usual case: a member of the body sees them all.
_BODY_MEETINGS = Prepared(lambda body_id: _latest_of_body(Meeting.objects.all(), body_id))


def meetings_for_list(
    user, *, body_id: int | None = None, year: int | None = None, status: str = ""
) -> QuerySet[Meeting]:
    qs = visible_meetings(user).select_related("body", "host", "series")
    if body_id:
        qs = qs.filter(body_id=body_id)
    if year:
        qs = qs.filter(start__year=year)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-start")


def can_manage(user, body: Body | int) -> bool:
    """The Secretariat and the body's chair manage its meetings."""
    return has_body_right(user, "manage_body", body)


def meeting_local(meeting: Meeting) -> tuple[dt.datetime, dt.datetime]:
    tz = zoneinfo.ZoneInfo(meeting.timezone)
    return meeting.start.astimezone(tz), meeting.end.astimezone(tz)


def meeting_date(meeting: Meeting) -> dt.date:
    """The day the meeting opens, in its own zone (membership and chair terms are read on that day)."""
    return meeting_local(meeting)[0].date()


def linked_meetings(meeting: Meeting, user) -> list[Meeting]:
    """The meetings held back to back before ``meeting`` that the user may see, checked against the rights
    already read as the meeting itself was; and, in the same query, the meeting it prepares for, left on
    ``meeting.prepares_for`` only if the user may see it (else it is cleared on this copy: its title
    must not reach a reader who may not see that meeting)."""
    preparatory = []
    for m in _LINKED(meeting_id=meeting.pk, prepares_for_id=meeting.prepares_for_id or None):
        if m.pk == meeting.prepares_for_id:
            meeting.prepares_for = m if meeting_visible(user, m) else None
        elif meeting_visible(user, m):
            preparatory.append(m)
    return preparatory


def _linked(meeting_id: int, prepares_for_id: int | None) -> QuerySet[Meeting]:
    linked = Q(prepares_for_id=meeting_id)
    if prepares_for_id:
        linked |= Q(pk=prepares_for_id)
    # The page names them and links them: their titles, and what ``meeting_visible`` reads, no more.
    shown = ("title", "start", "end", "status", "body", "is_public")
    return Meeting.objects.filter(linked).only(*shown).order_by("start")


# Read on every meeting page: compiled once per process (governance.prepared).
_LINKED = Prepared(_linked)
