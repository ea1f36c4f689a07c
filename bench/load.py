"""Under load: gunicorn with 2 workers on loopback, driven by wrk on the dashboard and the feed, each against
a bare view (``/healthz``: the same middleware, one ``SELECT 1``) under the same gunicorn, in alternating
rounds; the figure is the ratio of requests per second (docs/decisions/0055).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_load python bench/load.py [--size 1] [--duration 20]

Builds the bench dataset (bench/generate.py) in its own database (``--reuse`` keeps one already built at the
same size), logs the bench delegate in by writing a session row (no browser, no password form), serves the
app with gunicorn in production settings on 127.0.0.1 and a free port, checks with one plain request that the
dashboard answers 200 *logged in* and the feed answers a calendar, then runs wrk against each and prints
requests/s, latency median and p99, and errors (non-2xx responses, redirects included, plus socket errors).

Uses wrk from Debian (``apt-get install -y wrk``) when installed, else a Python load generator with keep-alive
connections (``--tool python``): absolute figures differ between the two, the ratios are what count. Not a test: figures. The real figure is on PostgreSQL
(DATABASE_URL); without it the run uses a throwaway SQLite file under var/bench/.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _server import WORKERS, Gunicorn  # noqa: E402 - bench/ is not a package

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

# wrk counts only status > 399 as "Non-2xx or 3xx responses", so a session that expired mid-run would show
# as a fast, error-free stream of 302s to the login page. This script tallies every status per thread and
# prints them in done(), so anything but 2xx counts as an error.
WRK_LUA = r"""
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    for code, n in pairs(t:get("statuses")) do
      total[code] = (total[code] or 0) + n
    end
  end
  local parts = {}
  for code, n in pairs(total) do
    table.insert(parts, string.format("%d=%d", code, n))
  end
  table.sort(parts)
  io.write("bench-statuses: " .. table.concat(parts, " ") .. "\n")
