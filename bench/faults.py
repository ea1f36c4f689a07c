"""Reliability runs of the scale issue: faults injected into a real fan-out and under real web requests.
Each run prints what it tried and what it found; the script exits non-zero if any run finds a duplicate, a
loss or a page that is not clean. Not a test: `tests/outbox/test_broker_faults.py` and
`tests/project/test_database_faults.py` keep fast versions for `make test`.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench python bench/faults.py [--size 5000] \\
        [--only kill|redis|db] [--seconds 20]

Both fan-out runs use a private ``redis-server`` (from PATH) on a free port, never the shared Redis.

- ``kill``: fan-out to ``--size`` invitees with 2 workers; SIGKILL one at a third sent, start it again, let
  the sweep reclaim (bench/notify.py's ``--kill`` run). Every invitee ends with exactly one email.
- ``redis``: the same fan-out; at a third sent the redis-server is SIGKILLed and started again on the same
  port. It keeps no data (no RDB, no AOF), so every queued batch is lost. The workers reconnect; this
  process plays beat and sweeps, and the rows come back when their dispatch lease runs out. Nothing lost,
  nothing sent twice.
- ``smtp``: for each mail-server fault (``refuse``, ``451``, ``stall``, ``drop`` after DATA) a fan-out to
  ``--size`` invitees through an aiosmtpd sink (tests/outbox/sink.py) that misbehaves from the start for
  ``--outage`` seconds and then recovers; 2 workers, this process plays beat (the 10-second hand-out).
  Prints sent / lost / doubled / late-by (last message out after the server's return) per fault.
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
import email.utils
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
RUNS = ("kill", "redis", "db", "smtp")
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


# --- Fan-out runs ------------------------------------------------------------------------------------------


def _expected(size: int) -> set[str]:
    return {f"invitee-{i}@bench.example" for i in range(size)}  # bench/notify.py build_world's addresses


@dataclass
class Found:
    invitees: int
    emails: int
    duplicates: int
    missing: int
    strangers: int
    deliveries: int

    def line(self) -> str:
        return (
            f"found: invitees {self.invitees}, emails {self.emails}, duplicates {self.duplicates}, "
            f"missing {self.missing}, unexpected recipients {self.strangers}, "
            f"deliveries logged {self.deliveries} (resent with the same Message-ID: "
            f"{self.deliveries - self.emails})"
        )


def count_outbox(size: int, outbox: Path) -> Found:
    from notify import outbox_counts

    per_to, deliveries = outbox_counts(outbox)
    per = Counter()
    for to, n in per_to.items():
        per[email.utils.parseaddr(to)[1]] += n
    expected = _expected(size)
    return Found(
        invitees=size,
        emails=sum(per.values()),
        duplicates=sum(n - 1 for n in per.values() if n > 1),
        missing=len(expected - set(per)),
        strangers=len(set(per) - expected),
        deliveries=deliveries,
    )


def kill_run(size: int) -> bool:
    """bench/notify.py's --kill run, counted again from the outbox with the same yardstick as the others."""
    from notify import fan_out

    print(
        f"tried: fan-out to {size} invitees, 2 workers on a private redis-server; SIGKILL worker 0 at a third "
        "sent, start it again"
    )
    try:
        fan_out(size, 2, True)
    except SystemExit as exc:  # fan_out exits 1 on a duplicate or a loss; the count below says which
        print(f"fan-out ended: {exc}")
    found = count_outbox(size, Path(os.environ["VAR_DIR"]) / "outbox")
    print(found.line())
    # A row caught mid-send by the kill may go twice; its Message-ID keeps it one email (one file).
    return found.duplicates == found.missing == found.strangers == 0 and found.emails == size


