"""The logged-in user read in one statement with their department, the policy in force and the
unread count (issue 21, `oms.web.auth.UserBackend`), and the sessions opened before it."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import make_user
from oms.notifications.models import Notification

pytestmark = pytest.mark.django_db


def _statements_on(table: str, ctx: CaptureQueriesContext) -> int:
    """Statements reading rows of `table` (not a subquery in another's, nor a count)."""
    return sum(q["sql"].startswith(f'SELECT "{table}".') for q in ctx.captured_queries)


def test_a_page_reads_the_user_department_and_policy_in_one_statement(client: Any) -> None:
    user = make_user("reader", kind="sales")
    client.force_login(user)
    client.get("/orders/")  # the policy's document is parsed once per process
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/orders/")
    assert response.status_code == 200
    assert _statements_on("accounts_user", ctx) == 1
    assert _statements_on("accounts_department", ctx) == 0
    assert _statements_on("policy_policyversion", ctx) == 0
    others = [q["sql"] for q in ctx.captured_queries if not q["sql"].startswith('SELECT "accounts_user".')]
    assert not any('"notifications_notification"' in sql for sql in others)


def test_the_top_bar_counts_the_unread_messages_read_with_the_user(client: Any) -> None:
    user = make_user("reader", kind="sales")
    other = make_user("other", kind="sales")
    for title in ("a", "b", "c"):
        Notification.objects.create(recipient=user, title=title)
    Notification.objects.create(recipient=other, title="not mine")
    read = Notification.objects.create(recipient=user, title="read")
    Notification.objects.filter(pk=read.pk).update(read_at="2026-01-01T00:00:00Z")
    client.force_login(user)
    response = client.get("/orders/")
    assert response.context["unread_count"] == 3


def test_no_unread_messages_count_zero(client: Any) -> None:
    client.force_login(make_user("reader", kind="sales"))
    response = client.get("/orders/")
    assert response.context["unread_count"] == 0


def test_a_session_opened_before_the_backend_still_reads_its_user(client: Any) -> None:
    user = make_user("reader", kind="sales")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    assert client.session[BACKEND_SESSION_KEY] == "django.contrib.auth.backends.ModelBackend"
    response = client.get("/orders/")
    assert response.status_code == 200
    assert response.context["user"].pk == user.pk


def test_a_login_is_kept_under_the_new_backend(client: Any) -> None:
    user = make_user("reader", kind="sales")
    user.set_password("a long enough password")
    user.save(update_fields=["password"])
    assert client.login(username="reader", password="a long enough password")
    assert client.session[BACKEND_SESSION_KEY] == "oms.web.auth.UserBackend"


def test_a_wrong_password_is_refused(client: Any) -> None:
    user = make_user("reader", kind="sales")
    user.set_password("a long enough password")
    user.save(update_fields=["password"])
    assert not client.login(username="reader", password="wrong")
    assert BACKEND_SESSION_KEY not in client.session


def test_an_inactive_user_is_not_read(client: Any) -> None:
    user = make_user("reader", kind="sales")
    client.force_login(user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    response = client.get("/orders/")
    assert response.status_code == 302
