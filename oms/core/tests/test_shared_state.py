"""Issue 24.4: with several app servers on one database, the login throttle (S-3) and idempotency
keys (DESIGN 6) hold across processes: their state is in the database, never in a per-process
cache or memory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from conftest import make_user
from oms.accounts.actions import issue_api_token
from oms.customers.models import Customer
from oms.customers.tests.factories import RegionFactory
from oms.customers.tests.test_api import _payload

ROOT = Path(__file__).resolve().parents[3]
PASSWORD = "Correct-horse-42"
NO_CACHE = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


def _login(client: Client, username: str, password: str) -> int:
    return client.post(reverse("accounts:login"), {"username": username, "password": password}).status_code


@pytest.mark.django_db
def test_the_login_throttle_needs_no_cache_and_no_shared_client(settings: Any) -> None:
    """A cache that keeps nothing, and each attempt from a new client (another server's view):
    the lock still holds, because the failures are rows in the database."""
    settings.CACHES = NO_CACHE
    settings.LOGIN_THROTTLE_ATTEMPTS = 2
    make_user("alice")
    assert [_login(Client(), "alice", "wrong") for _ in range(2)] == [200, 200]
    assert _login(Client(), "alice", PASSWORD) == 429


@pytest.mark.django_db
def test_an_idempotency_key_needs_no_cache_and_no_shared_client(settings: Any, admin_user: Any) -> None:
    settings.CACHES = NO_CACHE
    token = issue_api_token(actor=admin_user, user=admin_user, name="erp")
    region = RegionFactory()
    answers = [
        Client().post(
            "/api/customers/",
            _payload(region.pk),
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY="k-1",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        for _ in range(2)
    ]
    assert [a.status_code for a in answers] == [201, 201]
    assert answers[0].json() == answers[1].json()
    assert Customer.objects.count() == 1


# Another server process: same database, same key files, its own memory and cache.
OTHER_SERVER = textwrap.dedent(
    """
    import json, os, sys
    import django
    django.setup()
    from django.test import Client
    from django.urls import reverse

    statuses = [
        Client().post(reverse("accounts:login"), {"username": "alice", "password": "wrong"}).status_code
        for _ in range(2)
    ]
    created = Client().post(
        "/api/customers/", os.environ["PAYLOAD"], content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k-1", HTTP_AUTHORIZATION="Bearer " + os.environ["TOKEN"],
    )
    print(json.dumps({"logins": statuses, "status": created.status_code, "body": created.json()}))
    """
)


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the SQLite test database is in this process's memory; another process cannot open it",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_another_server_process_shares_the_throttle_and_the_idempotency_keys(
    settings: Any, admin_user: Any
) -> None:
    settings.LOGIN_THROTTLE_ATTEMPTS = 2
    make_user("alice")
    token = issue_api_token(actor=admin_user, user=admin_user, name="erp")
    payload = _payload(RegionFactory().pk)
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "OMS_DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "OMS_LOGIN_THROTTLE_ATTEMPTS": "2",
        "OMS_AUDIT_KEY_FILE": str(django_settings.AUDIT_KEY_FILE),
        "OMS_SECRETS_KEY_FILE": str(django_settings.SECRETS_KEY_FILE),
        "OMS_AUDIT_ANCHOR_FILE": str(django_settings.AUDIT_ANCHOR_FILE),
        "TOKEN": token,
        "PAYLOAD": payload,
    }
    run = subprocess.run(
        [sys.executable, "-c", OTHER_SERVER], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr[-2000:]
    other = json.loads(run.stdout.strip().splitlines()[-1])
    assert (other["logins"], other["status"]) == ([200, 200], 201)

    # This process never saw those requests: the lock and the key come from the database.
    assert _login(Client(), "alice", PASSWORD) == 429
    again = Client().post(
        "/api/customers/",
        payload,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k-1",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert (again.status_code, again.json(), Customer.objects.count()) == (201, other["body"], 1)


def _redis_up() -> bool:
    import socket

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


REDIS = pytest.param(
    "redis",
    marks=pytest.mark.skipif(not _redis_up(), reason="no Redis server at 127.0.0.1:6379"),
)


@pytest.mark.django_db
@pytest.mark.parametrize("cache", ["locmem", REDIS])
def test_an_ended_session_is_refused_also_when_a_shared_cache_holds_it(
    cache: str, settings: Any, admin_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """S-3 with `cached_db` sessions (a Redis cache configured): ending a login removes the cached
    copy too, so no server keeps honouring it from the cache."""
    import uuid

    from config import scaleout
    from oms.accounts.actions import end_session, record_login

    if cache == "redis":
        settings.CACHES = scaleout.caches(
            {"OMS_REDIS_URL": "redis://127.0.0.1:6379/15", "OMS_CACHE_PREFIX": f"test-{uuid.uuid4().hex}"}
        )
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"  # what a Redis cache selects
    user = make_user("alice")
    client = Client()
    client.force_login(user)
    assert client.get(reverse("core:home")).status_code == 200
    session = record_login(
        user=user, session_key=client.session.session_key, client="10.0.0.9", user_agent=""
    )
    with django_capture_on_commit_callbacks(execute=True):
        end_session(actor=admin_user, target=session)
    response = client.get(reverse("core:home"))
    assert (response.status_code, response["Location"].split("?")[0]) == (302, reverse("accounts:login"))
