"""Shared start-up for bench scripts: a Django environment on a throwaway database.

By default each bench run uses its own SQLite file under ``var/bench/``; set ``DATABASE_URL`` to measure on
PostgreSQL (the database is created if missing). Nothing here touches the development database.
``dataset`` builds the generated data, or with ``reuse`` keeps a database that already holds that size.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup(name: str, *, fresh: bool = True) -> None:
    """Django on the bench database ``name``: emptied first when ``fresh``, created when missing."""
    sys.path.insert(0, str(ROOT))
    var = Path(os.environ.get("BENCH_VAR_DIR", ROOT / "var" / "bench" / name))
    var.mkdir(parents=True, exist_ok=True)
    os.environ["VAR_DIR"] = str(var)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("AXES_ENABLED", "false")
    sqlite = var / "bench.sqlite3"
    if "DATABASE_URL" not in os.environ:
        if fresh and sqlite.exists():
            sqlite.unlink()
        os.environ["DATABASE_URL"] = f"sqlite:///{sqlite}"
    elif fresh:
        _recreate_postgres(os.environ["DATABASE_URL"])
    else:
        _create_postgres_if_missing(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _recreate_postgres(url: str) -> None:
    import psycopg

    base, _, dbname = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{dbname}"')


def _create_postgres_if_missing(url: str) -> None:
    if not url.startswith("postgres"):
        return
    import psycopg

    base, _, dbname = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [dbname]).fetchone():
            conn.execute(f'CREATE DATABASE "{dbname}"')


def expected_meetings(size: float) -> int:
    return max(40, round(4000 * size))  # as bench/generate.py computes n_meetings


def _populated(size: float) -> bool:
    from django.contrib.auth import get_user_model

    from meetings.models import Meeting

    return (
        Meeting.objects.filter(uid__startswith="bench-").count() == expected_meetings(size)
        and get_user_model().objects.filter(username="bench-delegate", person__isnull=False).exists()
    )


def _empty() -> None:
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    connections.close_all()  # the PostgreSQL database is dropped WITH (FORCE); ours goes first, cleanly
    if settings.USING_POSTGRES:
        _recreate_postgres(os.environ["DATABASE_URL"])
    else:
        db = str(settings.DATABASES["default"]["NAME"])
        for suffix in ("", "-wal", "-shm"):  # a stale WAL next to a new file would be replayed into it
            Path(db + suffix).unlink(missing_ok=True)
    call_command("migrate", verbosity=0, interactive=False)


def dataset(name: str, size: float, *, reuse: bool) -> str:
    """Django on bench database ``name`` holding the generated data of ``size``; says how it got there.
    With ``reuse``, a database that already holds that size is kept (a size-10 build takes many minutes)."""
    import time

    setup(name, fresh=not reuse)
    if reuse:
        if _populated(size):
            return "reused"
        _empty()  # empty, or another size
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from generate import generate

    t0 = time.perf_counter()
    generate(size)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # planner statistics, as autovacuum would gather after a bulk load
    return f"built in {time.perf_counter() - t0:.0f} s"
