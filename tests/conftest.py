"""Shared fixtures. Tests that need PostgreSQL, Redis, a worker or Chromium skip where it is absent, unless
REQUIRE_SERVICES is set (CI sets it), which turns those skips into failures."""

from __future__ import annotations

import datetime as dt
import socket
import uuid

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from tests.machine import REQUIRE_SERVICES, service_missing


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
def seeded(db):
    """The real ASEAN data, as `seed_asean` loads it."""
    from portal.seed import seed_asean

    seed_asean()


@pytest.fixture
def day() -> dt.date:
    """A fixed 'today' for rules that take a date; tests never depend on the real date."""
    from tests.world.clock import DAY

    return DAY


@pytest.fixture
def make_user(db):
    """Make a login user with a known password, with a Person, optionally representing a state
    (tests/world/people.py ``user_make``)."""
    from tests.world.people import user_make

    def make(username: str, *, password: str = "pw-for-tests-123", **kw):
        return user_make(username, password=password, **kw)

    return make


@pytest.fixture
def roles(db, settings, tmp_path):
    """The roles scene: one user per role around ACCMSME and SEOM, with meetings, documents and handovers."""
    from tests.world.roles import roles_scene

    settings.MEDIA_ROOT = tmp_path
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return roles_scene()


@pytest.fixture
def zones(db):
    """The zones scene: member states in several time zones, invitees and a confirmed meeting."""
    from tests.world.calendar import zones_scene

    return zones_scene()


@pytest.fixture
def alice(db):
    """A plain user with a strong password, for the log-in and header tests."""
    from tests.world.build import PASSWORD

    return get_user_model().objects.create_user("alice", email="alice@example.org", password=PASSWORD)


@pytest.fixture
def world(seeded, make_user):
    """The meetings scene (tests/world/meetings.py)."""
    from tests.world.meetings import meetings_scene

    return meetings_scene(make_user)


@pytest.fixture
def hooks(monkeypatch) -> list[tuple[str, dict]]:
    """Record the calendar side's hooks as they act after commit, instead of running them."""
    from meetings.calendar import tasks

    calls: list[tuple[str, dict]] = []
    for hook, body in (
        ("meeting_version_changed", "meeting_version_plan"),
        ("invitation_added", "invitation_plan"),
        ("invitation_withdrawn", "invitation_withdrawal_plan"),
        ("agenda_circulated", "agenda_circulation_plan"),
    ):
        monkeypatch.setattr(tasks, body, lambda _n=hook, **kw: calls.append((_n, kw)))
    return calls


@pytest.fixture
def media(settings, tmp_path):
    # FileSystemStorage listens for the setting change and forgets its cached location.
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def queued(monkeypatch):
    """Tasks handed to the broker, captured instead of sent."""
    from outbox import tasks as outbox_tasks

    calls = []
    monkeypatch.setattr(
        outbox_tasks.send_messages,
        "apply_async",
        lambda args, kwargs=None, **opts: calls.append((args[0], kwargs)),
    )
    return calls


@pytest.fixture(autouse=True)
def _own_cache(settings) -> None:
    """Each test its own cache namespace. The Redis cache outlives the test database, whose pks start again
    at 1 in every run: a page or feed event cached by an earlier run under the same pk, at another frozen
    time, would otherwise answer for this one."""
    settings.CACHES = {
        name: {**conf, "KEY_PREFIX": f"test-{uuid.uuid4().hex[:12]}"}
        for name, conf in settings.CACHES.items()
    }


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    # The real hasher costs most of a second per user on this machine; tests hash many.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
