"""Two checkouts of the application, the same pages, measured side by side: is a change faster?

    git worktree add /tmp/before <commit>
    python bench/compare.py /tmp/before [--pages dashboard "meeting page"] [--runs 60] [--instructions]

This host's speed drifts by half within an hour, more than most changes save, so figures taken one after the
other mislead. Here each checkout serves the size-1 dataset of ``bench/pages.py`` (built first if missing) in
its own process, and the requests alternate between the two: both see the same host. Each checkout has its
own dataset (its schema may differ): under ``var/bench/pages-1`` of its tree, or on PostgreSQL the database
of ``DATABASE_URL`` with ``_1_`` and a tag of the checkout's path appended. The datasets are built (or
found) first, each in a process of its own, so that no server carries the heap a build leaves behind. It prints each page's
queries, median, minimum and p95, and the ratio of the medians (below 1: the second checkout is faster).

``--ratios`` compares instead the ratios of the current run (``bench/results.json``, written by ``make
bench``) against those the previous commit stored (``git show HEAD:bench/results.json``, or ``--against``)
and flags every ratio worse by more than 20%: the regressions a commit would bring.

``--instructions`` counts instead the CPU instructions of the application per request under
``valgrind --tool=callgrind``: repeatable to a fraction of a percent whatever the host is doing, but blind to
time spent in PostgreSQL and to waiting.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
PAGES = ["dashboard", "meeting page", "body page", "rotation timeline", "meeting list API"]


THRESHOLD = 0.20  # a ratio more than this much worse than the previous commit's is flagged
FLAG = "!! WORSE"


def regressions(
    previous: dict[str, dict[str, float]], current: dict[str, dict[str, float]], threshold: float = THRESHOLD
) -> list[tuple[str, float, float]]:
    """(name, previous ratio, current ratio) of every ratio that grew by more than ``threshold``. A ratio
    is a figure over its floor, so lower is better; one missing on either side is not compared."""
    worse = []
    for name, now in current.items():
        before = previous.get(name)
        if not before or not before.get("ratio") or now.get("ratio") is None:
            continue
        if now["ratio"] > before["ratio"] * (1 + threshold):
            worse.append((name, before["ratio"], now["ratio"]))
    return worse


def ratio_report(previous: dict, current: dict, threshold: float = THRESHOLD) -> list[str]:
    """One line per ratio of the current run, with the previous commit's beside it, flagged if worse."""
    flagged = {name for name, _, _ in regressions(previous, current, threshold)}
    lines = [f"{'ratio (figure / floor)':<60}{'previous':>10}{'now':>10}"]
    for name in sorted(current):
        before = previous.get(name, {}).get("ratio")
        shown = f"{before:>9.2f}x" if before is not None else f"{'-':>10}"
        line = f"{name:<60}{shown}{current[name]['ratio']:>9.2f}x"
        lines.append(line + (f"  {FLAG} by more than {threshold:.0%}" if name in flagged else ""))
    lines.append(f"{len(flagged)} ratio(s) worse by more than {threshold:.0%} than the previous commit")
    return lines


def previous_results(against: str | None) -> dict:
    """The ratios the previous commit stored: ``--against`` a file, else ``git show HEAD:bench/results.json``."""
    import json

    if against:
        return json.loads(Path(against).read_text())
    out = subprocess.run(
        ["git", "show", "HEAD:bench/results.json"], cwd=HERE.parent, capture_output=True, text=True
    )
    return json.loads(out.stdout) if out.returncode == 0 and out.stdout.strip() else {}


def database_tag(root: str) -> str:
    """A PostgreSQL-safe name for a checkout: its directory name and a hash of its path."""
    name = re.sub(r"[^a-z0-9]+", "_", Path(root).name.lower())[:20]
    return f"{name}_{hashlib.sha1(root.encode()).hexdigest()[:6]}"


def serve(root: str, *, requests: int, build: bool = False) -> None:
    """The child: Django from ``root`` on the size-1 dataset, logged in as the bench delegate. With
    ``build``, only build (or find) the dataset and say how; with ``requests``, time that many requests of
    each page under callgrind; else answer page names on stdin."""
    import time

    os.chdir(root)  # its own code first on sys.path, whatever the caller's directory
    sys.path[:0] = [root, f"{root}/bench"]
    os.environ["BENCH_VAR_DIR"] = str(Path(root) / "var" / "bench" / "pages-1")
    if "DATABASE_URL" in os.environ:
        # Size 1, as bench/pages.py names it, and one database per checkout: their schemas may differ.
        os.environ["DATABASE_URL"] += "_1_" + database_tag(root)
    from _setup import dataset

    how = dataset("pages-1", 1, reuse=True)
    if build:
        from django.conf import settings

        print(f"{root}: dataset {how} ({settings.DATABASES['default']['NAME']})", flush=True)
        return
    import pages
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    urls = {label: url for label, who, url in pages.targets() if who == "delegate"}
    client = Client()
    client.force_login(get_user_model().objects.get(username="bench-delegate"))
    for label, url in urls.items():
        client.get(url)  # warm up
        with CaptureQueriesContext(connection) as ctx:
            status = client.get(url).status_code
        print(f"QUERIES\t{label}\t{len(ctx.captured_queries) if status == 200 else -1}", flush=True)
    if requests:
        for label in sys.stdin.read().split("\t"):
            subprocess.run(["callgrind_control", "-i", "on", str(os.getpid())], capture_output=True)
            for _ in range(requests):
                client.get(urls[label])
            subprocess.run(["callgrind_control", "-i", "off", str(os.getpid())], capture_output=True)
            subprocess.run(["callgrind_control", "--dump", str(os.getpid())], capture_output=True)
        return
    print("READY", flush=True)
    for line in sys.stdin:
        t0 = time.perf_counter()
        client.get(urls[line.strip()])
        print(f"{(time.perf_counter() - t0) * 1000:.3f}", flush=True)


