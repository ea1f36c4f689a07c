"""Our calendar files through independent readers, for every event of every year: ical.js (Node, the
parser of Thunderbird and many web calendars) and icalendar, each resolving times through the file's own
VTIMEZONE. Invitations, updates, an attendee cancel, meeting cancels and a five-year feed, with meetings in
Asia/Jakarta, Europe/Brussels and America/New_York (the last two across their daylight-saving changes)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from meetings.calendar.ics import daily_sessions, feed_calendar, month_range
from meetings.calendar.tasks import meeting_version_plan
from meetings.models import Invitation, Meeting
from tests.machine import service_missing
from tests.world.calendar import cancel, move, withdraw
from tests.world.clock import NOW, clock
from tests.world.mail import calendar_part, deliver
from tests.world.meetings import invite, meeting_row
from tests.world.people import body_make, person_make, states

pytestmark = pytest.mark.django_db
UTC = dt.UTC
READERS = Path(__file__).resolve().parents[2] / "js"
YEARS = range(2026, 2031)


def ical_js(paths: list[Path]) -> list[dict]:
    """What ical.js reads in each file (tests/js/event_starts.mjs); installs the pinned ical.js first."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        service_missing("needs Node.js and npm for the ical.js reader")
    if not (READERS / "node_modules" / "ical.js").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=READERS, check=True, timeout=300)
    done = subprocess.run(
        ["node", str(READERS / "event_starts.mjs"), *map(str, paths)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(done.stdout)


def sundays(year: int, month: int) -> list[dt.date]:
    first = dt.date(year, month, 1)
    days = [first + dt.timedelta(days=i) for i in range(31)]
    return [d for d in days if d.month == month and d.weekday() == 6]


def local(day: dt.date, hour: int, tz: str) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), ZoneInfo(tz))


def five_years(body, host) -> list[Meeting]:
    """Each year: Brussels the Monday after the spring change and in the week before the autumn one;
    New York the day after its spring change and after its autumn one; a two-day Brussels meeting in
    summer (daily sessions); Jakarta in May. Plus a postponed meeting and one known only to the month."""
    made = []

    def add(title, start, hours, tz, **fields):
        end = start + dt.timedelta(hours=hours)
        made.append(meeting_row(body, host=host, start=start, end=end, tz=tz, title=title, **fields))

    for y in YEARS:
        add(
            f"EU-ASEAN spring {y}",
            local(sundays(y, 3)[-1] + dt.timedelta(days=1), 9, "Europe/Brussels"),
            8,
            "Europe/Brussels",
        )
        add(
            f"EU-ASEAN autumn {y}",
            local(sundays(y, 10)[-1] - dt.timedelta(days=3), 9, "Europe/Brussels"),
            8,
            "Europe/Brussels",
        )
        add(
            f"US-ASEAN spring {y}",
            local(sundays(y, 3)[1] + dt.timedelta(days=1), 10, "America/New_York"),
            2,
            "America/New_York",
        )
        add(
            f"US-ASEAN autumn {y}",
            local(sundays(y, 11)[0] + dt.timedelta(days=1), 10, "America/New_York"),
            2,
            "America/New_York",
        )
        add(f"ACCMSME {y}", local(dt.date(y, 5, 4), 9, "Asia/Jakarta"), 8, "Asia/Jakarta")
        add(f"EU-ASEAN retreat {y}", local(dt.date(y, 7, 1), 9, "Europe/Brussels"), 32, "Europe/Brussels")
    add(
        "Postponed dialogue",
        local(dt.date(2027, 6, 7), 9, "Europe/Brussels"),
        8,
        "Europe/Brussels",
        status=Meeting.Status.POSTPONED,
    )
    add(
        "Historical meeting",
        local(dt.date(2028, 9, 1), 0, "Asia/Jakarta"),
        24 * 29,
        "Asia/Jakarta",
        status=Meeting.Status.HELD,
        date_precision="month",
    )
    return made


def expected_starts(meeting: Meeting) -> list[dt.datetime]:
    """Each session's start in UTC: one per day of a multi-day meeting, at its start's clock time."""
    zone = ZoneInfo(meeting.timezone)
    start = meeting.start.astimezone(zone)
    return [
        dt.datetime.combine(start.date() + dt.timedelta(days=i), start.time(), zone).astimezone(UTC)
        for i in range(daily_sessions(meeting))
    ]


def icalendar_starts(raw: bytes) -> dict[str, list[dt.datetime]]:
    """UID → the start of each session in UTC, as icalendar reads the file's own VTIMEZONEs (not its
    built-in zone database: the file is what a client receives)."""
    cal = Calendar.from_ical(raw)
    zones = {str(vtz["TZID"]): vtz.to_tz(lookup_tzid=False) for vtz in cal.walk("VTIMEZONE")}
    starts = {}
    for event in cal.walk("VEVENT"):
        prop = event["DTSTART"]
        if not isinstance(prop.dt, dt.datetime):
            starts[str(event["UID"])] = [prop.dt]
            continue
        naive, tzid = prop.dt.replace(tzinfo=None), str(prop.params["TZID"])
        count = int(event["RRULE"]["COUNT"][0]) if "RRULE" in event else 1
        starts[str(event["UID"])] = [
            (naive + dt.timedelta(days=i)).replace(tzinfo=zones[tzid]).astimezone(UTC) for i in range(count)
        ]
    return starts


