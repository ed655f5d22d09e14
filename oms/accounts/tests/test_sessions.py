"""S-3: an administrator sees who is signed in and can end a login."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from oms.accounts.models import UserSession
from oms.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def _login(username: str) -> Client:
    browser = Client(HTTP_USER_AGENT="TestBrowser/1.0")
    response = browser.post(reverse("accounts:login"), {"username": username, "password": "Correct-horse-42"})
    assert response.status_code == 302
    return browser


def test_a_login_is_recorded(sales_staff: Any) -> None:
    browser = _login("sales1")
    recorded = UserSession.objects.get()
    assert (recorded.user, recorded.session_key, recorded.client, recorded.user_agent) == (
        sales_staff,
        browser.session.session_key,
        "127.0.0.1",
        "TestBrowser/1.0",
    )
    assert recorded.ended_at is None


def test_logout_ends_the_recorded_login(sales_staff: Any) -> None:
    browser = _login("sales1")
    browser.post(reverse("accounts:logout"))
    assert UserSession.objects.get().ended_at is not None


def test_the_administrator_sees_active_sessions(admin_user: Any, sales_staff: Any) -> None:
    _login("sales1")
    admin = _login("admin1")
    body = admin.get(reverse("accounts:sessions")).content.decode()
    assert "TestBrowser/1.0" in body
    assert body.count('data-testid="session-') == 2


def test_ending_a_session_signs_the_user_out(admin_user: Any, sales_staff: Any) -> None:
    victim = _login("sales1")
    admin = _login("admin1")
    target = UserSession.objects.get(user=sales_staff)
    response = admin.post(reverse("accounts:end_session", args=[target.pk]))
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.ended_by == admin_user
    assert victim.get("/work/")["Location"].startswith("/accounts/login/")
    assert AuditEvent.objects.filter(action="session.end", object_id=str(target.pk)).count() == 1


def test_a_non_administrator_cannot_end_a_session(admin_user: Any, sales_staff: Any) -> None:
    _login("admin1")
    other = _login("sales1")
    target = UserSession.objects.get(user=admin_user)
    assert other.post(reverse("accounts:end_session", args=[target.pk])).status_code == 404
    assert other.get(reverse("accounts:sessions")).status_code == 404
    target.refresh_from_db()
    assert target.ended_at is None


def test_the_sessions_page_makes_a_bounded_number_of_queries(
    admin_user: Any, sales_staff: Any, django_assert_max_num_queries: Any
) -> None:
    admin = _login("admin1")
    for _ in range(5):
        _login("sales1")
    with django_assert_max_num_queries(8):
        admin.get(reverse("accounts:sessions"))