def redis_run(size: int, server: PrivateRedis, n_workers: int = 2) -> bool:
    import redis
    from django.conf import settings
    from django.utils import timezone
    from notify import JKT, Workers, build_world

    from meetings.calendar.tasks import meeting_version_plan
    from outbox.models import Message
    from outbox.tasks import sweep

    print(
        f"tried: fan-out to {size} invitees, {n_workers} workers on a private redis-server "
        f"(port {server.port}, no persistence); SIGKILL it at a third sent and start it again on the same port"
    )
    settings.NOTIFY_DISPATCH_LEASE_SECONDS = LEASE_SECONDS
    var = Path(os.environ["VAR_DIR"])
    outbox, logs = var / "outbox", var / "logs"
    shutil.rmtree(outbox, ignore_errors=True)
    logs.mkdir(exist_ok=True)
    client = redis.Redis.from_url(server.url, socket_timeout=5)

    day = (timezone.now() + dt.timedelta(days=60)).astimezone(JKT).date()
    meeting = build_world(size, start=dt.datetime.combine(day, dt.time(9), tzinfo=JKT))
    db = settings.DATABASES["default"]
    env = {k: v for k, v in os.environ.items() if k != "EMAIL_URL"}
    env.update(
        DATABASE_URL=f"sqlite:///{db['NAME']}"
        if db["ENGINE"].endswith("sqlite3")
        else os.environ["DATABASE_URL"],
        VAR_DIR=str(var),
        REDIS_URL=server.url,
        NOTIFY_DISPATCH_LEASE_SECONDS=str(LEASE_SECONDS),
    )
    workers = Workers(n_workers, env, logs)
    started = time.time() - 1  # file times are coarser than time.time()
    for i in range(n_workers):
        workers.start(i)
    time.sleep(3)  # let the workers connect

    def invites_sent() -> int:
        return Message.objects.filter(meeting_notice__meeting=meeting, kind="invite", status="sent").count()

    def queued() -> int | None:
        try:
            return client.llen("celery")
        except redis.RedisError:
            return None

    t0 = time.perf_counter()
    meeting_version_plan(meeting_id=meeting.pk)
    restarted_at: int | None = None
    sweeps = 0
    last, idle_since = -1, time.monotonic()
    try:
        while True:
            done = invites_sent()
            if restarted_at is None and done >= size // 3:
                waiting = queued()
                server.restart()
                restarted_at = done
                planned = Message.objects.filter(
                    meeting_notice__meeting=meeting, kind="invite", status="planned"
                ).count()
                print(
                    f"SIGKILL redis-server at {done} sent ({waiting} batch message(s) queued, {planned} invite "
                    f"row(s) planned); started again: queue now {queued()}",
                    flush=True,
                )
            if done >= size:
                break
            if done != last:
                last, idle_since = done, time.monotonic()
            elif restarted_at is not None and not queued() and time.monotonic() - idle_since > 5:
                # Beat's job: rows whose batch died with the queue come back once their lease runs out.
                result = sweep()
                sweeps += 1
                if result.reclaimed or result.dispatched:
                    print(f"sweep: reclaimed {result.reclaimed}, handed out {result.dispatched}", flush=True)
                idle_since = time.monotonic()
            if time.perf_counter() - t0 > 1800:
                print("gave up after 30 minutes")
                break
            time.sleep(0.25)
        elapsed = time.perf_counter() - t0
        alive = sum(p.poll() is None for p in workers.procs)  # never restarted here: they must reconnect
    finally:
        workers.stop_all()
    ours = [p for p in logs.glob("worker-*.log") if p.stat().st_ctime >= started]  # not earlier runs' logs
    saw = sum("Connection to broker lost" in p.read_text(errors="replace") for p in ours)
    print(
        f"sent {invites_sent()} of {size} in {elapsed:.1f}s after {sweeps} sweep(s); workers that saw the broker "
        f"go: {saw}; still running at the end (never restarted): {alive} of {n_workers}"
    )
    found = count_outbox(size, outbox)
    print(found.line())
    # No process died, so nothing may go twice, not even with the same Message-ID.
    return (
        found.duplicates == found.missing == found.strangers == 0
        and found.deliveries == size == found.emails
        and alive == n_workers
    )


# --- Mail server faults ------------------------------------------------------------------------------------


def smtp_run(size: int, outage: float, n_workers: int = 2) -> bool:
    from django.conf import settings
    from django.db.models import Max
    from django.utils import timezone
    from notify import JKT, Workers, build_world

    from meetings.calendar.tasks import meeting_version_plan
    from outbox.models import MailServer, Message
    from outbox.tasks import hand_out
    from tests.outbox.sink import SMTPSink

    sink = SMTPSink()
    var = Path(os.environ["VAR_DIR"])
    logs = var / "logs"
    logs.mkdir(exist_ok=True)
    db = settings.DATABASES["default"]
    env = {k: v for k, v in os.environ.items() if k != "EMAIL_URL"}
    env.update(
        DATABASE_URL=f"sqlite:///{db['NAME']}"
        if db["ENGINE"].endswith("sqlite3")
        else os.environ["DATABASE_URL"],
        VAR_DIR=str(var),
        EMAIL_URL=f"smtp://127.0.0.1:{sink.port}",
        EMAIL_TIMEOUT="5",
        EMAIL_CONNECT_TIMEOUT="5",
    )
    workers = Workers(n_workers, env, logs)
    for i in range(n_workers):
        workers.start(i)
    time.sleep(3)
    ok = True
    print(f"tried: fan-out to {size} invitees per fault, {n_workers} workers, the fault for {outage:.0f}s")
    print(
        f"{'fault':8} {'sent':>6} {'lost':>6} {'doubled':>8} {'possibly delivered':>19} {'failed':>7} late-by"
    )
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
            done = rows.filter(status="sent").count()
            last = rows.aggregate(last=Max("sent_at"))["last"]
            late = (last - recovered).total_seconds() if last else float("nan")
            per = sink.per_recipient
            lost = sum(1 for i in range(size) if per[f"invitee-{i}@bench.example"] == 0)
            doubled = sum(n - 1 for n in per.values() if n > 1)
            flagged = rows.filter(possibly_delivered=True).count()
            failed = rows.filter(status="failed").count()
            print(f"{fault:8} {done:6} {lost:6} {doubled:8} {flagged:19} {failed:7} {late:.1f}s", flush=True)
            ok = ok and done == size and lost == 0 and failed == 0 and late < 120
            ok = ok and (doubled == 0 or fault == "drop")
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
    if name == "db":
        if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
            sys.exit("db run: needs DATABASE_URL=postgres://... (it terminates PostgreSQL backends)")
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
            return smtp_run(args.size, args.outage)
        return kill_run(args.size) if name == "kill" else redis_run(args.size, server)
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
    args = parser.parse_args()
    if args.only:
        ok = run_one(args.only, args)
        print(f"{args.only}: {'OK' if ok else 'FAILED'}", flush=True)
        sys.exit(0 if ok else 1)
    results = {}
    on_postgres = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
    for name in RUNS:
        if name == "db" and not on_postgres:
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
        ]
        results[name] = subprocess.call(cmd, env=env)
        print(flush=True)
    for name, rc in results.items():
        print(f"{name:6} {'OK' if rc == 0 else f'FAILED (exit {rc})'}")
    sys.exit(1 if any(results.values()) else 0)


if __name__ == "__main__":
    main()
