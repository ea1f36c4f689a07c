"""The database connection dropped under a request or between requests: a clean 503, then service again."""

from __future__ import annotations

import pytest
from django.db import close_old_connections, connection

from bench.faults import CLEAN_503
from tests.outbox.worker import database_url

PAGE = "/governance/"  # login required: the session, the user and the bodies are read inside the view


def _terminate(pid: int) -> None:
    import psycopg

    with psycopg.connect(database_url(), autocommit=True) as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone()[0]


@pytest.fixture
def logged_in(require_postgres, make_user, client):
    client.force_login(make_user("delegate-faults"))
    client.raise_request_exception = False  # an error past the middleware must show as a 500, not raise here
    assert client.get(PAGE).status_code == 200
    return client


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_connection_dropped_under_a_request_answers_a_clean_503_and_the_next_request_works(logged_in):
    pid = connection.connection.info.backend_pid
    # The test client skips the request-start health check, so the request meets the dead connection, as
    # one does whose backend dies while it runs.
    _terminate(pid)

    response = logged_in.get(PAGE)
    body = response.content.decode()
    assert response.status_code == 503
    assert CLEAN_503 in body and "Traceback" not in body
    assert response["Retry-After"] == "5"
    assert connection.connection is None  # dropped, so the next request starts afresh

    response = logged_in.get(PAGE)
    assert response.status_code == 200
    assert connection.connection.info.backend_pid != pid


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_connection_dropped_between_requests_is_replaced_unseen(logged_in):
    pid = connection.connection.info.backend_pid
    _terminate(pid)
    close_old_connections()  # what request_started does in production; CONN_HEALTH_CHECKS then reconnects

    response = logged_in.get(PAGE)
    assert response.status_code == 200
    assert connection.connection.info.backend_pid != pid
