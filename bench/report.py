"""The admin's meeting change page and the Report of the Meeting: queries and time, each against its own SQL
replayed raw.

    python bench/report.py [--size 0.1] [--runs 15] [--reuse]

On the generated dataset (bench/generate.py, built in a process of its own as bench/pages.py does) it takes
the meeting with the most agenda items and invitations and measures, in-process:

- the admin's change page of that meeting (``/admin/meetings/meeting/<pk>/change/`` as a superuser);
- writing the report: the HTML from the record (``meetings.reports.report_html``), the PDF (WeasyPrint),
  and the whole ``report_generate`` (both, and filing the PDF);
- the page's request that asks for the report now (``POST .../report/generate/``), and the API's
  (``POST /api/v1/reports/generate/``, answered 202 with the job): a job row and a queued message, the
  writing left to a worker.

For each it prints the number of SQL queries, the median and 95th-percentile time, and the time of the same
SQL statements (with their parameters) replayed through a bare cursor: what the database costs, so the rest
is the application's own (templates, forms, the PDF layout). The host's speed is given by a fixed loop before
and after, as in bench/pages.py. Set DATABASE_URL to measure on PostgreSQL.
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
sys.path.insert(0, str(HERE))
from _floors import reference_loop  # noqa: E402


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))]


def timed(fn, runs: int) -> tuple[int, list[dict], float, float]:
    """(queries, the SQL of one call, median ms, p95 ms) of ``fn()``."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    fn()  # warm up
    with CaptureQueriesContext(connection) as ctx:
        fn()
    sql = list(ctx.captured_queries)
    times = []
    for _ in range(runs):
        reset_queries()
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return len(sql), sql, statistics.median(times), percentile(times, 95)


def replay(sql: list[dict], runs: int) -> tuple[float, float]:
    """Median and p95 ms of the captured statements sent again through a bare cursor. Django's log holds each
    statement with its parameters already quoted in (``last_executed_query``), which a cursor runs as it
    is. Transaction control (savepoints) is left out: a bare cursor needs none to read."""
    from django.db import connection

    statements = [
        q["sql"]
        for q in sql
        if not q["sql"].upper().startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT"))
    ]
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        with connection.cursor() as cursor:
            for statement in reads:
                cursor.execute(statement)
                cursor.fetchall()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), percentile(times, 95)


