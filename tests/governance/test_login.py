"""Logging in: CSRF and http-only session cookie, lock-out after repeated failures, strong passwords."""

from __future__ import annotations

import base64

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from tests.world.build import PASSWORD


def login(client, username: str, password: str, ip: str = "10.0.0.1"):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


@pytest.mark.django_db
def test_session_cookie_is_http_only_and_login_needs_csrf(alice):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    assert client.post("/accounts/login/", {"username": "alice", "password": PASSWORD}).status_code == 403
    page = client.get("/accounts/login/")
    token = page.cookies["csrftoken"].value
    r = client.post(
        "/accounts/login/", {"username": "alice", "password": PASSWORD, "csrfmiddlewaretoken": token}
    )
    assert r.status_code == 302
    assert r.cookies["sessionid"]["httponly"]
    assert r.cookies["sessionid"]["samesite"] == "Lax"


@pytest.mark.django_db
def test_repeated_failed_logins_lock_the_account_with_a_clear_message(client, alice, settings):
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        r = login(client, "alice", "wrong-password")
        assert r.status_code == 200 and "did not match" in r.content.decode()
    r = login(client, "alice", "wrong-password")  # the limit-th failure locks
    assert r.status_code == 429
    r = login(client, "alice", PASSWORD)  # even the right password is refused now
    assert r.status_code == 429
    page = r.content.decode()
    assert "Account locked" in page and "Too many failed log-in attempts" in page and "alice" in page
    assert "60 minutes" in page and "reset your password" in page
    assert "_auth_user_id" not in client.session
    # The lock is on this username from this address: the user elsewhere, and others here, still log in.
    assert login(client, "alice", PASSWORD, ip="10.0.0.2").status_code == 302
    get_user_model().objects.create_user("bob", password=PASSWORD)
    client.logout()
    assert login(client, "bob", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_a_successful_login_clears_the_failure_count(client, alice, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        login(client, "alice", "wrong-password")
    assert login(client, "alice", PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, "alice", "wrong-password").status_code == 200  # counting starts again


@pytest.mark.django_db
def test_the_api_basic_auth_is_throttled_too(client, alice, settings):
    def basic(password: str):
        token = base64.b64encode(f"alice:{password}".encode()).decode()
        return client.get("/api/v1/bodies/", HTTP_AUTHORIZATION=f"Basic {token}", REMOTE_ADDR="10.0.0.9")

    assert basic(PASSWORD).status_code == 200
    for _ in range(settings.AXES_FAILURE_LIMIT):
        assert basic("wrong").status_code == 403
    assert basic(PASSWORD).status_code == 403  # locked


@pytest.mark.parametrize("weak", ["short", "password1234", "1234567890123", "alice-example"])
def test_password_validators_refuse_weak_passwords(weak):
    user = get_user_model()(username="alice-example", email="alice@example.org")
    with pytest.raises(ValidationError):
        validate_password(weak, user)
    validate_password(PASSWORD, user)