class Server:
    def __init__(self, root: str) -> None:
        self.root = root
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--serve", root],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.queries: dict[str, int] = {}
        while (line := self.proc.stdout.readline()) != "READY\n":
            if not line:
                raise SystemExit(f"{root}: the server stopped before it was ready")
            if line.startswith("QUERIES\t"):
                _, label, n = line.rstrip("\n").split("\t")
                self.queries[label] = int(n)

    def time(self, label: str) -> float:
        self.proc.stdin.write(label + "\n")
        self.proc.stdin.flush()
        return float(self.proc.stdout.readline())

    def close(self) -> None:
        self.proc.kill()


def build(roots: list[str]) -> None:
    """Each checkout's dataset, built if missing, in a process that then exits."""
    for root in roots:
        subprocess.run([sys.executable, __file__, "--serve", root, "--build"], check=True)


def compare_times(roots: list[str], labels: list[str], runs: int) -> None:
    servers = [Server(root) for root in roots]
    try:
        print(f"{'page':<22}{'queries':>9}{'median ms':>22}{'min ms':>16}{'p95 ms':>16}{'ratio':>8}")
        for label in labels:
            times: list[list[float]] = [[], []]
            for i in range(runs):
                order = (0, 1) if i % 2 == 0 else (1, 0)  # neither always goes first
                for k in order:
                    times[k].append(servers[k].time(label))
            med = [statistics.median(t) for t in times]
            p95 = [sorted(t)[int(0.95 * (len(t) - 1))] for t in times]
            print(
                f"{label:<22}{servers[0].queries[label]:>4} →{servers[1].queries[label]:>3}"
                f"{med[0]:>11.1f} →{med[1]:>7.1f}{min(times[0]):>8.1f} →{min(times[1]):>5.1f}"
                f"{p95[0]:>8.1f} →{p95[1]:>5.1f}{med[1] / med[0]:>8.2f}",
                flush=True,
            )
    finally:
        for server in servers:
            server.close()


def instructions(root: str, labels: list[str], requests: int) -> dict[str, float]:
    """Millions of instructions per request, per page, for one checkout."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "callgrind.out"
        subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                "--instr-atstart=no",
                f"--callgrind-out-file={out}",
                sys.executable,
                __file__,
                "--serve",
                root,
                "--requests",
                str(requests),
            ],
            input="\t".join(labels),
            capture_output=True,
            text=True,
            check=True,
        )
        dumps = sorted(Path(tmp).glob("callgrind.out.*"), key=lambda p: int(p.name.rsplit(".", 1)[1]))
        totals = []
        for dump in dumps:  # one dump per page; a dump's "totals:" line counts what ran since the last
            line = next(line for line in dump.read_text().splitlines() if line.startswith("totals:"))
            totals.append(int(line.split()[1]))
    return {label: total / requests / 1e6 for label, total in zip(labels, totals, strict=True)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", nargs="?", help="checkout to compare against (a git worktree)")
    parser.add_argument("after", nargs="?", default=str(HERE.parent), help="default: this checkout")
    parser.add_argument("--pages", nargs="+", default=PAGES[:2], choices=PAGES)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--instructions", action="store_true", help="count instructions under callgrind")
    parser.add_argument(
        "--ratios", action="store_true", help="this run's ratios against the previous commit's"
    )
    parser.add_argument(
        "--current", default=str(HERE / "results.json"), help="with --ratios: this run's file"
    )
    parser.add_argument("--against", help="with --ratios: a results file instead of the previous commit's")
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--requests", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--build", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, requests=args.requests, build=args.build)
        return
    if args.ratios:
        import json

        lines = ratio_report(previous_results(args.against), json.loads(Path(args.current).read_text()))
        print("\n".join(lines))
        sys.exit(1 if not lines[-1].startswith("0 ") else 0)
    if not args.before:
        parser.error("name the checkout to compare against")
    roots = [str(Path(args.before).resolve()), str(Path(args.after).resolve())]
    build(roots)
    if args.instructions:
        counts = [instructions(root, args.pages, requests=5) for root in roots]
        print(f"{'page':<22}{'M instructions/request':>26}{'ratio':>8}")
        for label in args.pages:
            before, after = counts[0][label], counts[1][label]
            print(f"{label:<22}{before:>14.1f} →{after:>7.1f}{after / before:>10.2f}")
        return
    compare_times(roots, args.pages, args.runs)


if __name__ == "__main__":
    main()