end
"""


@dataclass
class WrkResult:
    requests: int
    requests_per_s: float
    latency_p50_ms: float
    latency_p99_ms: float
    socket_errors: int = 0
    wrk_non_2xx_3xx: int = 0  # wrk's own count: statuses > 399 only
    statuses: dict[int, int] = field(default_factory=dict)  # from the Lua script, when it ran

    @property
    def bad_statuses(self) -> int:
        if self.statuses:
            return sum(n for code, n in self.statuses.items() if not 200 <= code < 300)
        return self.wrk_non_2xx_3xx

    @property
    def errors(self) -> int:
        return self.bad_statuses + self.socket_errors


_TIME_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def _ms(value: str, unit: str) -> float:
    return float(value) * _TIME_UNITS[unit]


def parse_wrk(text: str) -> WrkResult:
    """Read wrk's ``--latency`` report (and our Lua script's status line) into figures."""
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", text, re.M)
    total = re.search(r"^\s*(\d+) requests in ", text, re.M)
    if not rps or not total:
        raise ValueError(f"not a wrk report:\n{text}")
    pct = {
        p: _ms(v, u) for p, v, u in re.findall(r"^\s+(50|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s|m|h)\b", text, re.M)
    }
    if set(pct) != {"50", "99"}:
        raise ValueError(f"no latency distribution (run wrk with --latency):\n{text}")
    socket_errors = 0
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if sock:
        socket_errors = sum(int(n) for n in sock.groups())
    non = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    statuses: dict[int, int] = {}
    line = re.search(r"^bench-statuses:(.*)$", text, re.M)
    if line:
        for code, n in re.findall(r"(\d+)=(\d+)", line.group(1)):
            statuses[int(code)] = int(n)
    return WrkResult(
        requests=int(total.group(1)),
        requests_per_s=float(rps.group(1)),
        latency_p50_ms=pct["50"],
        latency_p99_ms=pct["99"],
        socket_errors=socket_errors,
        wrk_non_2xx_3xx=int(non.group(1)) if non else 0,
        statuses=statuses,
    )


def require_wrk() -> str:
    path = shutil.which("wrk")
    if path is None:
        raise SystemExit("wrk is missing: install it with `apt-get install -y wrk` (Debian package)")
    return path


def run_python(url: str, *, cookie: str | None, duration: int, connections: int, timeout: int) -> WrkResult:
    """wrk's job without wrk: ``connections`` threads, each on one keep-alive HTTP/1.1 connection, asking
    as fast as answers come for ``duration`` seconds. Slower than wrk per request (it shares the cores
    with the server), so only its ratios mean something."""
    import http.client
    import threading
    import time
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    headers = {"Cookie": cookie} if cookie else {}
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + duration

    def worker() -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
        mine, codes, errs = [], {}, 0
        while time.monotonic() < deadline:
            t0 = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                resp = conn.getresponse()
                resp.read()
                codes[resp.status] = codes.get(resp.status, 0) + 1
                mine.append((time.perf_counter() - t0) * 1000)
            except (OSError, http.client.HTTPException):
                errs += 1
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
        conn.close()
        with lock:
            latencies.extend(mine)
            for code, n in codes.items():
                statuses[code] = statuses.get(code, 0) + n
            errors[0] += errs

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    ordered = sorted(latencies) or [0.0]
    return WrkResult(
        requests=len(latencies),
        requests_per_s=len(latencies) / elapsed,
        latency_p50_ms=ordered[len(ordered) // 2],
        latency_p99_ms=ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))],
        socket_errors=errors[0],
        statuses=statuses,
    )


def production_env() -> dict[str, str]:
    """What config/settings.py reads for a production-like server that still answers plain HTTP on loopback.

    PRODUCTION=true turns on the manifest static storage, secure cookies and HSTS/SSL redirect; in production
    a TLS proxy sits in front, here there is none, so the SSL redirect is switched off by its own variable
    (HSTS is only ever sent on HTTPS responses, set to 0 anyway). Secure cookies only matter when a cookie is
    *set*: wrk sends the session cookie itself.
    """
    return {
        "PRODUCTION": "true",
        "DEBUG": "false",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        # One key for this run, shared by this process (which signs the session) and gunicorn (which reads it).
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "AXES_ENABLED": "true",  # its middleware runs on every request in production
        "LOG_LEVEL": "WARNING",
    }


def build(size: float, *, reuse: bool) -> str:
    """Set up Django on the bench database and fill it; returns how (built or reused)."""
    sys.path.insert(0, str(HERE))
    from _setup import dataset

    return dataset(f"load-{size:g}", size, reuse=reuse)


def collect_static() -> None:
    """Production's manifest storage needs collected files and their manifest, or every {% static %} raises.

    Collected with Django's plain manifest storage: the same hashed names and staticfiles.json that
    whitenoise's compressed storage reads, without its gzip/brotli pass (over a minute for the API docs'
    bundles), which only matters for serving static files, and those are not what is measured.
    """
    from django.conf import settings
    from django.core.management import call_command
    from django.test import override_settings

    plain = {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}
    with override_settings(STORAGES={**settings.STORAGES, "staticfiles": plain}):
        call_command("collectstatic", interactive=False, verbosity=0)


def delegate_session() -> tuple[str, str]:
    """A logged-in session for the bench delegate, written straight into the session store, and the feed path."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model

    from meetings.calendar.feeds import feed_token_ensure

    # The configured engine (with Redis: cached_db), so gunicorn reads the session where it looks first.
    SessionStore = import_module(settings.SESSION_ENGINE).SessionStore  # noqa: N806
    user = get_user_model().objects.get(username="bench-delegate")
    session = SessionStore()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    # UserBackend by name: the first backend in settings is axes', which cannot load a user from a session.
    session[BACKEND_SESSION_KEY] = "governance.backends.UserBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    cookie = f"{settings.SESSION_COOKIE_NAME}={session.session_key}"
    return cookie, f"/calendar/feed/{feed_token_ensure(user.person)}.ics"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003
        return None  # a redirect (to the login page) must surface as a failure, not be followed


def check_page(url: str, *, cookie: str | None, must_contain: str) -> None:
    """One plain request before the run: 200, and the page we mean (not a login page or an error page)."""
    opener = urllib.request.build_opener(_NoRedirect)
    req = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with opener.open(req, timeout=120) as resp:
            status, body = resp.status, resp.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        where = e.headers.get("Location", "")
        raise SystemExit(f"check failed: {url} answered {e.code} {where}".rstrip()) from None
    if status != 200 or must_contain not in body:
        raise SystemExit(f"check failed: {url} answered {status} without {must_contain!r}:\n{body[:500]}")


