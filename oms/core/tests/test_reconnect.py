"""After a PostgreSQL restart a worker's kept connection is dead; the next request must still be
served (issue 20 point 10): the connection is health-checked and reopened, never a 500."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test import RequestFactory

from oms.accounts.actions import issue_api_token
from oms.accounts.models import User

pytestmark = [
    pytest.mark.postgres,
    # Committed data and a real connection lifecycle: the test kills the connection itself.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="terminating a server backend needs PostgreSQL; SQLite has no server connection to lose",
    ),
]


def _serve(handler: WSGIHandler, path: str, token: str) -> int:
    """One request as a WSGI server (gunicorn) runs it: request_started and request_finished fire
    and close_old_connections runs — the test client skips both, so it cannot show this."""
    environ = RequestFactory().get(path, HTTP_AUTHORIZATION=f"Bearer {token}").environ
    statuses: list[str] = []

    def start_response(status: str, headers: Iterable[Any], exc_info: Any = None) -> None:
        statuses.append(status)

    response = handler(environ, start_response)
    b"".join(response)
    response.close()  # what the server does after sending: fires request_finished
    return int(statuses[0].split()[0])


def test_a_request_after_the_backend_was_terminated_is_served(admin_user: User) -> None:
    """A kept connection terminated between two requests (what a database restart does to every
    worker) is noticed and replaced: the second request answers 200, not 500."""
    import psycopg

    token = issue_api_token(actor=admin_user, user=admin_user, name="probe")
    handler = WSGIHandler()
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True
    assert _serve(handler, "/api/orders/", token) == 200
    assert connection.connection is not None  # kept for the next request (CONN_MAX_AGE)
    pid = connection.connection.info.backend_pid
    db = connection.settings_dict
    with psycopg.connect(
        dbname=db["NAME"],
        user=db["USER"],
        password=db["PASSWORD"],
        host=db["HOST"],
        port=db["PORT"],
        autocommit=True,
    ) as other:
        assert other.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone() == (True,)
    assert _serve(handler, "/api/orders/", token) == 200
    assert connection.connection.info.backend_pid != pid
