"""``/readyz``: can the site do its work? The database, the broker, the media store (the latest documents'
files are there with their sizes: a database restored without its media is caught) and a worker's
heartbeat (the outbox hand-out writes it every few seconds). 200 when all are up; 503 naming what is
down. ``/healthz`` stays the liveness probe (the process answers, the database is reachable)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone

from meetings.models import Document
from outbox.models import Heartbeat

SAMPLE = 20


def database() -> str:
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
    return "ok"


def broker() -> str:
    url = getattr(settings, "CELERY_BROKER_URL", "")
    if url.startswith("redis"):
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()
        return "ok"
    folder = Path(getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}).get("data_folder_in", ""))
    if not folder.is_dir():
        raise RuntimeError(f"broker folder {folder} is missing")
    return "ok"


def media() -> str:
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        raise RuntimeError(f"MEDIA_ROOT {root} is missing")
    latest = list(Document.objects.order_by("-pk").values_list("file", "size")[:SAMPLE])
    missing = [
        name for name, size in latest if not (root / name).is_file() or (root / name).stat().st_size != size
    ]
    if missing:
        raise RuntimeError(
            f"{len(missing)} of the {len(latest)} latest documents' files are missing or differ"
        )
    return "ok"


def worker() -> str:
    limit = dt.timedelta(seconds=max(60, 3 * getattr(settings, "NOTIFY_HANDOUT_SECONDS", 10)))
    beat = Heartbeat.objects.filter(name="worker").values_list("at", flat=True).first()
    if beat is None:
        raise RuntimeError("no worker heartbeat yet")
    if timezone.now() - beat > limit:
        raise RuntimeError(f"no worker heartbeat since {beat:%Y-%m-%d %H:%M:%S} UTC")
    return "ok"


CHECKS: dict[str, Callable[[], str]] = {
    "database": database,
    "broker": broker,
    "media": media,
    "worker": worker,
}


def readiness() -> dict[str, str]:
    results = {}
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception as exc:  # noqa: BLE001 - any failure of a part is that part being down
            results[name] = f"down: {exc}"
    return results


def readyz(request) -> JsonResponse:
    results = readiness()
    down = [name for name, result in results.items() if result != "ok"]
    return JsonResponse({"ok": not down, "down": down, "checks": results}, status=503 if down else 200)
