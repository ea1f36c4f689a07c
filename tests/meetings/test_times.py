"""How times are said (docs/decisions/0014): host time named in words with its UTC offset, the reader's beside it when
their clock differs, midnight crossings, the reader's day in lists. Pure functions on fixed dates."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from meetings.times import (
    ZoneNamer,
    agenda_item_time,
    group_by_reader_day,
    meeting_times,
    month_grid,
    offset_label,
)

LABELS = {
    "Asia/Jakarta": "Jakarta time",
    "Asia/Manila": "Manila time",
    "Asia/Yangon": "Nay Pyi Taw time",
    "Asia/Bangkok": "Bangkok time",
    "Asia/Dili": "Dili time",
    "Asia/Ho_Chi_Minh": "Hanoi time",
}
NAMER = ZoneNamer(LABELS)
INDONESIA = SimpleNamespace(timezone="Asia/Jakarta", zone_name="Jakarta time", capital="Jakarta")


def meeting(start, end, tz="Asia/Jakarta", host=INDONESIA, city="Jakarta", precision="day"):
    zone = ZoneInfo(tz)
    return SimpleNamespace(
        start=start.replace(tzinfo=zone),
        end=end.replace(tzinfo=zone),
        timezone=tz,
        host=host,
        city=city,
        date_precision=precision,
    )


JAKARTA_DAY = meeting(dt.datetime(2026, 5, 4, 9), dt.datetime(2026, 5, 4, 17))


@pytest.mark.parametrize(
    ("tz", "label"),
    [
        ("Asia/Jakarta", "UTC+7"),
        ("Asia/Yangon", "UTC+6:30"),
        ("Asia/Dili", "UTC+9"),
        ("America/New_York", "UTC-4"),
        ("Asia/Kathmandu", "UTC+5:45"),
        ("America/St_Johns", "UTC-2:30"),
        ("Europe/London", "UTC+1"),
        ("UTC", "UTC"),
    ],
)
def test_offsets_are_plain_and_never_abbreviations(tz, label):
    assert offset_label(dt.datetime(2026, 5, 4, 12, tzinfo=ZoneInfo(tz))) == label


def test_jakarta_meeting_read_from_jakarta_says_host_time_only():
    t = meeting_times(JAKARTA_DAY, "Asia/Jakarta", namer=NAMER)
    assert t.host == "Mon 4 May 2026, 09:00–17:00 Jakarta time (UTC+7)"
    assert t.reader is None
    assert t.lines == (t.host,)
    assert "WIB" not in t.text and "PST" not in t.text


def test_jakarta_meeting_read_from_manila():
    t = meeting_times(JAKARTA_DAY, "Asia/Manila", namer=NAMER)
    assert t.host == "Mon 4 May 2026, 09:00–17:00 Jakarta time (UTC+7)"
    assert t.reader == "10:00–18:00 in your time, Manila (UTC+8)"
    assert not t.crosses_midnight and not t.day_differs


def test_jakarta_meeting_read_from_yangon():
    t = meeting_times(JAKARTA_DAY, "Asia/Yangon", namer=NAMER)
    assert t.reader == "08:30–16:30 in your time, Nay Pyi Taw (UTC+6:30)"


def test_same_clock_is_not_said_twice():
    assert meeting_times(JAKARTA_DAY, "Asia/Bangkok", namer=NAMER).reader is None
    assert meeting_times(JAKARTA_DAY, "Asia/Ho_Chi_Minh", namer=NAMER).reader is None


def test_meeting_crossing_the_readers_midnight():
    evening = meeting(dt.datetime(2026, 5, 4, 20), dt.datetime(2026, 5, 4, 23, 30))
    t = meeting_times(evening, "Asia/Dili", namer=NAMER)
    assert t.host == "Mon 4 May 2026, 20:00–23:30 Jakarta time (UTC+7)"
    assert t.reader == "22:00 in your time, Dili (UTC+9); ends 01:30 next day, your time"
    assert t.crosses_midnight


def test_jakarta_morning_is_the_previous_evening_in_new_york():
    t = meeting_times(JAKARTA_DAY, "America/New_York", namer=NAMER)
    assert t.reader == "Sun 3 May, 22:00 in your time, New York (UTC-4); ends 06:00 next day, your time"
    assert t.reader_day == dt.date(2026, 5, 3) and t.host_day == dt.date(2026, 5, 4)
    assert t.host_day_note == "Mon 4 May in Jakarta"


def test_the_same_meeting_read_across_a_daylight_saving_change():
    before = meeting(dt.datetime(2026, 3, 27, 9), dt.datetime(2026, 3, 27, 17))
    after = meeting(dt.datetime(2026, 4, 3, 9), dt.datetime(2026, 4, 3, 17))
    assert meeting_times(before, "Europe/Brussels", namer=NAMER).reader == (
        "03:00–11:00 in your time, Brussels (UTC+1)"
    )
    assert meeting_times(after, "Europe/Brussels", namer=NAMER).reader == (
        "04:00–12:00 in your time, Brussels (UTC+2)"
    )
    # The host's time does not move with the reader's clock.
    assert meeting_times(after, "Europe/Brussels", namer=NAMER).host.endswith(
        "09:00–17:00 Jakarta time (UTC+7)"
    )


def test_multi_day_meeting():
    three_days = meeting(dt.datetime(2026, 5, 4, 9), dt.datetime(2026, 5, 6, 17))
    t = meeting_times(three_days, "Asia/Manila", namer=NAMER)
    assert t.host == "Mon 4 May 2026, 09:00 – Wed 6 May 2026, 17:00 Jakarta time (UTC+7)"
    assert t.reader == "Mon 4 May, 10:00 – Wed 6 May, 18:00 in your time, Manila (UTC+8)"


def test_the_meetings_own_zone_wins_over_its_host_capital():
    bali = meeting(
        dt.datetime(2026, 5, 4, 9), dt.datetime(2026, 5, 4, 17), tz="Asia/Makassar", city="Nusa Dua"
    )
    t = meeting_times(bali, "Asia/Jakarta", namer=NAMER)
    assert t.host == "Mon 4 May 2026, 09:00–17:00 Nusa Dua time (UTC+8)"
    assert t.reader == "08:00–16:00 in your time, Jakarta (UTC+7)"
    nameless = meeting(
        dt.datetime(2026, 5, 4, 9), dt.datetime(2026, 5, 4, 17), tz="Asia/Kuching", host=None, city=""
    )
    assert "Kuching time (UTC+8)" in meeting_times(nameless, None, namer=NAMER).host


def test_month_precision_has_no_clock_time():
    old = meeting(dt.datetime(2019, 11, 1, 9), dt.datetime(2019, 11, 1, 17), precision="month")
    t = meeting_times(old, "America/New_York", namer=NAMER)
    assert t.host == "November 2019 (exact dates not recorded)" and t.reader is None


def test_agenda_items_in_host_time_and_on_request_the_readers():
    item = dt.datetime(2026, 5, 4, 9, 30, tzinfo=ZoneInfo("Asia/Jakarta"))
    assert agenda_item_time(item, JAKARTA_DAY, "Asia/Manila", namer=NAMER) == "09:30 Jakarta time"
    assert (
        agenda_item_time(item, JAKARTA_DAY, "Asia/Manila", show_reader=True, namer=NAMER)
        == "09:30 Jakarta time (10:30, your time)"
    )
    assert (
        agenda_item_time(item, JAKARTA_DAY, "America/New_York", show_reader=True, namer=NAMER)
        == "09:30 Jakarta time (22:30 previous day, your time)"
    )
    assert (
        agenda_item_time(item, JAKARTA_DAY, "Asia/Bangkok", show_reader=True, namer=NAMER)
        == "09:30 Jakarta time"
    )
    three_days = meeting(dt.datetime(2026, 5, 4, 9), dt.datetime(2026, 5, 6, 17))
    late = dt.datetime(2026, 5, 5, 23, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
    assert (
        agenda_item_time(late, three_days, "Asia/Dili", show_reader=True, namer=NAMER)
        == "Tue 5 May, 23:00 Jakarta time (01:00 next day, your time)"
    )
    assert agenda_item_time(None, JAKARTA_DAY, None, namer=NAMER) == ""


def test_date_lists_and_month_calendar_place_a_meeting_on_the_readers_day():
    days = group_by_reader_day([JAKARTA_DAY], "America/New_York", namer=NAMER)
    assert [d for d, _ in days] == [dt.date(2026, 5, 3)]
    [(m, t)] = days[0][1]
    assert t.host_day_note == "Mon 4 May in Jakarta"
    weeks = month_grid(2026, 5, [JAKARTA_DAY], "America/New_York", namer=NAMER)
    placed = {cell.day for week in weeks for cell in week if cell.meetings}
    # 22:00 on the 3rd to 06:00 on the 4th, New York time: on both of the reader's days.
    assert placed == {dt.date(2026, 5, 3), dt.date(2026, 5, 4)}
    weeks = month_grid(2026, 5, [JAKARTA_DAY], "Asia/Manila", namer=NAMER)
    assert {cell.day for week in weeks for cell in week if cell.meetings} == {dt.date(2026, 5, 4)}
    assert all(len(week) == 7 for week in weeks)


def test_zone_namer_uses_editable_labels_then_the_iana_city():
    assert NAMER.label("Asia/Manila") == "Manila time" and NAMER.place("Asia/Manila") == "Manila"
    assert NAMER.label("Asia/Ho_Chi_Minh") == "Hanoi time"  # ASEAN's name, not the tz database's
    assert NAMER.label("America/New_York") == "New York time"
    assert NAMER.place("Europe/Brussels") == "Brussels"


@pytest.mark.django_db
def test_zone_labels_are_read_once_and_follow_an_edit(monkeypatch):
    """Every page with a time names zones: the labels come from the member states once per process, and an
    edit or a removal in this process is seen at once (other processes within ZONE_LABELS_SECONDS)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from governance.models import MemberState
    from meetings import times

    state = MemberState.objects.create(
        short_name="Philippines",
        official_name="Republic of the Philippines",
        iso2="PH",
        iso3="PHL",
        capital="Manila",
        timezone="Asia/Manila",
        admitted_on=dt.date(1967, 8, 8),
    )
    assert ZoneNamer().label("Asia/Manila") == "Manila time"
    with CaptureQueriesContext(connection) as ctx:
        for _ in range(3):
            assert ZoneNamer().label("Asia/Manila") == "Manila time"
    assert len(ctx.captured_queries) == 0
    state.zone_label = "Philippine time"
    state.save()
    assert ZoneNamer().label("Asia/Manila") == "Philippine time"
    # Changed behind this process's back (another process, or an update without signals): seen after the
    # timeout.
    MemberState.objects.filter(pk=state.pk).update(zone_label="PHT")
    assert ZoneNamer().label("Asia/Manila") == "Philippine time"
    later = times.time.monotonic() + times.ZONE_LABELS_SECONDS + 1
    monkeypatch.setattr(times.time, "monotonic", lambda: later)
    assert ZoneNamer().label("Asia/Manila") == "PHT"
    monkeypatch.undo()
    state.delete()
    assert ZoneNamer().label("Asia/Manila") == "Manila time"  # the IANA city again


def test_day_labels_write_what_djangos_date_filter_writes():
    """``short_day`` and ``long_day`` stand in for ``|date:"j M Y"`` and ``|date:"l j F Y"`` on long lists:
    the same text for every day of a leap year and a common one."""
    from django.template.defaultfilters import date as date_filter

    from meetings.templatetags.meeting_times import long_day, short_day

    for first in (dt.date(2027, 1, 1), dt.date(2028, 1, 1)):
        for n in range(366):
            day = first + dt.timedelta(days=n)
            assert short_day(day) == date_filter(day, "j M Y")
            assert long_day(day) == date_filter(day, "l j F Y")
    assert short_day(None) == long_day(None) == ""
