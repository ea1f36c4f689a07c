"""How a meeting's time is said, everywhere: pages, emails and the .ics DESCRIPTION use these functions, so
the wording is the same in each.

Rules (docs/decisions/0014): the host's local time comes first, with the zone named in words and its UTC
offset ("09:00 Jakarta time (UTC+7)"), never a tz abbreviation (Manila's "PST" reads as US Pacific). Beside
it comes the reader's own time when it differs ("10:00 in your time, Manila (UTC+8)"); a meeting that
crosses the reader's midnight says "ends 01:30 next day, your time". Lists place a meeting on the reader's
day and show the host's date when it differs.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MONTHS_LONG = tuple(_calendar.month_name)[1:]
DAYS_LONG = tuple(_calendar.day_name)


def offset_label(moment: dt.datetime) -> str:
    """ "UTC+7", "UTC+6:30", "UTC-5", "UTC" for an aware datetime (ASCII, so emails and .ics agree)."""
    minutes = int(moment.utcoffset().total_seconds()) // 60
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{mins:02d}" if mins else "")


def fmt_date(day: dt.date, *, year: bool = True) -> str:
    text = f"{DAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]}"
    return f"{text} {day.year}" if year else text


def day_label(day: dt.date | None, *, long: bool = False) -> str:
    """ "5 Mar 2027", or with ``long`` "Friday 5 March 2027": what ``|date:"j M Y"`` and ``|date:"l j F Y"``
    write in English, the only language here, without Django's locale-aware formatter, which costs about
    50 µs a date and shows on lists of a hundred due dates. Empty for no date."""
    if day is None:
        return ""
    if long:
        return f"{DAYS_LONG[day.weekday()]} {day.day} {MONTHS_LONG[day.month - 1]} {day.year}"
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def fmt_time(moment: dt.datetime) -> str:
    return f"{moment:%H:%M}"


def _iana_city(tz_name: str) -> str:
    return tz_name.rsplit("/", 1)[-1].replace("_", " ")


# The member states' zone labels, kept per process for a few minutes. Every page, email and feed that
# states a time names zones, and the labels change a few times a decade. A save or delete in this process
# drops the copy at once (``forget_zone_labels``); other processes see the change within the timeout.
ZONE_LABELS_SECONDS = 300
_zone_labels: tuple[float, dict[str, str]] | None = None


def zone_labels() -> dict[str, str]:
    """IANA zone -> its name in words ("Manila time"), from the member states (the first by name wins)."""
    global _zone_labels
    if _zone_labels is None or time.monotonic() - _zone_labels[0] > ZONE_LABELS_SECONDS:
        from governance.models import MemberState

        labels: dict[str, str] = {}
        for tz, label, capital in MemberState.objects.values_list("timezone", "zone_label", "capital"):
            labels.setdefault(tz, label or f"{capital} time")
        _zone_labels = (time.monotonic(), labels)
    return _zone_labels[1]


def forget_zone_labels(**kwargs) -> None:
    global _zone_labels
    _zone_labels = None


class ZoneNamer:
    """Names zones in words from the editable data: ``MemberState.zone_label`` ("Manila time"), falling
    back to the IANA city ("Brussels time"). Cheap to make: the labels come from ``zone_labels``."""

    def __init__(self, labels: dict[str, str] | None = None) -> None:
        self.labels = zone_labels() if labels is None else labels

    def label(self, tz_name: str) -> str:
        return self.labels.get(tz_name) or f"{_iana_city(tz_name)} time"

    def place(self, tz_name: str) -> str:
        """The reader's place for "in your time, Manila": the label without its " time"."""
        label = self.label(tz_name)
        return label[: -len(" time")] if label.endswith(" time") else label

    def meeting_label(self, meeting) -> str:
        """The host's zone in words. A meeting's own zone wins over its host capital's (Bali is not
        Jakarta), so the host state's label is used only when the zones agree, then the city's name."""
        host = getattr(meeting, "host", None)
        if host is not None and host.timezone == meeting.timezone:
            return host.zone_name
        if meeting.city:
            return f"{meeting.city} time"
        return self.label(meeting.timezone)


@dataclass(frozen=True)
class MeetingTimes:
    """What to print about when a meeting happens, for one reader."""

    host: str
    reader: str | None
    host_day: dt.date
    reader_day: dt.date
    host_label: str
    host_zone: str
    reader_zone: str | None
    crosses_midnight: bool = False
    lines: tuple[str, ...] = field(default=())

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    @property
    def day_differs(self) -> bool:
        return self.reader_day != self.host_day

    @property
    def host_day_note(self) -> str:
        """ "Mon 4 May in Jakarta" when the reader's day is another one; empty otherwise."""
        if not self.day_differs:
            return ""
        place = self.host_label[: -len(" time")] if self.host_label.endswith(" time") else self.host_label
        return f"{fmt_date(self.host_day, year=False)} in {place}"


def _span(start: dt.datetime, end: dt.datetime, *, year: bool = True) -> str:
    if start.date() == end.date():
        return f"{fmt_date(start.date(), year=year)}, {fmt_time(start)}–{fmt_time(end)}"
    return f"{fmt_date(start.date(), year=year)}, {fmt_time(start)} – {fmt_date(end.date(), year=year)}, {fmt_time(end)}"


