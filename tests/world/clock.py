"""The tests' clock: fixed moments (never today's date) and the zone the committee meets in.

"Today" for most tests is Monday 2 March 2026; ``NOW`` is 08:00 that day in Jakarta (UTC+7)."""

from __future__ import annotations

import datetime as dt
from contextlib import nullcontext
from zoneinfo import ZoneInfo

from freezegun import freeze_time

UTC = dt.UTC
JKT = ZoneInfo("Asia/Jakarta")
NOW = dt.datetime(2026, 3, 2, 8, 0, tzinfo=JKT)
DAY = NOW.date()


def at(y: int, m: int, d: int, hh: int = 9, mm: int = 0, tz: str | ZoneInfo = JKT) -> dt.datetime:
    """A moment on a wall clock, 09:00 in Jakarta unless told (a meeting's usual start)."""
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    return dt.datetime(y, m, d, hh, mm, tzinfo=zone)


def clock(now: dt.datetime | None):
    """The clock frozen at ``now``; the real one with ``None`` (a real worker cannot see a frozen clock)."""
    return freeze_time(now) if now is not None else nullcontext()


def upcoming_day(days: int = 30) -> dt.date:
    """A day ahead of the real clock, for pages that list what is upcoming (browser tests run on the real
    clock; their assertions use only the times of day, which no date changes for zones without DST)."""
    from django.utils import timezone

    return (timezone.now() + dt.timedelta(days=days)).astimezone(JKT).date()
