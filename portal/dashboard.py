"""The delegate's dashboard: upcoming meetings in both times, invitations waiting for an answer (answered
in place), their action items, a month calendar on their own days, and their calendar feed."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from zoneinfo import ZoneInfo

from django.contrib.auth.decorators import login_required
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import mark_safe

from governance.accounts import person_of
from governance.models import MemberState, Person
from governance.permissions import today_in_asean
from governance.prepared import Prepared
from meetings.calendar.feeds import feed_url, webcal
from meetings.models import ActionItem, Invitation, Meeting
from meetings.permissions import meeting_visibility, meetings_visible_by, on_visible_meetings
from meetings.times import (
    MONTHS_LONG,
    ZoneNamer,
    group_by_reader_day,
    meeting_times,
    month_grid,
    reader_timezone,
)
from portal.dashboard_rows import action_rows, awaiting_rows, upcoming_table

OPEN_ACTIONS = [ActionItem.Status.OPEN, ActionItem.Status.IN_PROGRESS]
# What the dashboard shows of a meeting and its times (meetings.times reads the host state's zone, label
# and capital; the month key the version): the rest of the meeting, of its host and of its body (two JSON
# fields) is neither loaded nor decoded, about a third of the rows' cost (issue 21).
SHOWN = ("title", "status", "start", "end", "timezone", "city", "date_precision", "sequence", "updated_at")
SHOWN_HOST = ("host", "host__timezone", "host__zone_label", "host__capital")
SHOWN_BODY = ("body", "body__acronym")


class _Host:
    """A host state as ``meetings.times`` reads it: its zone, and the zone's name."""

    __slots__ = ("timezone", "zone_label", "capital")
    zone_name = MemberState.zone_name

    def __init__(self, timezone: str, zone_label: str, capital: str) -> None:
        self.timezone, self.zone_label, self.capital = timezone, zone_label, capital


class UpcomingMeeting:
    """A meeting as the upcoming list shows it (``meetings.times`` and ``portal.dashboard_rows`` read it
    as they read a meeting): the twenty rows are read as values, with no model, body or state built for
    them, a tenth of the Secretariat's dashboard (issue 21). ``body`` is the body's acronym, its name."""

    __slots__ = (
        "pk", "title", "status", "start", "end", "timezone", "city", "date_precision", "body", "host",
        "my_invitation",
    )  # fmt: skip
    get_absolute_url = Meeting.get_absolute_url

    def __init__(self, row: tuple) -> None:
        (self.pk, self.title, self.status, self.start, self.end, self.timezone, self.city) = row[:7]
        self.date_precision, self.body = row[7:9]
        self.host = _Host(*row[10:]) if row[9] is not None else None
        self.my_invitation = None


def _upcoming(now: dt.datetime, **visibility) -> QuerySet:
    return (
        meetings_visible_by(Meeting.objects.all(), **visibility)
        .filter(end__gte=now)
        .exclude(status__in=[Meeting.Status.CANCELLED, Meeting.Status.POSTPONED])
        .order_by("start")
        .values_list(
            "id",
            "title",
            "status",
            "start",
            "end",
            "timezone",
            "city",
            "date_precision",
            "body__acronym",
            "host_id",
            "host__timezone",
            "host__zone_label",
            "host__capital",
        )[:20]  # fmt: skip
    )


# The month table's meetings come as rows, not models: on most requests they only make the cache key of
# a table already cached, and the ~35 models (and their hosts) cost more than the rest of the page's
# Python. Models are made from the rows when the table is built (``_month_meetings``).
_MONTH_MEETING = tuple(f.attname for f in Meeting._meta.concrete_fields if f.name in ("id", *SHOWN, "host"))
_MONTH_HOST = ("timezone", "zone_label", "capital")


def _in_month(first: dt.datetime, after: dt.datetime, **visibility) -> QuerySet:
    return (
        meetings_visible_by(Meeting.objects.all(), **visibility)
        .filter(start__lt=after, end__gt=first)
        .order_by("start")
        # The table names no body: the meeting's own columns and its host's.
        .values_list(*_MONTH_MEETING, *(f"host__{f}" for f in _MONTH_HOST))[:200]
    )


def _month_meetings(rows: list[tuple]) -> list[Meeting]:
    """The meetings (with their hosts' zone, label and capital) as ``.only(...)`` would load them."""
    State = Meeting._meta.get_field("host").related_model
    width = len(_MONTH_MEETING)
    host_at = _MONTH_MEETING.index("host_id")
    meetings = []
    for row in rows:
        meeting = Meeting.from_db(Meeting.objects.db, _MONTH_MEETING, row[:width])
        if row[host_at] is not None:
            meeting.host = State.from_db(State.objects.db, ("id", *_MONTH_HOST), (row[host_at], *row[width:]))
        meetings.append(meeting)
    return meetings


def _month_weeks(year: int, month: int, rows: list[tuple], reader_tz: str | None, namer: ZoneNamer) -> list:
    return month_grid(year, month, _month_meetings(rows), reader_tz, namer=namer)


# The meetings every dashboard reads: compiled once per process (governance.prepared).
_UPCOMING = Prepared(_upcoming)
_IN_MONTH = Prepared(_in_month)


def _month(param: str, today: dt.date) -> tuple[int, int]:
    try:
        year, month = (int(x) for x in param.split("-", 1))
        if 1 <= month <= 12 and 1900 < year < 3000:
            return year, month
    except ValueError:
        pass
    return today.year, today.month