def child(size: float, runs: int) -> None:
    sys.path.insert(0, str(HERE))
    from _setup import dataset

    if dataset(f"pages-{size:g}", size, reuse=True) != "reused":
        raise SystemExit("the dataset was not built before measuring")
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.db.models import Count
    from django.test import Client
    from django.utils import timezone

    from meetings import reports
    from meetings.models import Meeting, ReportJob
    from meetings.services import reports as report_services

    settings.ALLOWED_HOSTS = ["*"]
    User = get_user_model()
    root = User.objects.filter(username="bench-root").first() or User.objects.create_superuser(
        "bench-root", "root@example.org", None
    )
    meeting = (
        Meeting.objects.filter(status__in=["confirmed", "held"])
        .annotate(n=Count("agenda_items", distinct=True) + Count("invitations", distinct=True))
        .order_by("-n", "pk")
        .first()
    )
    if meeting is None:  # the generator's meetings may all be planned: measure a confirmed one
        meeting = Meeting.objects.annotate(n=Count("invitations")).order_by("-n", "pk").first()
        Meeting.objects.filter(pk=meeting.pk).update(status="confirmed")
        meeting.refresh_from_db()
    client = Client()
    client.force_login(root)
    before = reference_loop()
    url = f"/admin/meetings/meeting/{meeting.pk}/change/"
    assert client.get(url).status_code == 200, url
    rows = []

    def measure(label: str, fn, *, replayed: bool = True) -> None:
        q, sql, med, p95 = timed(fn, runs)
        raw = replay(sql, runs) if replayed else (0.0, 0.0)
        rows.append((label, q, med, p95, *raw))

    measure("admin meeting change page", lambda: client.get(url))
    title, now = report_services.report_title(meeting), timezone.now()
    measure(
        "report HTML (from the record)", lambda: reports.report_html(meeting=meeting, title=title, now=now)
    )
    html = reports.report_html(meeting=meeting, title=title, now=now)
    measure("report PDF (WeasyPrint)", lambda: reports.report_pdf(html=html), replayed=False)

    def generate_and_roll_back():
        with transaction.atomic():
            report_services.report_generate(meeting=meeting)
            transaction.set_rollback(True)  # each run writes the same first version

    measure("report_generate (HTML + PDF + filing)", generate_and_roll_back)
    # What the page's request does now: a job and a queued message (no broker needed: queued on commit,
    # and the request runs inside the test client's own transaction handling).
    client_post = Client()
    client_post.force_login(root)

    def ask():
        client_post.post(f"/meetings/{meeting.pk}/report/generate/")
        ReportJob.objects.filter(meeting=meeting).delete()  # the next run asks again

    measure("POST generate (queues the job)", ask)

    def ask_api():  # the API's generate: the same job, answered 202 with the job's URL
        r = client_post.post(
            "/api/v1/reports/generate/", {"meeting": meeting.pk}, content_type="application/json"
        )
        assert r.status_code == 202, r.content
        ReportJob.objects.filter(meeting=meeting).delete()

    measure("API POST reports/generate (202, queues)", ask_api)
    for label, q, med, p95, raw_med, raw_p95 in rows:
        print(f"RESULT\t{label}\t{q}\t{med:.1f}\t{p95:.1f}\t{raw_med:.1f}\t{raw_p95:.1f}")
    n_items, n_inv = meeting.agenda_items.count(), meeting.invitations.count()
    print(f"MEETING\t{meeting.title}: {n_items} agenda items, {n_inv} invitations")
    print(f"HOST\t{before:.2f}–{reference_loop():.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=float, default=0.1)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--reuse", action="store_true", help="keep a dataset built by an earlier run")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--build", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        sys.path.insert(0, str(HERE))
        if args.build:
            from _setup import dataset

            print(dataset(f"pages-{args.size:g}", args.size, reuse=args.reuse))
        else:
            child(args.size, args.runs)
        return
    env = {**os.environ, "BENCH_VAR_DIR": str(HERE.parent / "var" / "bench" / f"pages-{args.size:g}")}
    if "DATABASE_URL" in env:
        env["DATABASE_URL"] += "_" + format(args.size, "g").replace(".", "_")
    env.pop("REDIS_URL", None)  # the POST queues into the filesystem broker: no worker takes it here
    build = [sys.executable, __file__, "--child", "--build", "--size", str(args.size)]
    out = subprocess.run(
        [*build, *(["--reuse"] if args.reuse else [])], env=env, capture_output=True, text=True
    )
    if out.returncode != 0:
        raise SystemExit(f"build failed:\n{out.stderr[-3000:]}")
    print(f"size {args.size:g}: dataset {out.stdout.strip()}", flush=True)
    run = [sys.executable, __file__, "--child", "--size", str(args.size), "--runs", str(args.runs)]
    out = subprocess.run(run, env=env, capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"measuring failed:\n{out.stderr[-3000:]}")
    print(f"{'what':<40}{'queries':>8}{'med ms':>10}{'p95 ms':>10}{'raw SQL med':>13}{'p95':>8}")
    for line in out.stdout.splitlines():
        if line.startswith("RESULT\t"):
            _, label, q, med, p95, raw_med, raw_p95 = line.split("\t")
            print(f"{label:<40}{q:>8}{med:>10}{p95:>10}{raw_med:>13}{raw_p95:>8}")
        elif line.startswith(("MEETING\t", "HOST\t")):
            key, text = line.split("\t", 1)
            print(f"{'meeting' if key == 'MEETING' else 'reference loop (s)'}: {text}")


if __name__ == "__main__":
    main()
