from __future__ import annotations

from django.db import connection
from django.http import JsonResponse


def healthz(request):
    """Liveness for compose and load balancers: the app answers and the database is reachable."""
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
    return JsonResponse({"ok": True})
