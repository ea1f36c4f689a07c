"""Login defence that cannot be aimed at others: behind the TLS proxy the client's own address (not the
proxy's) keys the lockout; spraying from one address is limited; the password-change form and reset mails
are throttled; the API is throttled; sessions end when idle and after a fixed lifetime."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from freezegun import freeze_time

from governance.models import AuditEvent
from tests.world.build import PASSWORD, api_as

pytestmark = pytest.mark.django_db

PROXY = "172.18.0.5"  # the compose network's TLS proxy: every request reaches gunicorn from it


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1


def login(client, username: str, password: str, client_ip: str, *, claimed: str = ""):
    """A POST as the proxy forwards it: the client may put anything in X-Forwarded-For; the proxy
    appends the address it really saw."""
    forwarded = f"{claimed}, {client_ip}" if claimed else client_ip
    return client.post(
        "/accounts/login/",
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


def test_five_wrong_passwords_from_one_address_do_not_lock_the_user_elsewhere(behind_proxy, alice, settings):
    attacker = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(attacker, "alice", "guess", "203.0.113.66").status_code == 200
    assert login(attacker, "alice", "guess", "203.0.113.66").status_code == 429  # locked: this pair
    assert login(attacker, "alice", PASSWORD, "203.0.113.66").status_code == 429
    # Claiming alice's address in the header changes nothing: the proxy's entry is the one believed.
    assert login(attacker, "alice", PASSWORD, "203.0.113.66", claimed="198.51.100.7").status_code == 429
    # Alice, from her own address behind the same proxy, logs in.
    assert login(Client(), "alice", PASSWORD, "198.51.100.7").status_code == 302
    lockouts = AuditEvent.objects.filter(action="lockout")
    assert lockouts and {e.data["ip"] for e in lockouts} == {"203.0.113.66"}


def test_a_hundred_attempts_over_many_usernames_from_one_address_are_throttled(behind_proxy, settings):
    sprayer = Client()
    answers = [login(sprayer, f"user{n}", "Winter2026!", "203.0.113.99").status_code for n in range(100)]
    limit = settings.LOGIN_FAILURES_PER_ADDRESS
    assert answers[:limit] == [200] * limit  # wrong, said plainly
    assert set(answers[limit:]) == {429}  # then refused without trying
    assert AuditEvent.objects.filter(action="login_failed", data__ip="203.0.113.99").count() == limit
    # Another address behind the same proxy is not affected.
    get_user_model().objects.create_user("carol", password=PASSWORD)
    assert login(Client(), "carol", PASSWORD, "198.51.100.8").status_code == 302


def test_the_password_change_form_stops_guessing(alice):
    c = Client()
    c.force_login(alice)
    wrong = {
        "old_password": "guess",
        "new_password1": "Another-Strong-2026",
        "new_password2": "Another-Strong-2026",
    }
    assert [c.post("/accounts/password/change/", wrong).status_code for _ in range(5)] == [200] * 5
    assert c.post("/accounts/password/change/", {**wrong, "old_password": PASSWORD}).status_code == 429
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_reset_mails_are_limited_per_address(alice, mailoutbox):
    c = Client()
    answers = [
        c.post(
            "/accounts/password/reset/", {"email": "alice@example.org"}, REMOTE_ADDR="10.9.9.9"
        ).status_code
        for _ in range(7)
    ]
    assert answers[:5] == [302] * 5 and answers[5:] == [429, 429]
    assert AuditEvent.objects.filter(action="password_reset_requested").count() == 5


def test_the_api_is_throttled_per_user(alice, settings):
    settings.API_THROTTLE_RATE = "3/minute"
    from django.core.cache import cache

    cache.delete_many([f"throttle_user_{alice.pk}"])
    c = api_as(alice)
    assert [c.get("/api/v1/member-states/").status_code for _ in range(4)] == [200, 200, 200, 429]
    cache.delete_many([f"throttle_user_{alice.pk}"])


def test_a_session_ends_after_the_idle_timeout(alice, settings):
    settings.SESSION_IDLE_SECONDS = 8 * 3600
    c = Client()
    with freeze_time("2026-03-02 08:00:00") as clock:
        c.force_login(alice)
        assert c.get("/").status_code == 200
        clock.tick(dt.timedelta(hours=7, minutes=50))
        assert c.get("/").status_code == 200  # active within the idle time
        clock.tick(dt.timedelta(hours=8, minutes=1))
        assert c.get("/").status_code == 302  # idle too long: back to the login page


def test_a_session_ends_after_its_absolute_lifetime(alice, settings):
    settings.SESSION_IDLE_SECONDS = 8 * 3600
    settings.SESSION_ABSOLUTE_SECONDS = 24 * 3600
    c = Client()
    with freeze_time("2026-03-02 08:00:00") as clock:
        c.force_login(alice)
        for _ in range(5):  # busy all day and night, never idle for long
            assert c.get("/").status_code == 200
            clock.tick(dt.timedelta(hours=5))
        assert c.get("/").status_code == 302
