"""Shared fixtures. Tests that need PostgreSQL, Redis, a worker or Chromium skip where it is absent, unless
REQUIRE_SERVICES is set (CI sets it), which turns those skips into failures."""

from __future__ import annotations

import datetime as dt
import os
import socket

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def pytest_report_header(config) -> list[str]:
    db = settings.DATABASES["default"]
    where = (
        db["NAME"] if "sqlite" in db["ENGINE"] else f"{db.get('HOST') or 'socket'}:{db.get('PORT') or 5432}"
    )
    return [
        f"database: {db['ENGINE'].rsplit('.', 1)[-1]} ({where})",
        f"celery broker: {settings.CELERY_BROKER_URL.split('@')[-1]}",
        f"services required: {'yes' if REQUIRE_SERVICES else 'no (tests needing a missing service skip)'}",
    ]


def service_missing(reason: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (REQUIRE_SERVICES=1)")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _fresh_zone_labels():
    """Each test reads its own member states' zone labels, not a copy kept from a rolled-back test."""
    from meetings.times import forget_zone_labels

    forget_zone_labels()


@pytest.fixture
def require_postgres() -> None:
    if not settings.USING_POSTGRES:
        service_missing("needs PostgreSQL: set DATABASE_URL")


@pytest.fixture
def require_redis() -> str:
    if not settings.REDIS_URL:
        service_missing("needs Redis: set REDIS_URL")
    host_port = settings.REDIS_URL.split("//", 1)[1].split("/", 1)[0].split("@")[-1]
    host, _, port = host_port.partition(":")
    try:
        socket.create_connection((host, int(port or 6379)), timeout=2).close()
    except OSError:
        service_missing(f"Redis at {host_port} does not answer")
    return settings.REDIS_URL


@pytest.fixture
def require_chromium() -> str:
    path = "/usr/bin/chromium"
    if not os.path.exists(path):
        service_missing("needs Debian's chromium at /usr/bin/chromium")
    return path


@pytest.fixture
def seeded(db):
    """The real ASEAN data, as `seed_asean` loads it."""
    from portal.seed import seed_asean

    seed_asean()


@pytest.fixture
def day() -> dt.date:
    """A fixed 'today' for rules that take a date; tests never depend on the real date."""
    return dt.date(2026, 3, 2)


@pytest.fixture
def make_user(db):
    """Make a login user, with a Person, optionally representing a state."""
    from governance.models import Person

    def make(
        username: str,
        *,
        state=None,
        organisation=None,
        secretariat: bool = False,
        password: str = "pw-for-tests-123",
    ):
        User = get_user_model()
        user = User.objects.create_user(username=username, email=f"{username}@example.org", password=password)
        Person.objects.create(
            user=user,
            full_name=username.title(),
            email=user.email,
            member_state=state,
            organisation=organisation,
        )
        if secretariat:
            from governance.permissions import ensure_secretariat_group

            user.groups.add(ensure_secretariat_group())
        return user

    return make


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    # The real hasher costs most of a second per user on this machine; tests hash many.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def browser(require_chromium):
    """Debian's Chromium driven by Playwright (its own browser download does not work here)."""
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=require_chromium, args=CHROMIUM_FLAGS)
        yield b
        b.close()
