"""Query counts and times of the key pages and API endpoints at two data sizes, each against its floor.

    python bench/pages.py --sizes 1 10 [--runs 30] [--reuse]

For each size it builds the dataset (bench/generate.py) in its own database, logs in as the bench delegate
and as the Secretariat, and requests each page ``--runs`` times in-process (Django's test client, so the
figures are the application's own time without a network). The floor of each page is its own SQL (the
statements of one request, parameters included) replayed through a raw cursor; page and floor are timed
in turn, so both see the same host. It prints SQL query counts (which must be the same at every size), the
page's median, the floor's median and their ratio, and records the ratios (bench/_floors.record). Set
DATABASE_URL and REDIS_URL to measure the production stack: with Redis, sessions are read from the cache.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _floors import alternate, percentile, reads, record, reference_loop, replayer, summary  # noqa: E402


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
        ("Secretariat dashboard", "secretariat", "/"),
        ("meeting page", "delegate", f"/meetings/{meeting.pk}/"),
        ("body page", "delegate", "/governance/bodies/SEOM/"),
        ("rotation timeline", "delegate", "/chairmanship/ACCMSME/timeline/"),
        ("meeting list API", "delegate", "/api/v1/meetings/?limit=50"),
        ("meeting list API (Secretariat)", "secretariat", "/api/v1/meetings/?limit=50"),
    ]
    out.append(("user feed", "anonymous", f"/calendar/feed/{token}.ics"))
    return out


def measure(
    size: float, runs: int, *, reuse: bool, only: str = "", built: bool = False
) -> dict[str, tuple[int, float, float]]:
    """Run in a child process per size so each gets a clean Django with its own database (on PostgreSQL,
    ``DATABASE_URL`` with the size appended to its name). ``built``: the dataset is known to be there."""
    env = {**os.environ, "BENCH_VAR_DIR": str(HERE.parent / "var" / "bench" / f"pages-{size:g}")}
    if "DATABASE_URL" in env:
        env["DATABASE_URL"] += "_" + format(size, "g").replace(".", "_")
    if not built:
        # The build runs in its own process: the heap a build leaves behind slows every later request by a
        # fifth (the garbage collector walks it), which would measure the generator rather than the pages.
        build = [sys.executable, __file__, "--child", str(size), "--build", *(["--reuse"] if reuse else [])]
        out = subprocess.run(build, env=env, capture_output=True, text=True)
        if out.returncode != 0:
            raise SystemExit(f"size {size:g} failed to build:\n{out.stderr[-3000:]}")
        print(f"size {size:g}: dataset {out.stdout.strip()}", flush=True)
    run = [sys.executable, __file__, "--child", str(size), "--runs", str(runs), "--reuse", "--only", only]
    out = subprocess.run(run, env=env, capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"size {size:g} failed:\n{out.stderr[-3000:]}")
    results = {}
    for line in out.stdout.splitlines():
        if line.startswith("RESULT\t"):
            _, label, q, med, p95, floor = line.split("\t")
            results[label] = (int(q), float(med), float(p95), float(floor))
        elif line.startswith("HOST\t") and not built:
            print(f"size {size:g}: reference loop {line.split(chr(9))[1]} s during the run", flush=True)
    return results


def first_page_growth(small: float, large: float, rounds: int = 6) -> dict[str, tuple[float, float]]:
    """The list API's first page at ``large`` and at ``small``, measured in short runs that alternate
    between the two sizes' processes (which goes first alternates too), so the host's drift over the
    minutes a whole size takes does not land on one side: {label: (median ms @large, median ms @small)}."""
    times: dict[str, tuple[list[float], list[float]]] = {}
    for i in range(rounds):
        for size in (small, large) if i % 2 == 0 else (large, small):
            for label, (_q, med, _p95, _floor) in measure(
                size, 11, reuse=True, only="meeting list API", built=True
            ).items():
                times.setdefault(label, ([], []))[0 if size == large else 1].append(med)
    return {label: (statistics.median(a), statistics.median(b)) for label, (a, b) in times.items()}


def build(size: float, *, reuse: bool) -> None:
    sys.path.insert(0, str(HERE))
    from _setup import dataset

    print(dataset(f"pages-{size:g}", size, reuse=reuse))


def child(size: float, runs: int, only: str = "") -> None:
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
        if only not in label:
            continue
        c = clients[who]
        c.get(url)  # warm up
        with CaptureQueriesContext(connection) as ctx:
            r = c.get(url)
        captured = list(ctx.captured_queries)  # copied now: reset_queries() below empties the log it reads
        if r.status_code != 200:
            print(f"RESULT\t{label}\t-1\t0\t0\t0")
            continue
        replay = replayer(reads(captured))
        replay()  # warm up

        def page(c=c, url=url) -> None:
            reset_queries()
            c.get(url)

        times, floor = alternate(page, replay, runs)
        med, floor_med, _ = summary(times, floor)
        print(f"RESULT\t{label}\t{len(captured)}\t{med:.2f}\t{percentile(times, 95):.2f}\t{floor_med:.2f}")
    print(f"HOST\t{before:.2f}–{reference_loop():.2f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=float, nargs="+", default=[1, 10])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--child", type=float)
    parser.add_argument("--reuse", action="store_true", help="keep a dataset built by an earlier run")
    parser.add_argument("--build", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--no-record", action="store_true", help="do not write bench/results.json")
    parser.add_argument("--only", default="", help="only the pages whose label holds this (not recorded)")
    args = parser.parse_args()
    if args.child is not None and args.build:
        build(args.child, reuse=args.reuse)
        return
    if args.child is not None:
        child(args.child, args.runs, args.only)
        return
    by_size = {s: measure(s, args.runs, reuse=args.reuse, only=args.only) for s in args.sizes}
    labels = list(next(iter(by_size.values())))
    head = f"{'page':<32}" + "".join(
        f"{'q@' + format(s, 'g'):>6}{'ms':>8}{'SQL ms':>8}{'ratio':>7}" for s in args.sizes
    )
    print(head + "  queries equal")
    ratios = {}
    for label in labels:
        row = f"{label:<32}"
        counts = []
        for s in args.sizes:
            q, med, _p95, floor = by_size[s].get(label, (-1, 0, 0, 0))
            counts.append(q)
            ratio = med / floor if floor else float("inf")
            row += f"{q:>6}{med:>8.1f}{floor:>8.1f}{ratio:>6.2f}x"
            ratios[f"page {label} @{s:g} / its SQL"] = {"figure": med, "floor": floor, "ratio": ratio}
        print(row + ("  yes" if len(set(counts)) == 1 and counts[0] >= 0 else "  NO"))
    # The list API's first page must not grow with the table: its cost at the largest size against the
    # smallest (each already divided by its own SQL would hide a slow query, so the plain times), measured
    # again with the two sizes alternating: this host's speed drifts by up to half over the minutes one
    # size's pages take, and the two sizes' runs above are minutes apart.
    small, large = min(args.sizes), max(args.sizes)
    if len(args.sizes) > 1 and any(lb.startswith("meeting list API") for lb in labels):
        for label, (a, b) in first_page_growth(small, large).items():
            print(
                f"{label}: first page @{large:g} / @{small:g}, sizes alternating = {a:.1f} / {b:.1f} ms = {a / b:.2f}x"
            )
            ratios[f"{label} first page @{large:g} / @{small:g}"] = {"figure": a, "floor": b, "ratio": a / b}
    if not args.no_record and not args.only:
        record(ratios)


if __name__ == "__main__":
    main()
