"""VTIMEZONE components that every parser reads the same way for every year of a file.

Built from ``zoneinfo`` (never pytz): the transitions of the span are found, then written as observances
that ical.js, vobject and icalendar all understand (docs/decisions: time zones in calendar files):

- Transitions that follow one yearly rule (same month, same n-th or last weekday, same local hour) in
  consecutive years become one observance with an ``RRULE`` (``FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU``), with
  ``UNTIL`` where the rule stops inside the span.
- Any other transition is an ``RDATE``, one per content line: several dates on one RDATE line are read by
  some parsers as the first date only, which put meetings in later years an hour out.
- ``DTSTART`` of an observance is the local time *before* the change (RFC 5545 §3.6.5): the spring change
  in Brussels is at 02:00 local time, in New York at 02:00 too.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

UTC = dt.UTC


@dataclass(frozen=True)
class Transition:
    at: dt.datetime  # the instant, in UTC
    offset_from: dt.timedelta
    offset_to: dt.timedelta
    name: str  # the abbreviation after the change (TZNAME: for parsers only, never shown to people)
    is_dst: bool

    @property
    def local_before(self) -> dt.datetime:
        return (self.at + self.offset_from).replace(tzinfo=None)

    def rule(self) -> tuple[int, int, int, dt.time]:
        """(month, weekday, n-th of the month counted from its end: -1 is the last, or from its start)."""
        local = self.local_before
        nth = (local.day - 1) // 7 + 1
        days_in_month = (
            (local.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        ).day
        last = local.day + 7 > days_in_month
        return local.month, local.weekday(), -1 if last else nth, local.time()


def _state(zone: ZoneInfo, at: dt.datetime) -> tuple[dt.timedelta, str, bool]:
    local = at.astimezone(zone)
    return local.utcoffset(), local.tzname() or "", bool(local.dst())


def transitions(tzid: str, first: dt.date, last: dt.date) -> tuple[tuple[dt.timedelta, str, bool], list]:
    """The zone's state at the start of ``first`` and each change until ``last`` (found to the second by
    bisection between daily samples: zones change at most a few times a year)."""
    zone = ZoneInfo(tzid)
    t = dt.datetime.combine(first, dt.time(), UTC)
    end = dt.datetime.combine(last, dt.time(), UTC)
    start_state = state = _state(zone, t)
    found = []
    step = dt.timedelta(days=1)
    while t < end:
        nxt = min(t + step, end)
        new = _state(zone, nxt)
        if new[:2] != state[:2] or new[2] != state[2]:
            lo, hi = t, nxt
            while hi - lo > dt.timedelta(seconds=1):
                mid = lo + (hi - lo) / 2
                if _state(zone, mid) == state:
                    lo = mid
                else:
                    hi = mid
            at = hi.replace(microsecond=0)
            found.append(Transition(at, state[0], new[0], new[1], new[2]))
            state = new
        t = nxt
    return start_state, found


def _offset_text(offset: dt.timedelta) -> str:
    total = int(offset.total_seconds())
    sign = "-" if total < 0 else "+"
    hours, rest = divmod(abs(total), 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{sign}{hours:02d}{minutes:02d}" + (f"{seconds:02d}" if seconds else "")


def _byday(weekday: int, nth: int) -> str:
    return f"{nth}{['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'][weekday]}"


def _observance(kind_dst: bool, name: str, offset_from: dt.timedelta, offset_to: dt.timedelta, start):
    comp = TimezoneDaylight() if kind_dst else TimezoneStandard()
    comp.add("dtstart", start)
    comp.add("tzname", name)
    # Offsets as text: icalendar writes a timedelta offset with seconds some parsers refuse.
    comp["TZOFFSETFROM"] = _offset_text(offset_from)
    comp["TZOFFSETTO"] = _offset_text(offset_to)
    return comp


def _runs(items: list[Transition]) -> list[list[Transition]]:
    """Consecutive-year runs of one yearly rule (a run of one is a lone date)."""
    runs: list[list[Transition]] = []
    for tr in items:
        run = runs[-1] if runs else None
        if run and tr.at.year == run[-1].at.year + 1 and tr.rule() == run[-1].rule():
            run.append(tr)
        else:
            runs.append([tr])
    return runs


def _add_run(tz: Timezone, run: list[Transition], *, open_ended: bool) -> None:
    head = run[0]
    comp = _observance(head.is_dst, head.name, head.offset_from, head.offset_to, head.local_before)
    month, weekday, nth, _ = head.rule()
    rule = {"FREQ": "YEARLY", "BYMONTH": month, "BYDAY": _byday(weekday, nth)}
    if not open_ended:
        rule["UNTIL"] = run[-1].at  # UTC, as RFC 5545 requires with a DTSTART in local time
    comp.add("rrule", rule)
    tz.add_component(comp)


def vtimezone(tzid: str, first: dt.date, last: dt.date) -> Timezone:
    """The VTIMEZONE of ``tzid`` right for every moment from ``first`` to ``last``."""
    (offset, name, is_dst), found = transitions(tzid, first, last)
    tz = Timezone()
    tz.add("tzid", tzid)
    # The state the span starts in, as an observance of its own (no change at its DTSTART).
    opening = dt.datetime.combine(first, dt.time())
    tz.add_component(_observance(is_dst, name, offset, offset, opening))
    groups: dict[tuple, list[Transition]] = defaultdict(list)
    for tr in found:
        groups[(tr.offset_from, tr.offset_to, tr.name, tr.is_dst)].append(tr)
    last_year = max((tr.at.year for tr in found), default=first.year)
    for items in groups.values():
        lone = []
        for run in _runs(items):
            if len(run) >= 2:
                _add_run(tz, run, open_ended=run[-1].at.year == last_year and run[-1] is items[-1])
            else:
                lone.extend(run)
        if lone:
            head = lone[0]
            comp = _observance(head.is_dst, head.name, head.offset_from, head.offset_to, head.local_before)
            for tr in lone[1:]:
                comp.add("rdate", tr.local_before)  # one RDATE per content line
            tz.add_component(comp)
    return tz


@functools.lru_cache(maxsize=256)
def cached_vtimezone(tzid: str, first: dt.date, last: dt.date) -> Timezone:
    # Walking a zone over years costs milliseconds: once per zone and span, not once per message of a
    # 10,000-invitee fan-out. The cached component is only ever read.
    return vtimezone(tzid, first, last)
