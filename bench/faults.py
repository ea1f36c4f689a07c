"""Reliability runs of the scale issue: faults injected into a real fan-out and under real web requests.
Each run prints what it tried and what it found; the script exits non-zero if any run finds a duplicate, a
loss or a page that is not clean. Not a test: `tests/outbox/test_broker_faults.py` and
`tests/project/test_database_faults.py` keep fast versions for `make test`.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench python bench/faults.py [--size 3000] \\
        [--only kill|redis|dbdown|db|smtp] [--seconds 20] [--outage 15] [--db-outage 23]

Every fan-out run sends through 2 workers to an aiosmtpd sink (tests/outbox/sink.py) that counts each
message per recipient, queues on a private ``redis-server`` (from PATH) on a free port, never the shared
Redis, and uses the production claim timeout, leases and breaker; this process plays beat (the 10-second
hand-out). Each prints one line: sent / lost / doubled (and how many of those fall outside the README's
window: a copy of a row not marked possibly delivered) / possibly delivered / failed / late-by (the last
message out after the service's return; it includes sending what was left, so it is partly throughput).
A run passes with nothing lost, nothing failed, no copy outside the window and late-by within 2 minutes.

- ``kill``: at a third sent, SIGKILL worker 0 and start it again (as compose's restart would).
- ``redis``: at a third sent, SIGKILL the redis-server (no RDB, no AOF: every queued batch is lost) and
  start it again on the same port; the workers reconnect by themselves.
- ``dbdown`` (PostgreSQL only): at a third sent, the bench database refuses new connections and every
  backend in it is terminated, again and again, for ``--db-outage`` seconds (23: issue 20's outage).
- ``smtp``: for each mail-server fault (``refuse``, ``451``, ``stall``, ``drop`` after DATA) a fan-out
  through a sink that misbehaves from the start for ``--outage`` seconds and then recovers.
- ``db`` (PostgreSQL only): gunicorn with 2 workers, a logged-in page requested in a loop while the
  server's backends are terminated (``pg_terminate_backend``) every fraction of a second; then rounds in
  which the backend is terminated while it waits inside a request. Only 200 and the clean 503 page are
  acceptable, a request that overlaps no drop must be 200, and the request after a 503 must work.

Without ``--only`` each run goes in its own process, one after the other, each on a fresh database
(bench/_setup.py: DATABASE_URL recreated, or a SQLite file under var/bench/faults-<run>).
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _server import Gunicorn, free_port  # noqa: E402 - bench/ is not a package

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RUNS = ("kill", "redis", "dbdown", "db", "smtp")
SMTP_FAULTS = ("refuse", "451", "stall", "drop")
CLEAN_503 = "Service briefly unavailable"  # the heading of templates/503.html
# Short leases so a batch lost with the broker's queue comes back within seconds (production: 10 minutes).
LEASE_SECONDS = 15


class PrivateRedis:
    """A throwaway ``redis-server`` on its own port, without persistence: killing it loses its data, as a
    crashed broker without AOF does. Started and killed at will; the shared Redis is never touched."""

    def __init__(self, workdir: Path, port: int | None = None) -> None:
        self.workdir, self.port = workdir, port or free_port()
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.proc: subprocess.Popen | None = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 10) -> None:
        log = open(self.workdir / "redis.log", "ab")  # noqa: SIM115 - closed with the process
        self.proc = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"redis-server exited ({self.proc.returncode}); see {self.workdir}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(64).startswith(b"+PONG"):
                        return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"redis-server on port {self.port} did not answer within {timeout}s")

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def restart(self) -> None:
        self.kill()
        self.start()


# --- Fan-out runs: every fault against one yardstick -------------------------------------------------------


@dataclass
class Tally:
    """One fault's figures, counted from the SMTP sink (what arrived) and the rows (what the outbox says)."""

    fault: str
    size: int
    sent: int  # rows sent
    lost: int  # invitees the sink never received a message for
    doubled: int  # extra copies the sink received
    outside: int  # of those, copies of a row not marked possibly delivered (outside the README's window)
    flagged: int  # rows marked possibly delivered
    failed: int
    late: float  # seconds from the service's return to the last message out
    gap: float  # the longest time after the return with nothing sent (the first send counts from the return)
    rate: float  # messages per second after the return: late-by is mostly this on a busy host

    HEADER = (
        f"{'fault':8} {'sent':>6} {'lost':>6} {'doubled':>8} {'outside window':>15} "
        f"{'possibly delivered':>19} {'failed':>7} {'late-by':>8} {'longest gap':>12} {'sent/s after':>13}"
    )

    def line(self) -> str:
        return (
            f"{self.fault:8} {self.sent:6} {self.lost:6} {self.doubled:8} {self.outside:15} {self.flagged:19} "
            f"{self.failed:7} {self.late:7.1f}s {self.gap:11.1f}s {self.rate:13.1f}"
        )

    def ok(self) -> bool:
        return (
            self.sent == self.size
            and self.lost == self.outside == self.failed == 0
            and self.late <= 120  # issue 20: the last message out within 2 minutes of the return
        )


