"""Fan out invitations to many invitees through real Celery workers on Redis; print sends per second and
duplicates (which must be 0). Not a test: figures.

    [REDIS_URL=redis://127.0.0.1:6379/5] python bench/notify.py [--size 10000] [--workers 2] [--kill] [--feed]

Without ``REDIS_URL`` it starts a private ``redis-server`` (from PATH) for the run; with it, it empties that
database's Celery queue first, so give it a database of its own.

- ``--size``: invitees of the one meeting (default 10,000).
- ``--workers``: worker processes (``celery worker --pool=solo`` each).
- ``--kill``: SIGKILL one worker when a third of the invites are out, start it again, and let the sweep
  (given a clock an hour later) reclaim what the dead worker held; every invitee must still end with
  exactly one email.
- ``--feed``: also time a 500-meeting feed against icalendar's bare serialisation of the same events.

Uses its own database (bench/_setup.py: a fresh SQLite file under var/bench/notify, or DATABASE_URL) and
its own outbox directory, and the real clock (the meeting is two months ahead).
"""

from __future__ import annotations

import argparse
import datetime as dt
import email
import email.policy
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
JKT = ZoneInfo("Asia/Jakarta")
NOW = dt.datetime(2026, 3, 2, 8, 0, tzinfo=JKT)


def build_world(size: int, *, start: dt.datetime | None = None):
    """One confirmed meeting in Jakarta with ``size`` invitees (people without accounts need none)."""
    from governance.models import Body, MemberState, Person
    from meetings.models import Invitation, Meeting

    state, manila = (
        MemberState.objects.get_or_create(
            iso2=iso2,
            defaults=dict(
                short_name=name,
                official_name=official,
                iso3=iso3,
                capital=capital,
                timezone=zone,
                zone_label=f"{capital} time",
                admitted_on=dt.date(1967, 8, 8),
            ),
        )[0]
        for iso2, iso3, name, official, capital, zone in (
            ("ID", "IDN", "Indonesia", "Republic of Indonesia", "Jakarta", "Asia/Jakarta"),
            ("PH", "PHL", "Philippines", "Republic of the Philippines", "Manila", "Asia/Manila"),
        )
    )
    body, _ = Body.objects.get_or_create(
        acronym="BENCH",
        defaults=dict(
            name="Bench body", kind=Body.Kind.SECTORAL_COMMITTEE, chair_policy=Body.ChairPolicy.OWN_ROTATION
        ),
    )
    meeting = Meeting.objects.create(
        body=body,
        host=state,
        title="Bench fan-out meeting",
        start=start or dt.datetime(2026, 5, 4, 9, tzinfo=JKT),
        end=(start or dt.datetime(2026, 5, 4, 9, tzinfo=JKT)) + dt.timedelta(hours=8),
        timezone="Asia/Jakarta",
        city="Jakarta",
        status=Meeting.Status.CONFIRMED,
        sequence=1,
    )
    people = Person.objects.bulk_create(
        [
            Person(full_name=f"Invitee {i}", email=f"invitee-{i}@bench.example", member_state=manila)
            for i in range(size)
        ],
        batch_size=2000,
    )
    if people[0].pk is None:  # backends that do not return ids
        people = list(Person.objects.filter(email__endswith="@bench.example").order_by("pk"))
    Invitation.objects.bulk_create(
        [Invitation(meeting=meeting, person=p, member_state=manila) for p in people], batch_size=2000
    )
    return meeting


