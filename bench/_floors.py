"""Floors: what a figure is divided by, measured in the same run as the figure, alternating with it.

This host is shared and its speed drifts by half within minutes, so an absolute time says little; a figure
taken in turn with its floor (page, floor, page, floor, ...) sees the same host, and their ratio holds.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

# SQL that a bare cursor does not need to read: transaction control.
_CONTROL = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT", "BEGIN", "COMMIT", "ROLLBACK")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def reads(captured: list[dict]) -> list[str]:
    """The SELECTs of a captured request. Django's log holds each statement with its parameters quoted in
    (``last_executed_query``), which a bare cursor runs as it is."""
    statements = [q["sql"] for q in captured if not q["sql"].lstrip().upper().startswith(_CONTROL)]
    return [s for s in statements if s.lstrip().upper().startswith(("SELECT", "WITH"))]


def replayer(statements: list[str]) -> Callable[[], None]:
    """The page's own SQL through a raw cursor, every row fetched: what the database and the driver cost."""
    from django.db import connection

    def replay() -> None:
        with connection.cursor() as cursor:
            raw = cursor.cursor  # the driver's cursor: no Django wrapper, no query log
            for statement in statements:
                raw.execute(statement)
                raw.fetchall()

    return replay


def alternate(figure: Callable[[], object], floor: Callable[[], object], runs: int) -> tuple[list, list]:
    """Milliseconds of ``figure`` and ``floor``, taken in turn (which goes first alternates too)."""
    times: tuple[list[float], list[float]] = ([], [])
    fns = (figure, floor)
    for i in range(runs):
        for k in (0, 1) if i % 2 == 0 else (1, 0):
            t0 = time.perf_counter()
            fns[k]()
            times[k].append((time.perf_counter() - t0) * 1000)
    return times


def summary(figure: list[float], floor: list[float]) -> tuple[float, float, float]:
    """(figure median ms, floor median ms, ratio of the medians)."""
    a, b = statistics.median(figure), statistics.median(floor)
    return a, b, (a / b if b else float("inf"))


def reference_loop() -> float:
    """Seconds for a fixed pure-Python loop: how fast the host ran."""
    t0 = time.perf_counter()
    s = 0
    for i in range(5_000_000):
        s += i
    return time.perf_counter() - t0


def record(ratios: dict[str, dict[str, float]], path: str | None = None) -> None:
    """Merge ``{name: {"figure": ms, "floor": ms, "ratio": x}}`` into the results file (``BENCH_RESULTS``,
    default ``bench/results.json``): the file a commit keeps, which ``bench/compare.py --ratios`` reads
    back from the previous commit."""
    import json
    import os
    from pathlib import Path

    target = Path(path or os.environ.get("BENCH_RESULTS") or Path(__file__).resolve().parent / "results.json")
    try:
        current = json.loads(target.read_text())
    except (OSError, ValueError):
        current = {}
    current.update({k: {f: round(v, 4) for f, v in row.items()} for k, row in ratios.items()})
    target.write_text(json.dumps(dict(sorted(current.items())), indent=1) + "\n")
