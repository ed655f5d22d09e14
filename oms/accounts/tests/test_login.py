"""S-3: login throttling, password validation, language switch, security headers."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse

from conftest import make_user
from oms.accounts import actions
from oms.core.errors import FieldErrors

pytestmark = pytest.mark.django_db


def test_login_succeeds_with_the_right_password(client) -> None:
    make_user("u1")
    response = client.post(reverse("accounts:login"), {"username": "u1", "password": "Correct-horse-42"})
    assert response.status_code == 302


@override_settings(LOGIN_THROTTLE_ATTEMPTS=3)
def test_repeated_failures_block_further_attempts(client) -> None:
    make_user("u1")
    for _ in range(3):
        client.post(reverse("accounts:login"), {"username": "u1", "password": "wrong"})
    response = client.post(reverse("accounts:login"), {"username": "u1", "password": "Correct-horse-42"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_weak_password_is_refused(admin_user) -> None:
    user = make_user("u2")
    with pytest.raises(FieldErrors) as info:
        actions.set_password(actor=admin_user, user=user, password="123")
    assert list(info.value.errors) == ["password"]
    user.refresh_from_db()
    assert user.check_password("Correct-horse-42")


def test_pages_need_login(client) -> None:
    response = client.get(reverse("customers:customer_list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_language_switch_to_english(admin_client) -> None:
    admin_client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = admin_client.get(reverse("core:home"))
    assert b"Customers" in response.content
    assert "客户".encode() not in response.content


def test_security_headers(client) -> None:
    response = client.get(reverse("accounts:login"))
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert (response["X-Frame-Options"], response["X-Content-Type-Options"]) == ("DENY", "nosniff")


def test_a_long_password_of_one_kind_is_refused(admin_user) -> None:
    user = make_user("u3")
    with pytest.raises(FieldErrors) as info:
        actions.set_password(actor=admin_user, user=user, password="zqxwvtrplmnb")
    assert info.value.errors["password"] == ["密码须包含小写字母、大写字母、数字和符号中的至少 3 类。"]
    user.refresh_from_db()
    assert user.check_password("Correct-horse-42")


def test_a_password_of_three_kinds_is_accepted(admin_user) -> None:
    user = make_user("u4")
    actions.set_password(actor=admin_user, user=user, password="zqxwvtrp-42")
    user.refresh_from_db()
    assert user.check_password("zqxwvtrp-42")