def tally(fault: str, size: int, rows, sink, recovered: dt.datetime) -> Tally:
    from django.db.models import Max

    per = sink.per_recipient
    flagged = {r.lower() for r in rows.filter(possibly_delivered=True).values_list("recipient", flat=True)}
    last = rows.aggregate(last=Max("sent_at"))["last"]
    after = [
        recovered,
        *rows.filter(sent_at__gte=recovered).order_by("sent_at").values_list("sent_at", flat=True),
    ]
    gaps = [(b - a).total_seconds() for a, b in zip(after, after[1:], strict=False)]
    span = (after[-1] - recovered).total_seconds()
    return Tally(
        fault=fault,
        size=size,
        sent=rows.filter(status="sent").count(),
        lost=sum(1 for a in _expected(size) if per[a] == 0),
        doubled=sum(n - 1 for n in per.values() if n > 1),
        outside=sum(n - 1 for a, n in per.items() if n > 1 and a not in flagged),
        flagged=len(flagged),
        failed=rows.filter(status="failed").count(),
        late=(last - recovered).total_seconds() if last else float("nan"),
        gap=max(gaps, default=float("nan")),
        rate=(len(after) - 1) / span if span > 0 else float("nan"),
    )


def _expected(size: int) -> set[str]:
    return {f"invitee-{i}@bench.example" for i in range(size)}  # bench/notify.py build_world's addresses


def _worker_env(sink_port: int, redis_url: str) -> dict:
    from django.conf import settings

    db = settings.DATABASES["default"]
    env = {k: v for k, v in os.environ.items() if k != "EMAIL_URL"}
    env.update(
        DATABASE_URL=f"sqlite:///{db['NAME']}"
        if db["ENGINE"].endswith("sqlite3")
        else os.environ["DATABASE_URL"],
        VAR_DIR=os.environ["VAR_DIR"],
        REDIS_URL=redis_url,
        EMAIL_URL=f"smtp://127.0.0.1:{sink_port}",
        EMAIL_TIMEOUT="5",
        EMAIL_CONNECT_TIMEOUT="5",
    )
    return env  # the claim timeout, leases and hand-out are the production defaults


def database_down(seconds: float, url: str | None = None) -> None:
    """The database at ``url`` (default ``DATABASE_URL``) unreachable for ``seconds``: no new connection is
    allowed into it and every backend in it is terminated, again and again; then it is opened. Other
    databases on the server are not touched (the shared PostgreSQL serves other sessions)."""
    import psycopg
    from django.db import connections

    base, _, dbname = (url or os.environ["DATABASE_URL"]).rpartition("/")
    connections.close_all()
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'ALTER DATABASE "{dbname}" ALLOW_CONNECTIONS false')
        try:
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                admin.execute(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = %s AND pid <> pg_backend_pid()",
                    [dbname],
                )
                time.sleep(0.5)
        finally:
            admin.execute(f'ALTER DATABASE "{dbname}" ALLOW_CONNECTIONS true')


