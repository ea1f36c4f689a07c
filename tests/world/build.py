"""Builders the tests call with arguments: clients logged in as a user, API reads, known passwords."""

from __future__ import annotations

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

# The password of the `alice` fixture: strong enough for the validators, typed by the log-in tests.
PASSWORD = "Rendang-and-Laksa-2026"


def client_as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def fresh(user):
    """The user as a new request would load it: rights are cached on the user object for one request."""
    return type(user).objects.select_related("person").get(pk=user.pk)


def api_as(user) -> APIClient:
    """A client as ``user``, loaded afresh: rights are cached on the user object for one request."""
    c = APIClient()
    c.force_authenticate(fresh(user))
    return c


def listed(user, url: str) -> list[dict]:
    r = api_as(user).get(url)
    assert r.status_code == 200, r.content
    data = r.json()
    return data["results"] if isinstance(data, dict) else data


def page_queries(client, url: str) -> int:
    """How many queries one page costs; the page must answer 200."""
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url)
    assert r.status_code == 200, (url, r.status_code)
    return len(ctx.captured_queries)