def meeting_times(meeting, reader_tz: str | None = None, *, namer: ZoneNamer | None = None) -> MeetingTimes:
    """The host's time, and the reader's when the reader's clock shows something else."""
    namer = namer or ZoneNamer()
    host_zone = ZoneInfo(meeting.timezone)
    hs, he = meeting.start.astimezone(host_zone), meeting.end.astimezone(host_zone)
    host_label = namer.meeting_label(meeting)
    if getattr(meeting, "date_precision", "day") == "month":
        # Historical record where only the month is known: no clock time to misread.
        host = f"{MONTHS_LONG[hs.month - 1]} {hs.year} (exact dates not recorded)"
        return MeetingTimes(
            host, None, hs.date(), hs.date(), host_label, meeting.timezone, None, lines=(host,)
        )
    host = f"{_span(hs, he)} {host_label} ({offset_label(hs)})"
    if not reader_tz or reader_tz == meeting.timezone:
        return MeetingTimes(
            host, None, hs.date(), hs.date(), host_label, meeting.timezone, reader_tz, lines=(host,)
        )
    zone = ZoneInfo(reader_tz)
    rs, re_ = meeting.start.astimezone(zone), meeting.end.astimezone(zone)
    if rs.utcoffset() == hs.utcoffset() and re_.utcoffset() == he.utcoffset():
        # Same clock (Jakarta and Bangkok): saying it twice would only invite doubt.
        return MeetingTimes(
            host, None, hs.date(), rs.date(), host_label, meeting.timezone, reader_tz, lines=(host,)
        )
    where = f"in your time, {namer.place(reader_tz)} ({offset_label(rs)})"
    crosses = False
    multi_day_host = hs.date() != he.date()
    if rs.date() == re_.date():
        start_part = f"{fmt_date(rs.date(), year=False)}, " if rs.date() != hs.date() else ""
        reader = f"{start_part}{fmt_time(rs)}–{fmt_time(re_)} {where}"
    elif not multi_day_host and re_.date() == rs.date() + dt.timedelta(days=1):
        crosses = True
        start_part = f"{fmt_date(rs.date(), year=False)}, " if rs.date() != hs.date() else ""
        reader = f"{start_part}{fmt_time(rs)} {where}; ends {fmt_time(re_)} next day, your time"
    else:
        reader = f"{_span(rs, re_, year=False)} {where}"
    return MeetingTimes(
        host,
        reader,
        hs.date(),
        rs.date(),
        host_label,
        meeting.timezone,
        reader_tz,
        crosses_midnight=crosses,
        lines=(host, reader),
    )


def agenda_item_time(
    starts_at: dt.datetime | None,
    meeting,
    reader_tz: str | None = None,
    *,
    show_reader: bool = False,
    namer: ZoneNamer | None = None,
) -> str:
    """ "09:30 Jakarta time" and, on request, "(10:30 your time)"; the day is named when the meeting runs
    over several days, and "next day" / "previous day" when the reader's date differs."""
    if starts_at is None:
        return ""
    namer = namer or ZoneNamer()
    host_zone = ZoneInfo(meeting.timezone)
    local = starts_at.astimezone(host_zone)
    multi_day = meeting.start.astimezone(host_zone).date() != meeting.end.astimezone(host_zone).date()
    prefix = f"{fmt_date(local.date(), year=False)}, " if multi_day else ""
    text = f"{prefix}{fmt_time(local)} {namer.meeting_label(meeting)}"
    if show_reader and reader_tz and reader_tz != meeting.timezone:
        mine = starts_at.astimezone(ZoneInfo(reader_tz))
        if mine.utcoffset() != local.utcoffset():
            shift = (mine.date() - local.date()).days
            when = {1: " next day", -1: " previous day"}.get(shift, "")
            text += f" ({fmt_time(mine)}{when}, your time)"
    return text


def reader_timezone(user) -> str | None:
    """The zone a signed-in user reads times in: their profile setting, else their state's capital."""
    if not getattr(user, "is_authenticated", False):
        return None
    from django.conf import settings

    from governance.accounts import person_of

    person = person_of(user)
    return person.effective_timezone if person else settings.TIME_ZONE


def reader_day(meeting, reader_tz: str | None) -> dt.date:
    zone = ZoneInfo(reader_tz or meeting.timezone)
    return meeting.start.astimezone(zone).date()


def group_by_reader_day(
    meetings: Iterable, reader_tz: str | None, *, namer: ZoneNamer | None = None
) -> list[tuple[dt.date, list[tuple[object, MeetingTimes]]]]:
    """Meetings grouped under the reader's calendar day, each with its times (for date lists)."""
    namer = namer or ZoneNamer()
    days: dict[dt.date, list] = {}
    for meeting in meetings:
        times = meeting_times(meeting, reader_tz, namer=namer)
        days.setdefault(times.reader_day, []).append((meeting, times))
    return sorted(days.items())


@dataclass
class MonthCell:
    day: dt.date | None
    meetings: list = field(default_factory=list)  # (meeting, MeetingTimes)


def month_grid(
    year: int, month: int, meetings: Iterable, reader_tz: str | None, *, namer: ZoneNamer | None = None
) -> list[list[MonthCell]]:
    """Weeks (Monday first) of one month, each meeting on every reader's day it covers."""
    namer = namer or ZoneNamer()
    first = dt.date(year, month, 1)
    last = dt.date(year, month, _calendar.monthrange(year, month)[1])
    cells: dict[dt.date, MonthCell] = {}
    for meeting in meetings:
        times = meeting_times(meeting, reader_tz, namer=namer)
        zone = ZoneInfo(reader_tz or meeting.timezone)
        day = meeting.start.astimezone(zone).date()
        # An end at midnight does not occupy the next day.
        end_day = (meeting.end.astimezone(zone) - dt.timedelta(microseconds=1)).date()
        while day <= end_day:
            if first <= day <= last:
                cells.setdefault(day, MonthCell(day)).meetings.append((meeting, times))
            day += dt.timedelta(days=1)
    weeks: list[list[MonthCell]] = []
    for week in _calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
        weeks.append([cells.get(d, MonthCell(d)) if d.month == month else MonthCell(None) for d in week])
    return weeks