def fanout_run(fault: str, size: int, server: PrivateRedis, n_workers: int = 2, outage: float = 23) -> bool:
    """A fan-out to ``size`` invitees through 2 workers and the SMTP sink, this process playing beat (the
    10-second hand-out); at a third sent: ``kill`` SIGKILLs worker 0 and starts it again (as compose's
    restart would), ``redis`` SIGKILLs the broker (no persistence: the queue is lost) and starts it again,
    ``dbdown`` takes the database away for ``outage`` seconds."""
    from django.db import DatabaseError, connections
    from django.utils import timezone
    from notify import JKT, Workers, build_world

    from meetings.calendar.tasks import meeting_version_plan
    from outbox.models import Message
    from outbox.tasks import hand_out
    from tests.outbox.sink import SMTPSink

    var = Path(os.environ["VAR_DIR"])
    logs = var / "logs"
    logs.mkdir(exist_ok=True)
    sink = SMTPSink()
    sink.set_mode("accept")
    workers = Workers(n_workers, _worker_env(sink.port, server.url), logs)
    for i in range(n_workers):
        workers.start(i)
    time.sleep(3)  # let the workers connect
    what = {
        "kill": "SIGKILL worker 0 and start it again",
        "redis": "SIGKILL the redis-server (no persistence) and start it again",
        "dbdown": f"the database refuses and drops every connection for {outage:.0f}s",
    }[fault]
    print(f"tried: fan-out to {size} invitees, {n_workers} workers, beat every 10s; at a third sent: {what}")
    day = (timezone.now() + dt.timedelta(days=60)).astimezone(JKT).date()
    meeting = build_world(size, start=dt.datetime.combine(day, dt.time(9), tzinfo=JKT))
    rows = Message.objects.filter(meeting_notice__meeting=meeting, kind="invite")
    t0 = time.monotonic()
    meeting_version_plan(meeting_id=meeting.pk)
    recovered: dt.datetime | None = None
    next_beat = time.monotonic() + 10
    try:
        while time.monotonic() - t0 < 900:
            try:
                done = rows.filter(status="sent").count()
                if recovered is None and done >= size // 3:
                    sending = rows.filter(status="sending").count()
                    if fault == "kill":
                        workers.kill(0)
                        workers.start(0)
                    elif fault == "redis":
                        server.restart()
                    else:
                        database_down(outage)
                    recovered = timezone.now()
                    print(
                        f"{fault} at {done} sent ({sending} row(s) sending); back at once after", flush=True
                    )
                if done >= size:
                    break
                if time.monotonic() >= next_beat:
                    hand_out()
                    next_beat = time.monotonic() + 10
            except DatabaseError as exc:  # this process is beat: it too meets the outage, and goes on
                print(f"beat: {type(exc).__name__}", flush=True)
                connections.close_all()
            time.sleep(0.5)
        result = tally(fault, size, rows, sink, recovered or timezone.now())
        alive = sum(p.poll() is None for p in workers.procs)
    finally:
        workers.stop_all()
        sink.stop()
    print(
        f"elapsed {time.monotonic() - t0:.1f}s from the confirm; workers running at the end: {alive} of {n_workers}"
    )
    print(Tally.HEADER)
    print(result.line(), flush=True)
    return result.ok() and alive == n_workers


# --- Mail server faults ------------------------------------------------------------------------------------


