from __future__ import annotations

import sys

from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.views.defaults import server_error as django_server_error

from governance.middleware import DATABASE_DOWN, database_unavailable


def healthz(request):
    """Liveness for compose and load balancers: the app answers and the database is reachable."""
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
    return JsonResponse({"ok": True})


def server_error(request) -> HttpResponse:
    """handler500: a lost database is a clean 503 wherever it was met (a view, or middleware that reads the
    session or the audit trail before any view runs); anything else is Django's 500 page."""
    if isinstance(sys.exc_info()[1], DATABASE_DOWN):
        return database_unavailable()
    return django_server_error(request)
