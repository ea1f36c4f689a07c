"""The private calendar feed of 500 meetings against icalendar alone building the same events, and its 304.

    [DATABASE_URL=postgres://…/bench] [REDIS_URL=redis://…] python bench/feed.py [--runs 15]

A database of its own (``feed`` under bench/_setup.py's rules, kept between runs) with 500 meetings ahead, a Secretariat reader
(who sees them all) in Manila's zone. Three figures, each timed in turn with its floor, icalendar alone
building the same 500 events from the same loaded rows (no query, no cache, no view):
- the cold feed: the whole request through Django with the feed's body not cached (a first poll, or the
  first after any change), its events already serialised for their version and zone by earlier feeds;
- the cold feed with nothing cached at all (the first reader in that zone after every meeting changed);
- the 304 answer to a poll with the ETag of the last answer.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _floors import alternate, record, summary  # noqa: E402

JKT = ZoneInfo("Asia/Jakarta")
N = 500


def world():
    """500 meetings ahead of now and a Secretariat reader with a feed token."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from governance.models import Body, MemberState, Person
    from governance.permissions import ensure_secretariat_group
    from meetings.calendar.feeds import feed_token_ensure
    from meetings.models import Meeting
    from portal.seed import seed_asean

    reader = Person.objects.filter(user__username="bench-feed-reader").first()
    if reader is not None and Meeting.objects.filter(uid__startswith="feed-").count() == N:
        return reader, feed_token_ensure(reader)  # built by an earlier run: kept (a build migrates first)
    seed_asean()
    body = Body.objects.get(acronym="ACCMSME")
    host = MemberState.objects.get(iso2="ID")
    first = timezone.now().astimezone(JKT).replace(hour=9, minute=0, second=0, microsecond=0)
    Meeting.objects.bulk_create(
        [
            Meeting(
                body=body,
                host=host,
                title=f"Feed meeting {i}",
                start=first + dt.timedelta(days=i + 1),
                end=first + dt.timedelta(days=i + 1, hours=8),
                timezone="Asia/Jakarta",
                city="Jakarta",
                uid=f"feed-{i}@bench",
            )
            for i in range(N)
        ]
    )
    user = get_user_model().objects.create_user("bench-feed-reader")
    user.groups.add(ensure_secretariat_group())
    person = Person.objects.create(user=user, full_name="Bench Reader", timezone="Asia/Manila")
    return person, feed_token_ensure(person)


def bare_icalendar(meetings: list) -> bytes:
    """icalendar alone: the same events, the same properties, no cache and no view."""
    from icalendar import Calendar, Event

    now = dt.datetime.now(dt.UTC)
    cal = Calendar()
    cal.add("prodid", "-//bench//")
    cal.add("version", "2.0")
    for m in meetings:
        e = Event()
        e.add("uid", m.uid)
        e.add("sequence", m.sequence)
        e.add("dtstamp", now)
        e.add("dtstart", m.start.astimezone(JKT))
        e.add("dtend", m.end.astimezone(JKT))
        e.add("summary", m.title)
        e.add("location", m.city)
        e.add("description", m.title)
        e.add("url", f"https://example.org/meetings/{m.pk}/")
        e.add("status", "CONFIRMED")
        e.add("organizer", "mailto:accmsme@asean.org")
        cal.add_component(e)
    cal.add_missing_timezones()
    return cal.to_ical()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--no-record", action="store_true", help="do not write bench/results.json")
    args = parser.parse_args()
    import os

    if "DATABASE_URL" in os.environ:
        os.environ["DATABASE_URL"] += "_feed"
    from _setup import setup

    setup("feed", fresh=False)
    from django.core.cache import cache
    from django.test import Client

    from meetings.models import Meeting

    try:
        from meetings.calendar.ics import feed_event_key
    except ImportError:  # a checkout from before the events were cached (bench/compare.py's "before")

        def feed_event_key(meeting, reader_tz) -> str:
            return f"no-such-key:{meeting.pk}"

    person, token = world()
    url = f"/calendar/feed/{token}.ics"
    client = Client()
    first = client.get(url)
    assert first.status_code == 200 and first.content.count(b"BEGIN:VEVENT") == N, first.status_code
    etag = first["ETag"]
    meetings = list(Meeting.objects.filter(uid__startswith="feed-").select_related("host").order_by("start"))
    event_keys = [feed_event_key(m, person.effective_timezone) for m in meetings]

    def cold() -> None:
        cache.delete(f"feed:{etag.strip(chr(34))}")  # the feed's body: as on a first poll
        assert client.get(url).status_code == 200

    def nothing_cached() -> None:
        cache.delete(f"feed:{etag.strip(chr(34))}")
        cache.delete_many(event_keys)
        assert client.get(url).status_code == 200

    def not_modified() -> None:
        assert client.get(url, headers={"if-none-match": etag}).status_code == 304

    def floor() -> None:
        bare_icalendar(meetings)

    ratios = {}
    print(f"{'what (500 meetings)':<44}{'ms':>8}{'floor ms':>10}{'ratio':>8}")
    for label, fn in [
        ("feed cold, events cached by version", cold),
        ("feed cold, nothing cached", nothing_cached),
        ("feed 304", not_modified),
    ]:
        fig, flo, ratio = summary(*alternate(fn, floor, args.runs))
        print(f"{label:<44}{fig:>8.1f}{flo:>10.1f}{ratio:>7.2f}x", flush=True)
        ratios[f"{label} / icalendar alone"] = {"figure": fig, "floor": flo, "ratio": ratio}
    if not args.no_record:
        record(ratios)


if __name__ == "__main__":
    main()