def smtp_run(size: int, outage: float, server: PrivateRedis, n_workers: int = 2) -> bool:
    """For each mail-server fault, a fan-out through a sink that misbehaves from the start for ``outage``
    seconds, then accepts; this process plays beat (the 10-second hand-out)."""
    from django.utils import timezone
    from notify import JKT, Workers, build_world

    from meetings.calendar.tasks import meeting_version_plan
    from outbox.models import MailServer, Message
    from outbox.tasks import hand_out
    from tests.outbox.sink import SMTPSink

    sink = SMTPSink()
    logs = Path(os.environ["VAR_DIR"]) / "logs"
    logs.mkdir(exist_ok=True)
    workers = Workers(n_workers, _worker_env(sink.port, server.url), logs)
    for i in range(n_workers):
        workers.start(i)
    time.sleep(3)
    ok = True
    print(f"tried: fan-out to {size} invitees per fault, {n_workers} workers, the fault for {outage:.0f}s")
    print(Tally.HEADER)
    try:
        for fault in SMTP_FAULTS:
            sink.per_recipient.clear()
            sink.per_message_id.clear()
            sink.set_mode(fault)
            day = (timezone.now() + dt.timedelta(days=60)).astimezone(JKT).date()
            meeting = build_world(size, start=dt.datetime.combine(day, dt.time(9), tzinfo=JKT))
            rows = Message.objects.filter(meeting_notice__meeting=meeting, kind="invite")
            meeting_version_plan(meeting_id=meeting.pk)
            end_of_outage = time.monotonic() + outage
            while time.monotonic() < end_of_outage:
                hand_out()
                time.sleep(2)
            sink.set_mode("accept")
            recovered = timezone.now()
            deadline = time.monotonic() + 600
            while rows.filter(status="sent").count() < size and time.monotonic() < deadline:
                hand_out()
                time.sleep(2)
            result = tally(fault, size, rows, sink, recovered)
            print(result.line(), flush=True)
            ok = ok and result.ok()
            MailServer.objects.all().delete()
    finally:
        workers.stop_all()
        sink.stop()
    return ok


# --- Database drop under web requests ----------------------------------------------------------------------


@dataclass
class Hit:
    start: float
    end: float
    status: int  # 0: no HTTP answer (connection reset, worker crash)
    clean: bool  # 200, or our 503 page
    note: str = ""


