"""Middleware of the site: a lost database connection answers a clean 503 page (and the next request
starts afresh); the account forms are rate-limited; sessions end when idle and after a fixed lifetime."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import time

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse
from django.template.loader import render_to_string


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DATABASE_DOWN):
            return None
        return database_unavailable()


DATABASE_DOWN = (OperationalError, InterfaceError)


def database_unavailable() -> HttpResponse:
    """The clean 503 page, for a view's exception here and, through ``server_error`` (handler500), for
    middleware that reads the database before any view runs (sessions, account limits)."""
    # Drop the broken connection so the next request opens a new one.
    with contextlib.suppress(Exception):  # the connection is already broken
        connection.close()
    body = render_to_string("503.html", {})
    return HttpResponse(body, status=503, headers={"Retry-After": "5"})


# --- Abuse limits on the account forms ------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Limit:
    """At most ``attempts`` audit events ``action`` per ``window`` seconds, counted per client address
    (``per="address"``) or per logged-in user (``per="user"``), before a POST to the form is refused.
    Counted in the audit trail (the database), so a limit holds across web workers and restarts."""

    action: str
    attempts: int
    window: int
    per: str = "address"


def account_limits() -> dict[str, Limit]:
    return {
        # Spraying: one address trying many usernames (django-axes locks per address *and* user).
        "login": Limit("login_failed", settings.LOGIN_FAILURES_PER_ADDRESS, 15 * 60),
        # A stolen session guessing the current password.
        "password_change": Limit("password_change_failed", 5, 15 * 60, per="user"),
        # Reset mails: nobody floods an inbox (or the outbox) from one address.
        "password_reset": Limit("password_reset_requested", 5, 60 * 60),
    }


def limit_reached(request, limit: Limit) -> bool:
    from django.utils import timezone

    from governance.audit import client_address
    from governance.models import AuditEvent

    events = AuditEvent.objects.filter(
        action=limit.action, at__gte=timezone.now() - dt.timedelta(seconds=limit.window)
    )
    if limit.per == "user":
        if not request.user.is_authenticated:
            return False
        events = events.filter(actor=request.user)
    else:
        events = events.filter(data__ip=client_address(request))
    return events.count() >= limit.attempts


class AccountThrottleMiddleware:
    """429 for a POST to the login, password-change or reset form once its limit is reached
    (``account_limits``)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method != "POST" or request.resolver_match is None:
            return None
        limit = account_limits().get(request.resolver_match.url_name)
        if limit is None or not limit_reached(request, limit):
            return None
        minutes = max(1, limit.window // 60)
        return HttpResponse(
            render_to_string("429.html", {"minutes": minutes}, request=request),
            status=429,
            headers={"Retry-After": str(limit.window)},
        )


# --- Sessions: idle timeout and absolute lifetime -------------------------------------------------------

SESSION_STARTED = "_session_started"
SESSION_SEEN = "_session_seen"
SEEN_GRANULARITY = 5 * 60  # the last-seen time is written at most every five minutes, not on every request


class SessionTimeoutMiddleware:
    """A logged-in session ends after ``SESSION_IDLE_SECONDS`` without a request and, however active,
    ``SESSION_ABSOLUTE_SECONDS`` after it began. After AuthenticationMiddleware."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            now = int(time.time())
            session = request.session
            started = session.setdefault(SESSION_STARTED, now)
            seen = session.get(SESSION_SEEN, now)
            if (
                now - seen > settings.SESSION_IDLE_SECONDS
                or now - started > settings.SESSION_ABSOLUTE_SECONDS
            ):
                from django.contrib.auth import logout

                logout(request)
            elif now - seen >= SEEN_GRANULARITY or SESSION_SEEN not in session:
                session[SESSION_SEEN] = now
        return self.get_response(request)
