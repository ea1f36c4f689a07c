"""Shared start-up for bench scripts: a Django environment on a throwaway database.

By default each bench run uses its own SQLite file under ``var/bench/``; set ``DATABASE_URL`` to measure on
PostgreSQL (the database is created if missing). Nothing here touches the development database.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup(name: str, *, fresh: bool = True) -> None:
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
