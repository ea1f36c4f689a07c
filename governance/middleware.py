"""A lost database connection answers a clean 503 page, and the next request starts afresh."""

from __future__ import annotations

import contextlib

from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse
from django.template.loader import render_to_string


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        # Drop the broken connection so the next request opens a new one.
        with contextlib.suppress(Exception):  # the connection is already broken
            connection.close()
        body = render_to_string("503.html", {})
        return HttpResponse(body, status=503, headers={"Retry-After": "5"})
