"""Reading what went out: a calendar file through both parsers."""

from __future__ import annotations

import ics
from icalendar import Calendar


def parse_both(text: str | bytes):
    """The same file through both parsers; returns (icalendar Calendar, its VEVENT, ics Event)."""
    raw = text if isinstance(text, bytes) else text.encode()
    cal = Calendar.from_ical(raw)
    events = list(cal.walk("VEVENT"))
    assert len(events) == 1
    other = ics.Calendar(raw.decode())
    assert len(other.events) == 1
    return cal, events[0], next(iter(other.events))