class Workers:
    def __init__(self, n: int, env: dict, logs: Path) -> None:
        self.env, self.logs, self.procs = env, logs, [None] * n

    def start(self, i: int) -> None:
        log = open(self.logs / f"worker-{i}-{time.monotonic_ns()}.log", "wb")  # noqa: SIM115
        self.procs[i] = subprocess.Popen(
            [
                str(ROOT / ".venv" / "bin" / "celery"),
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "--loglevel=WARNING",
                "--without-mingle",
                "--without-gossip",
                "--without-heartbeat",
                "-n",
                f"bench{i}-{os.getpid()}@%h",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self, i: int) -> None:
        os.killpg(self.procs[i].pid, signal.SIGKILL)
        self.procs[i].wait()

    def stop_all(self) -> None:
        for p in self.procs:
            if p is not None and p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in self.procs:
            if p is not None:
                try:
                    p.wait(15)
                except subprocess.TimeoutExpired:
                    os.killpg(p.pid, signal.SIGKILL)


def outbox_counts(outbox: Path) -> tuple[Counter, int]:
    """(messages per recipient, deliveries logged) read back from the files."""
    per = Counter()
    for path in outbox.glob("*.eml"):
        with open(path, "rb") as fh:
            msg = email.message_from_binary_file(fh, policy=email.policy.default)
        per[msg["To"]] += 1
    log = outbox / "deliveries.log"
    return per, (len(log.read_text().splitlines()) if log.exists() else 0)


def fan_out(size: int, n_workers: int, kill: bool) -> None:
    """On the real clock, as in production: the meeting is two months ahead, the hook plans and queues,
    the workers send. After a kill, this process plays beat: it sweeps every few seconds once the queue
    is idle, with a short claim timeout so the dead worker's row comes back quickly."""
    import redis
    from django.conf import settings
    from django.utils import timezone

    from meetings.calendar.tasks import meeting_version_plan
    from outbox.models import Message
    from outbox.tasks import sweep

    settings.NOTIFY_CLAIM_TIMEOUT_SECONDS = 10
    settings.NOTIFY_DISPATCH_LEASE_SECONDS = 30
    var = Path(os.environ["VAR_DIR"])
    outbox = var / "outbox"
    shutil.rmtree(outbox, ignore_errors=True)
    logs = var / "logs"
    logs.mkdir(exist_ok=True)
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.delete("celery", "unacked", "unacked_index", "unacked_mutex")

    started = time.perf_counter()
    day = (timezone.now() + dt.timedelta(days=60)).astimezone(JKT).date()
    meeting = build_world(size, start=dt.datetime.combine(day, dt.time(9), tzinfo=JKT))
    print(f"world: {size} invitees in {time.perf_counter() - started:.1f}s")
    db = settings.DATABASES["default"]
    url = f"sqlite:///{db['NAME']}" if db["ENGINE"].endswith("sqlite3") else os.environ["DATABASE_URL"]
    env = {k: v for k, v in os.environ.items() if k != "EMAIL_URL"}
    env.update(
        DATABASE_URL=url,
        VAR_DIR=str(var),
        REDIS_URL=settings.REDIS_URL,
        # Short leases and claims so a run with --kill recovers in seconds, not the production 10 minutes.
        NOTIFY_CLAIM_TIMEOUT_SECONDS="10",
        NOTIFY_DISPATCH_LEASE_SECONDS="30",
    )
    workers = Workers(n_workers, env, logs)
    for i in range(n_workers):
        workers.start(i)
    time.sleep(3)  # let the workers connect before the clock starts

    def invites_sent() -> int:
        return Message.objects.filter(kind="invite", status="sent").count()

    t0 = time.perf_counter()
    # What the record side does after commit. A list this long is planned by a worker (the hook returns
    # at once); a list of ordinary size is planned here. Either way the sends are queued after planning.
    meeting_version_plan(meeting_id=meeting.pk)
    print(f"confirmed: the hook returned in {time.perf_counter() - t0:.2f}s")
    killed_at = planned_at = None
    last, idle_since = -1, time.monotonic()
    try:
        while True:
            done = invites_sent()
            if kill and killed_at is None and done >= size // 3:
                workers.kill(0)
                killed_at = done
                stuck = Message.objects.filter(status="sending").count()
                print(
                    f"SIGKILL worker 0 at {done} sent ({stuck} row(s) 'sending'); starting it again",
                    flush=True,
                )
                workers.start(0)
            if done >= size:
                break
            if done != last:
                last, idle_since = done, time.monotonic()
            elif killed_at is not None and not client.llen("celery") and time.monotonic() - idle_since > 5:
                # Beat's job: the lost task's rows and the dead worker's claim come back to the queue.
                result = sweep()
                if result.reclaimed or result.dispatched:
                    print(f"sweep: reclaimed {result.reclaimed}, handed out {result.dispatched}", flush=True)
                idle_since = time.monotonic()
            if time.perf_counter() - t0 > 3600:
                sys.exit("gave up after an hour")
            time.sleep(0.25)
            if (
                planned_at is None
                and Message.objects.filter(meeting_notice__meeting=meeting, kind="reminder").exists()
            ):
                planned_at = time.perf_counter() - t0
        elapsed = time.perf_counter() - t0
    finally:
        workers.stop_all()
    rows = Message.objects.filter(meeting_notice__meeting=meeting).count()
    print(f"planned {rows} rows (invites, reminders, chasers, agenda) within {planned_at or elapsed:.1f}s")
    per, deliveries = outbox_counts(outbox)
    duplicates = sum(n - 1 for n in per.values() if n > 1)
    missing = size - len(per)
    print(f"sent {size} invites with {n_workers} worker(s) in {elapsed:.1f}s: {size / elapsed:.0f} sent/s")
    print(f"duplicates: {duplicates} (emails beyond one per invitee); missing: {missing}")
    print(
        f"deliveries logged: {deliveries} (resent after the crash, kept one by Message-ID: {deliveries - size})"
    )
    if killed_at is not None:
        ok = duplicates == missing == 0
        print(f"killed a worker at {killed_at}/{size}; every invitee ended with exactly one email: {ok}")
    if duplicates or missing:
        sys.exit(1)


def feed_ratio(n: int = 500, runs: int = 5) -> tuple[float, float, float]:
    """(ratio, our feed seconds, bare icalendar seconds) for ``n`` meetings (best of ``runs``)."""
    from django.utils import timezone
    from icalendar import Calendar, Event

    from governance.models import Body, MemberState
    from meetings.calendar.ics import feed_calendar
    from meetings.models import Meeting

    body = Body.objects.get(acronym="BENCH")  # made by fan_out's world
    host = MemberState.objects.get(iso2="ID")
    Meeting.objects.bulk_create(
        [
            Meeting(
                body=body,
                host=host,
                title=f"Feed meeting {i}",
                start=dt.datetime(2027, 1, 1, 9, tzinfo=JKT) + dt.timedelta(days=i),
                end=dt.datetime(2027, 1, 1, 17, tzinfo=JKT) + dt.timedelta(days=i),
                timezone="Asia/Jakarta",
                city="Jakarta",
                uid=f"feed-{i}@bench",
            )
            for i in range(n)
        ]
    )
    qs = Meeting.objects.filter(uid__startswith="feed-").select_related("body", "host").order_by("start")

    def bare() -> float:
        meetings = list(qs.all())
        t = time.perf_counter()
        cal = Calendar()
        cal.add("prodid", "-//bench//")
        cal.add("version", "2.0")
        for m in meetings:
            e = Event()
            e.add("uid", m.uid)
            e.add("dtstamp", NOW.astimezone(dt.UTC))
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
        cal.to_ical()
        return time.perf_counter() - t

    def ours() -> float:
        t = time.perf_counter()
        feed_calendar(qs.all(), name="bench", now=timezone.now(), reader_tz="Asia/Manila")
        return time.perf_counter() - t

    floor = min(bare() for _ in range(runs))
    mine = min(ours() for _ in range(runs))
    return mine / floor, mine, floor


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--kill", action="store_true", help="SIGKILL a worker mid-run and restart it")
    parser.add_argument("--feed", action="store_true", help="also time a 500-meeting feed")
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    from _setup import setup

    server = None
    if not os.environ.get("REDIS_URL"):
        # The figure is about workers on Redis: without a server given, a private one for this run.
        from faults import PrivateRedis

        server = PrivateRedis(
            Path(os.environ.get("BENCH_VAR_DIR", ROOT / "var" / "bench" / "notify")) / "redis"
        )
        server.start()
        os.environ["REDIS_URL"] = server.url
    try:
        setup("notify")
        fan_out(args.size, args.workers, args.kill)
    finally:
        if server is not None:
            server.kill()
    if args.feed:
        ratio, mine, floor = feed_ratio()
        print(
            f"feed of 500 meetings: {mine * 1000:.0f} ms; bare icalendar: {floor * 1000:.0f} ms; ratio {ratio:.2f}x"
        )


if __name__ == "__main__":
    main()