def run_wrk(
    wrk: str, url: str, *, cookie: str | None, duration: int, threads: int, connections: int, timeout: int
) -> tuple[WrkResult, str]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(WRK_LUA)
    try:
        cmd = [
            wrk,
            f"-t{threads}",
            f"-c{connections}",
            f"-d{duration}s",
            f"--timeout={timeout}s",
            "--latency",
        ]
        cmd += ["-s", f.name]
        if cookie:
            cmd += ["-H", f"Cookie: {cookie}"]
        out = subprocess.run([*cmd, url], capture_output=True, text=True, timeout=duration + timeout + 60)
    finally:
        os.unlink(f.name)
    if out.returncode != 0:
        raise SystemExit(f"wrk failed ({out.returncode}):\n{out.stdout}{out.stderr}")
    return parse_wrk(out.stdout), out.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=float, default=1.0, help="dataset size factor (bench/generate.py)")
    parser.add_argument("--duration", type=int, default=20, help="seconds per URL, split over --rounds")
    parser.add_argument("--rounds", type=int, default=2, help="alternations of each URL with the bare view")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--connections", type=int, default=8, help="connections (4 per worker queued)")
    parser.add_argument("--timeout", type=int, default=10, help="a response slower than this is an error")
    parser.add_argument("--tool", choices=["auto", "wrk", "python"], default="auto", help="load generator")
    parser.add_argument("--reuse", action="store_true", help="keep the dataset if already built at this size")
    parser.add_argument("--no-record", action="store_true", help="do not write bench/results.json")
    parser.add_argument("-v", "--verbose", action="store_true", help="print wrk's own reports")
    args = parser.parse_args()

    tool = args.tool if args.tool != "auto" else ("wrk" if shutil.which("wrk") else "python")
    wrk = require_wrk() if tool == "wrk" else ""
    # Set before Django starts, so this process (session signing, static manifest) and gunicorn agree.
    os.environ.update(production_env())
    how = build(args.size, reuse=args.reuse)
    from django.conf import settings

    collect_static()
    cookie, feed = delegate_session()
    db = "PostgreSQL" if settings.USING_POSTGRES else "SQLite"
    slice_s = max(1, args.duration // args.rounds)
    print(f"size {args.size:g} on {db} ({how}); gunicorn {WORKERS} sync workers; {tool}, ", end="")
    print(f"{args.connections} connections, {args.rounds} rounds of {slice_s} s per URL", flush=True)

    from django.db import connections

    connections.close_all()  # gunicorn's workers are the only clients from here on
    targets = [
        ("dashboard", "/", cookie, "<h1>Dashboard</h1>"),
        ("user feed", feed, None, "BEGIN:VCALENDAR"),
        ("bare view", "/healthz", cookie, '"ok"'),
    ]
    results: dict[str, list[WrkResult]] = {label: [] for label, *_ in targets}
    log = Path(os.environ["VAR_DIR"]) / "gunicorn-load.log"
    log.unlink(missing_ok=True)
    # SIGTERM (e.g. from run_all's parent being stopped) unwinds like Ctrl-C, so gunicorn is stopped too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    with Gunicorn(dict(os.environ), log) as server:
        for _label, path, ck, marker in targets:
            check_page(server.base + path, cookie=ck, must_contain=marker)
        for r in range(args.rounds):
            # Each figure beside its floor, which goes first alternating: both see the same host.
            order = targets if r % 2 == 0 else list(reversed(targets))
            for label, path, ck, _ in order:
                if tool == "wrk":
                    res, raw = run_wrk(
                        wrk,
                        server.base + path,
                        cookie=ck,
                        duration=slice_s,
                        threads=args.threads,
                        connections=args.connections,
                        timeout=args.timeout,
                    )
                    if args.verbose:
                        print(raw)
                else:
                    res = run_python(
                        server.base + path,
                        cookie=ck,
                        duration=slice_s,
                        connections=args.connections,
                        timeout=args.timeout,
                    )
                results[label].append(res)
        # The same check after the run: the session must still be valid, or the run measured login redirects.
        check_page(server.base + "/", cookie=cookie, must_contain="<h1>Dashboard</h1>")

    print(
        f"{'url':<12}{'requests':>10}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'errors':>8}{'/ bare':>8}  statuses"
    )
    bare = sum(r.requests for r in results["bare view"]) or 1
    ratios = {}
    failed = False
    for label, runs in results.items():
        n = sum(r.requests for r in runs)
        rps = sum(r.requests_per_s for r in runs) / len(runs)
        errors = sum(r.errors for r in runs)
        failed = failed or errors > 0
        statuses: dict[int, int] = {}
        for r in runs:
            for code, k in r.statuses.items():
                statuses[code] = statuses.get(code, 0) + k
        shown = " ".join(f"{c}:{k}" for c, k in sorted(statuses.items())) or "-"
        socket = sum(r.socket_errors for r in runs)
        if socket:
            shown += f" socket:{socket}"
        p50 = max(r.latency_p50_ms for r in runs)
        p99 = max(r.latency_p99_ms for r in runs)
        print(f"{label:<12}{n:>10}{rps:>10.1f}{p50:>10.1f}{p99:>10.1f}{errors:>8}{n / bare:>7.3f}x  {shown}")
        if label != "bare view":
            # A throughput ratio: higher is better, so the recorded "ratio" is bare / figure (lower better).
            ratios[f"load {label} @{args.size:g} ({tool}): bare view req / its req"] = {
                "figure": n,
                "floor": bare,
                "ratio": bare / n if n else float("inf"),
            }
    if not args.no_record:
        sys.path.insert(0, str(HERE))
        from _floors import record

        record(ratios)
    if failed:
        print(f"errors: the statuses and socket errors above (timeouts: slower than --timeout); log: {log}")
        sys.exit(1)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:  # gunicorn was already stopped on the way out of its `with`
        sys.exit("interrupted")
