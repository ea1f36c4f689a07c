"""Query counts and response times of the key pages and API endpoints at two data sizes.

    python bench/pages.py --sizes 1 10 [--runs 30] [--reuse]

For each size it builds the dataset (bench/generate.py) in its own database, logs in as the bench delegate
and as the Secretariat, and requests each page ``--runs`` times in-process (Django's test client, so the
figures are the application's own time without a network). It prints SQL query counts (which must be the
same at every size) and the median and 95th-percentile times, and how long a fixed pure-Python loop took
before and after (this host's speed varies). Set DATABASE_URL and REDIS_URL to measure the production
stack: with Redis, sessions are read from the cache.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def reference_loop() -> float:
    """Seconds for a fixed pure-Python loop: this host's speed varies by half within an hour, and the page
    times move with it, so each run says how fast the host was."""
    t0 = time.perf_counter()
    s = 0
    for i in range(5_000_000):
        s += i
    return time.perf_counter() - t0


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def targets() -> list[tuple[str, str, str]]:
    """(label, who, url) for each page measured; resolved against the generated data."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="bench-delegate")
    person = user.person
    from meetings.selectors import visible_meetings

    meeting = visible_meetings(user).order_by("-start").first()
    from meetings.calendar.feeds import feed_token_ensure

    token = feed_token_ensure(person)
    out = [
        ("dashboard", "delegate", "/"),
        ("meeting page", "delegate", f"/meetings/{meeting.pk}/"),
        ("body page", "delegate", "/governance/bodies/SEOM/"),
        ("rotation timeline", "delegate", "/chairmanship/ACCMSME/timeline/"),
        ("meeting list API", "delegate", "/api/v1/meetings/?limit=50"),
        ("meeting list API (Secretariat)", "secretariat", "/api/v1/meetings/?limit=50"),
    ]
    out.append(("user feed", "anonymous", f"/calendar/feed/{token}.ics"))
    return out


def measure(size: float, runs: int, *, reuse: bool) -> dict[str, tuple[int, float, float]]:
    """Run in a child process per size so each gets a clean Django with its own database (on PostgreSQL,
    ``DATABASE_URL`` with the size appended to its name)."""
    env = {**os.environ, "BENCH_VAR_DIR": str(HERE.parent / "var" / "bench" / f"pages-{size:g}")}
    if "DATABASE_URL" in env:
        env["DATABASE_URL"] += "_" + format(size, "g").replace(".", "_")
    # The build runs in its own process: the heap a build leaves behind slows every later request by a
    # fifth (the garbage collector walks it), which would measure the generator rather than the pages.
    build = [sys.executable, __file__, "--child", str(size), "--build", *(["--reuse"] if reuse else [])]
    out = subprocess.run(build, env=env, capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"size {size:g} failed to build:\n{out.stderr[-3000:]}")
    print(f"size {size:g}: dataset {out.stdout.strip()}", flush=True)
    run = [sys.executable, __file__, "--child", str(size), "--runs", str(runs), "--reuse"]
    out = subprocess.run(run, env=env, capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"size {size:g} failed:\n{out.stderr[-3000:]}")
    results = {}
    for line in out.stdout.splitlines():
        if line.startswith("RESULT\t"):
            _, label, q, med, p95 = line.split("\t")
            results[label] = (int(q), float(med), float(p95))
        elif line.startswith("HOST\t"):
            print(f"size {size:g}: reference loop {line.split(chr(9))[1]} s during the run", flush=True)
    return results


def build(size: float, *, reuse: bool) -> None:
    sys.path.insert(0, str(HERE))
    from _setup import dataset

    print(dataset(f"pages-{size:g}", size, reuse=reuse))


def child(size: float, runs: int) -> None:
    sys.path.insert(0, str(HERE))
    from _setup import dataset

    if dataset(f"pages-{size:g}", size, reuse=True) != "reused":
        raise SystemExit("the dataset was not built before measuring")
    from django.contrib.auth import get_user_model
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from governance.permissions import ensure_secretariat_group

    User = get_user_model()
    sec, _ = User.objects.get_or_create(username="bench-secretariat")
    sec.groups.add(ensure_secretariat_group())
    clients = {"delegate": Client(), "secretariat": Client(), "anonymous": Client()}
    clients["delegate"].force_login(User.objects.get(username="bench-delegate"))
    clients["secretariat"].force_login(sec)
    before = reference_loop()
    for label, who, url in targets():
        c = clients[who]
        c.get(url)  # warm up
        with CaptureQueriesContext(connection) as ctx:
            r = c.get(url)
        queries = len(ctx.captured_queries)  # read now: reset_queries() below empties the log it reads
        if r.status_code != 200:
            print(f"RESULT\t{label}\t-1\t0\t0")
            continue
        times = []
        for _ in range(runs):
            reset_queries()
            t0 = time.perf_counter()
            c.get(url)
            times.append((time.perf_counter() - t0) * 1000)
        print(f"RESULT\t{label}\t{queries}\t{statistics.median(times):.2f}\t{percentile(times, 95):.2f}")
    print(f"HOST\t{before:.2f}–{reference_loop():.2f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=float, nargs="+", default=[1, 10])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--child", type=float)
    parser.add_argument("--reuse", action="store_true", help="keep a dataset built by an earlier run")
    parser.add_argument("--build", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None and args.build:
        build(args.child, reuse=args.reuse)
        return
    if args.child is not None:
        child(args.child, args.runs)
        return
    by_size = {s: measure(s, args.runs, reuse=args.reuse) for s in args.sizes}
    labels = list(next(iter(by_size.values())))
    head = f"{'page':<32}" + "".join(
        f"{'q@' + format(s, 'g'):>7}{'med ms':>9}{'p95 ms':>9}" for s in args.sizes
    )
    print(head + "  queries equal")
    for label in labels:
        row = f"{label:<32}"
        counts = []
        for s in args.sizes:
            q, med, p95 = by_size[s].get(label, (-1, 0, 0))
            counts.append(q)
            row += f"{q:>7}{med:>9.1f}{p95:>9.1f}"
        print(row + ("  yes" if len(set(counts)) == 1 and counts[0] >= 0 else "  NO"))


if __name__ == "__main__":
    main()