def dashboard_data(*, user, month: str = "") -> dict:
    """Everything the dashboard shows, in a fixed number of queries, as the clock stands."""
    now = timezone.now()
    person = person_of(user)
    reader_tz = reader_timezone(user)
    namer = ZoneNamer()
    visibility = meeting_visibility(user)
    upcoming = [UpcomingMeeting(row) for row in _UPCOMING(now=now, **visibility)]
    invitations = {}
    awaiting = []
    actions = []
    if person is not None:
        # Unordered: they go into a dict, and the Meta ordering would join a meeting, a person and a state.
        # The RSVP controls read the invitation's own columns only (``rsvp_html``).
        for inv in Invitation.objects.filter(person=person, meeting__in=[m.pk for m in upcoming]).order_by():
            invitations[inv.meeting_id] = inv
        awaiting = list(
            on_visible_meetings(
                user,
                Invitation.objects.filter(
                    person=person,
                    is_withdrawn=False,
                    partstat=Invitation.PartStat.NEEDS_ACTION,
                    meeting__end__gte=now,
                    meeting__status__in=[Meeting.Status.PLANNED, Meeting.Status.CONFIRMED],
                ),
            )
            .select_related("meeting__body", "meeting__host")
            .only(
                "partstat",
                "is_withdrawn",
                "meeting",
                *(f"meeting__{f}" for f in (*SHOWN, *SHOWN_HOST, *SHOWN_BODY)),
            )
            .order_by("meeting__start")
        )
        mine = Q(owner_person=person)
        if person.member_state_id:
            mine |= Q(owner_state_id=person.member_state_id)
        actions = list(
            on_visible_meetings(user, ActionItem.objects.filter(mine, status__in=OPEN_ACTIONS))
            # Names are all the list shows of the owners and the meeting (with its link): no objects built.
            # The person's name as a subquery: PostgreSQL reads it for the fifty rows shown, after the sort,
            # rather than joining every person to every open item first (a fifth of the statement).
            .annotate(
                meeting_title=F("meeting__title"),
                owner_person_name=Subquery(
                    Person.objects.filter(pk=OuterRef("owner_person_id")).values("full_name")
                ),
                owner_state_name=F("owner_state__short_name"),
            )
            .order_by("due_date", "pk")[:50]
        )
    for meeting in upcoming:
        meeting.my_invitation = invitations.get(meeting.pk)
    today = now.astimezone(ZoneInfo(reader_tz or "UTC")).date()
    year, month_no = _month(month, today)
    first = dt.datetime(year, month_no, 1, tzinfo=ZoneInfo(reader_tz or "UTC"))
    after = (first + dt.timedelta(days=32)).replace(day=1)
    in_month = _IN_MONTH(first=first, after=after, **visibility)
    prev_month = (first - dt.timedelta(days=1)).strftime("%Y-%m")
    # The month table is the same HTML for everyone who sees the same meetings of that month in the same
    # zone on the same day: cached per the meetings' versions (docs/decisions/0056), built only on a miss.
    month_key = _month_key(in_month, reader_tz, today, year, month_no)
    feed = feed_url(person) if person is not None and user.is_active else None
    return {
        "person": person,
        "reader_tz": reader_tz,
        "reader_place": namer.place(reader_tz) if reader_tz else "",
        "days": group_by_reader_day(upcoming, reader_tz, namer=namer),
        "awaiting": awaiting,
        "actions": actions,
        "today": today,
        "month_title": f"{MONTHS_LONG[month_no - 1]} {year}",
        "month_key": month_key,
        # A callable: the template calls it only when the cached table is missing.
        "month_weeks": functools.partial(_month_weeks, year, month_no, in_month, reader_tz, namer),
        "prev_month": prev_month,
        "next_month": after.strftime("%Y-%m"),
        "feed_url": feed,
        "feed_webcal": webcal(feed) if feed else None,
        "zone_namer": namer,
    }


_KEY_FIELDS = tuple(
    _MONTH_MEETING.index(f) for f in ("id", "sequence", "updated_at", "title", "start", "end", "timezone")
)


def _month_key(rows: list[tuple], reader_tz: str | None, today: dt.date, year: int, month: int) -> str:
    """What the month table shows depends on: each meeting's version and the fields it shows, the
    reader's zone, today (highlighted) and the month."""
    parts = [reader_tz, today, year, month]
    parts += [tuple(row[i] for i in _KEY_FIELDS) for row in rows]
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:40]


@login_required
def dashboard(request):
    data = dashboard_data(user=request.user, month=request.GET.get("month", ""))
    namer = request._zone_namer = data.pop("zone_namer")
    # The repeated rows are written in Python (portal/dashboard_rows.py): one token and one return
    # address for every RSVP form, each meeting's times worked out once.
    csrf, here = get_token(request), request.get_full_path()
    reader_tz = data["reader_tz"]
    # Each table's rows joined here: a template loop costs more per row than writing the row.
    data["awaiting_rows"] = mark_safe(  # noqa: S308 - the rows are SafeStrings
        "".join(
            awaiting_rows(
                ((inv, meeting_times(inv.meeting, reader_tz, namer=namer)) for inv in data["awaiting"]),
                csrf_token=csrf,
                next_url=here,
            )
        )
    )
    data["upcoming"] = upcoming_table(data["days"], csrf_token=csrf, next_url=here)
    data["action_rows"] = mark_safe("".join(action_rows(data["actions"], today=today_in_asean())))  # noqa: S308
    # The same token for the log-out form: the context processor would mask the secret a second time.
    data["csrf_token"] = csrf
    return render(request, "portal/dashboard.html", data)