class Site:
    """Plain HTTP to the gunicorn under test, with one session cookie."""

    def __init__(self, port: int) -> None:
        self.port, self.cookies = port, {}

    def request(self, method: str, path: str, body: str = "", headers: dict | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            hdrs = {"Cookie": cookie, **(headers or {})}
            conn.request(method, path, body=body.encode(), headers=hdrs)
            resp = conn.getresponse()
            data = resp.read().decode(errors="replace")
            for header in resp.headers.get_all("Set-Cookie") or []:
                name, _, rest = header.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
            return resp.status, data
        finally:
            conn.close()

    def login(self, username: str, password: str) -> None:
        from urllib.parse import urlencode

        status, page = self.request("GET", "/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or token is None:
            raise RuntimeError(f"login page answered {status} without a CSRF token")
        form = urlencode({"csrfmiddlewaretoken": token[1], "username": username, "password": password})
        status, _ = self.request(
            "POST", "/accounts/login/", form, {"Content-Type": "application/x-www-form-urlencoded"}
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"login answered {status} without a session")

    def hit(self, path: str) -> Hit:
        start = time.monotonic()
        try:
            status, body = self.request("GET", path)
        except (OSError, http.client.HTTPException) as exc:
            return Hit(start, time.monotonic(), 0, False, f"{type(exc).__name__}: {exc}")
        end = time.monotonic()
        if status == 200:
            return Hit(start, end, status, True)
        clean = status == 503 and CLEAN_503 in body and "Traceback" not in body
        first = re.sub(r"\s+", " ", body)[:120]
        return Hit(start, end, status, clean, "" if clean else first)


def _terminate_sql(extra: str = "") -> str:
    return (
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
        f"WHERE datname = %s AND pid <> pg_backend_pid() AND backend_type = 'client backend' {extra}"
    )


def _report_hits(hits: list[Hit], drops: list[float]) -> tuple[bool, str]:
    codes = Counter(h.status for h in hits)
    bad = [h for h in hits if not h.clean]
    # A request that overlaps no drop must work: the health check replaces a dead connection unseen.
    quiet = [h for h in hits if not any(h.start <= d <= h.end for d in drops)]
    quiet_bad = [h for h in quiet if h.status != 200]
    # The request after a 503 (started once it was answered) works, unless a new drop lands in it.
    after, after_ok = 0, 0
    ordered = sorted(hits, key=lambda h: h.start)
    for h in ordered:
        if h.status != 503:
            continue
        nxt = next((n for n in ordered if n.start >= h.end), None)
        if nxt is not None:
            after += 1
            after_ok += nxt.status == 200 or any(nxt.start <= d <= nxt.end for d in drops)
    text = (
        f"requests {len(hits)}: "
        + ", ".join(f"{c or 'no answer'}: {n}" for c, n in sorted(codes.items()))
        + f"; not clean {len(bad)}; requests overlapping no drop {len(quiet)}, of which not 200: "
        f"{len(quiet_bad)}; the request after a 503 worked {after_ok} of {after}"
    )
    for h in (bad + quiet_bad)[:5]:
        text += f"\n  bad: {h.status} {h.note}"
    return not bad and not quiet_bad and after_ok == after, text


def _drops_in_a_loop(port: int, cookies: dict, url: str, dbname: str, page: str, seconds: float) -> bool:
    """Every backend of the database terminated at random moments under a steady stream of requests."""
    import psycopg

    hits: list[Hit] = []
    drops: list[float] = []
    terminated = 0
    stop = threading.Event()

    def client() -> None:
        me = Site(port)
        me.cookies = dict(cookies)
        while not stop.is_set():
            hits.append(me.hit(page))
            time.sleep(0.01)

    threads = [threading.Thread(target=client) for _ in range(2)]
    for t in threads:
        t.start()
    try:
        with psycopg.connect(url, autocommit=True) as admin:
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                time.sleep(random.uniform(0.3, 1.0))
                drops.append(time.monotonic())
                terminated += admin.execute(_terminate_sql(), [dbname]).fetchone()[0]
    finally:
        stop.set()
        for t in threads:
            t.join()
    good, text = _report_hits(hits, drops)
    print(f"loop: {len(drops)} drops terminating {terminated} backend(s); {text}", flush=True)
    return good


def _drops_in_flight(site: Site, url: str, dbname: str, page: str, rounds: int) -> bool:
    """The backend dies while a request waits on it: django_session is locked, so the request's first table
    query blocks; that backend (and only it) is terminated, then the lock released."""
    import psycopg

    in_flight: list[Hit] = []
    next_ok = 0
    for _ in range(rounds):
        box: list[Hit] = []
        request = threading.Thread(target=lambda out=box: out.append(site.hit(page)))
        killed = 0
        with psycopg.connect(url) as locker, psycopg.connect(url, autocommit=True) as admin:
            locker.execute("LOCK TABLE django_session IN ACCESS EXCLUSIVE MODE")
            request.start()
            deadline = time.monotonic() + 10
            while not killed and time.monotonic() < deadline:
                time.sleep(0.05)
                sql = _terminate_sql("AND wait_event_type = 'Lock'")
                killed = admin.execute(sql, [dbname]).fetchone()[0]
            locker.rollback()
        request.join()
        hit = box[0]
        if not killed:
            hit = Hit(hit.start, hit.end, hit.status, False, "no request was caught waiting")
        in_flight.append(hit)
        next_ok += site.hit(page).status == 200
    codes = Counter(h.status for h in in_flight)
    clean = sum(h.status == 503 and h.clean for h in in_flight)
    print(
        f"in flight: {rounds} rounds; answers {dict(codes)}; clean 503 pages {clean} of {rounds}; "
        f"the next request answered 200 in {next_ok} of {rounds}",
        flush=True,
    )
    for h in in_flight:
        if not (h.status == 503 and h.clean):
            print(f"  bad: {h.status} {h.note}")
    return clean == rounds and next_ok == rounds


def db_run(seconds: float, rounds: int = 5) -> bool:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection

    from portal.seed import seed_asean

    dbname = settings.DATABASES["default"]["NAME"]
    url = os.environ["DATABASE_URL"]
    page = "/governance/"  # login required: the session, the user and the bodies are read in the view
    print(
        f"tried: gunicorn -w 2 on PostgreSQL ({dbname}); GET {page} as a logged-in user from 2 clients for "
        f"{seconds:.0f}s while every backend of the database is terminated each 0.3-1.0s; then {rounds} "
        "rounds terminating the backend while it waits inside a request",
        flush=True,
    )
    seed_asean()
    get_user_model().objects.create_user("faults", "faults@example.org", "faults-pw-123")
    connection.close()  # this process stays out of pg_stat_activity's way
    log = Path(os.environ["VAR_DIR"]) / "gunicorn.log"
    log.unlink(missing_ok=True)
    env = {k: v for k, v in os.environ.items() if k != "EMAIL_URL"}
    env.update(DEBUG="false", AXES_ENABLED="false")  # no debug page: the 503 must be the real one
    # Info level: the log's "Booting worker" lines tell whether a worker died under the drops.
    with Gunicorn(env, log, log_level="info") as server:
        port = server.port
        site = Site(port)
        site.login("faults", "faults-pw-123")
        if site.hit(page).status != 200:
            raise RuntimeError(f"{page} does not answer 200 before any fault")
        looped = _drops_in_a_loop(port, site.cookies, url, dbname, page, seconds)
        in_flight = _drops_in_flight(site, url, dbname, page, rounds)
    text = log.read_text(errors="replace")
    boots = text.count("Booting worker")
    # A dead worker is replaced (a third "Booting worker"); the SIGTERM sent at shutdown is no crash.
    crashes = len(re.findall(r"WORKER TIMEOUT|was sent SIGKILL|exited with code|Traceback", text))
    print(
        f"gunicorn: {boots} worker(s) booted (2 expected: none died), tracebacks/timeouts in its log: {crashes}"
    )
    return looped and in_flight and boots == 2 and crashes == 0


# --- Driver ------------------------------------------------------------------------------------------------


def run_one(name: str, args: argparse.Namespace) -> bool:
    sys.path.insert(0, str(HERE))
    from _setup import setup

    print(f"=== {name} ===", flush=True)
    on_postgres = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
    if name in ("db", "dbdown") and not on_postgres:
        sys.exit(f"{name} run: needs DATABASE_URL=postgres://... (it terminates PostgreSQL backends)")
    if name == "db":
        setup("faults-db")
        return db_run(args.seconds)
    # Both fan-outs queue on a private redis-server: the runs empty and kill their broker, and the shared
    # Redis (REDIS_URL) is never touched.
    var = Path(os.environ.get("BENCH_VAR_DIR", ROOT / "var" / "bench" / f"faults-{name}"))
    server = PrivateRedis(var / "redis")
    server.start()
    os.environ["REDIS_URL"] = server.url  # before Django starts: this process queues on it too
    try:
        setup(f"faults-{name}")
        if name == "smtp":
            return smtp_run(args.size, args.outage, server)
        return fanout_run(name, args.size, server, outage=args.db_outage)
    finally:
        server.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=5000, help="invitees of the fan-out runs")
    parser.add_argument("--only", choices=RUNS, help="one run, in this process")
    parser.add_argument("--seconds", type=float, default=20, help="length of the db run's request loop")
    parser.add_argument(
        "--outage", type=float, default=15, help="length of each mail-server fault (smtp run)"
    )
    parser.add_argument(
        "--db-outage", type=float, default=23, help="length of the database outage (dbdown run)"
    )
    args = parser.parse_args()
    if args.only:
        ok = run_one(args.only, args)
        print(f"{args.only}: {'OK' if ok else 'FAILED'}", flush=True)
        sys.exit(0 if ok else 1)
    results = {}
    on_postgres = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
    for name in RUNS:
        if name in ("db", "dbdown") and not on_postgres:
            # It terminates PostgreSQL backends; the embedded SQLite has none to drop.
            print(
                "=== db ===\nskipped: needs DATABASE_URL=postgres://... (the run drops server connections)\n"
            )
            continue
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        if "BENCH_VAR_DIR" in env:
            env["BENCH_VAR_DIR"] = str(Path(env["BENCH_VAR_DIR"]) / f"faults-{name}")
        cmd = [
            sys.executable,
            __file__,
            "--only",
            name,
            "--size",
            str(args.size),
            "--seconds",
            str(args.seconds),
            "--outage",
            str(args.outage),
            "--db-outage",
            str(args.db_outage),
        ]
        results[name] = subprocess.call(cmd, env=env)
        print(flush=True)
    for name, rc in results.items():
        print(f"{name:6} {'OK' if rc == 0 else f'FAILED (exit {rc})'}")
    sys.exit(1 if any(results.values()) else 0)


if __name__ == "__main__":
    main()