def check(files: list[tuple[Path, dict[str, Meeting]]]) -> int:
    """Both readers give each event of each file the stored start (per session); returns events checked."""
    read = {Path(r["path"]): r for r in ical_js([path for path, _ in files])}
    checked = 0
    for path, by_uid in files:
        events = read[path]["events"]
        assert sorted(e["uid"] for e in events) == sorted(by_uid), path.name
        by_icalendar = icalendar_starts(path.read_bytes())
        for event in events:
            meeting = by_uid[event["uid"]]
            if meeting.date_precision == "month":
                first, _ = month_range(meeting)
                assert event["allDay"] and event["start"] == first.isoformat(), event
                assert by_icalendar[meeting.uid] == [first]
                checked += 1
                continue
            want = expected_starts(meeting)
            got = [dt.datetime.fromisoformat(s) for s in (event["occurrences"] or [event["start"]])]
            assert got == want, (path.name, meeting.title, got, want)
            assert by_icalendar[meeting.uid] == want, (path.name, meeting.title)
            checked += len(want)
    return checked


def test_a_five_year_feed_reads_right_in_every_year_and_zone(tmp_path):
    made = five_years(body_make(), states("ID")["ID"])
    raw = feed_calendar(Meeting.objects.order_by("start"), name="Five years", now=NOW)
    path = tmp_path / "feed.ics"
    path.write_bytes(raw)
    checked = check([(path, {m.uid: m for m in made})])
    assert checked == len(made) + len(YEARS)  # each year's retreat sits two days
    text = raw.decode()
    # One RDATE value per line wherever RDATEs appear; the DST zones by rule, the spring change at 02:00.
    assert all("," not in line for line in text.splitlines() if line.startswith("RDATE"))
    assert "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3" in text
    assert "DTSTART:20250330T020000" in text and "DTSTART:20250309T020000" in text
    postponed = next(e for e in ical_js([path])[0]["events"] if "dialogue" in e["summary"])
    assert postponed["summary"] == "Postponed: Postponed dialogue (new date to follow)"
    assert postponed["status"] == "TENTATIVE"


def test_every_message_reads_right_in_every_zone(tmp_path, queued):
    """Invitations, updates, an attendee cancel and meeting cancels for meetings years ahead."""
    by_iso2 = states("ID", "PH", "MY")
    body = body_make()
    people = [
        person_make("ana-jakarta", state=by_iso2["ID"], body=body),
        person_make("eva-brussels", state=by_iso2["MY"], body=body, tz="Europe/Brussels"),
        person_make("ben-newyork", state=by_iso2["PH"], body=body, tz="America/New_York"),
    ]
    meetings = [
        meeting_row(
            body,
            host=by_iso2["ID"],
            start=local(dt.date(2030, 4, 1), 9, "Europe/Brussels"),
            end=local(dt.date(2030, 4, 1), 17, "Europe/Brussels"),
            tz="Europe/Brussels",
        ),
        meeting_row(
            body,
            host=by_iso2["ID"],
            start=local(dt.date(2029, 11, 5), 10, "America/New_York"),
            end=local(dt.date(2029, 11, 5), 12, "America/New_York"),
            tz="America/New_York",
        ),
        meeting_row(
            body,
            host=by_iso2["ID"],
            start=local(dt.date(2028, 5, 4), 9, "Asia/Jakarta"),
            end=local(dt.date(2028, 5, 4), 17, "Asia/Jakarta"),
            tz="Asia/Jakarta",
        ),
    ]
    for m in meetings:
        invite(m, people)
    files: list[tuple[Path, dict[str, Meeting]]] = []
    seen: set[str] = set()

    def collect(step: str, now: dt.datetime) -> None:
        for n, message in enumerate(deliver(now)):
            params, body_text = calendar_part(message)
            if params is None:
                continue
            seen.add(f"{step}:{params['method']}")
            path = tmp_path / f"{step}-{n}.ics"
            path.write_text(body_text)
            meeting = Meeting.objects.get(uid=str(Calendar.from_ical(body_text).walk("VEVENT")[0]["UID"]))
            files.append((path, {meeting.uid: meeting}))

    with clock(NOW):
        for m in meetings:
            meeting_version_plan(meeting_id=m.pk)
    collect("invite", NOW + dt.timedelta(minutes=1))
    for m in meetings:  # a week later, across the spring or autumn change of each DST zone
        move(m, m.start - dt.timedelta(days=7), m.end - dt.timedelta(days=7))
    collect("update", NOW + dt.timedelta(minutes=2))
    withdraw(Invitation.objects.get(meeting=meetings[0], person=people[1]))
    collect("withdrawn", NOW + dt.timedelta(minutes=3))
    for m in meetings:
        cancel(m)
    collect("cancel", NOW + dt.timedelta(minutes=4))
    assert seen == {"invite:REQUEST", "update:REQUEST", "withdrawn:CANCEL", "cancel:CANCEL"}
    assert len(files) == 9 + 9 + 1 + 8  # the withdrawn delegate holds no entry left to cancel
    assert check(files) == len(files)
