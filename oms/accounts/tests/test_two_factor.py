"""S-3: optional two-factor login (TOTP) for administrators and finance."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from conftest import make_user
from oms.accounts import totp
from oms.accounts.models import DepartmentKind, User, UserSession


def test_rfc_6238_test_vector() -> None:
    # RFC 6238 appendix B: ASCII "12345678901234567890", T = 59 s, SHA-1 -> 94287082.
    secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
    assert totp.code_at(secret, 59, digits=8) == "94287082"


def test_a_code_from_the_next_step_is_accepted_and_one_from_far_away_is_not() -> None:
    secret = totp.new_secret()
    now = 1_800_000_000.0
    assert totp.verify(secret, totp.code_at(secret, now + 30), at=now)
    assert not totp.verify(secret, totp.code_at(secret, now + 120), at=now)


def _enable(client: Client) -> str:
    body = client.get(reverse("accounts:two_factor")).content.decode()
    match = re.search(r'data-testid="totp-secret">([A-Z2-7]+)<', body)
    assert match is not None
    secret = match.group(1)
    response = client.post(reverse("accounts:two_factor"), {"code": totp.code_at(secret, time.time())})
    assert response.status_code == 302
    return secret


@pytest.mark.django_db
def test_finance_turns_two_factor_on_with_a_code(client: Client) -> None:
    user = make_user("fin1", kind=DepartmentKind.FINANCE)
    client.force_login(user)
    secret = _enable(client)
    user.refresh_from_db()
    assert user.totp_secret == secret


@pytest.mark.django_db
def test_a_wrong_code_does_not_turn_it_on(client: Client) -> None:
    user = make_user("fin1", kind=DepartmentKind.FINANCE)
    client.force_login(user)
    client.get(reverse("accounts:two_factor"))
    response = client.post(reverse("accounts:two_factor"), {"code": "000000"})
    assert response.status_code == 400
    user.refresh_from_db()
    assert user.totp_secret == ""


@pytest.mark.django_db
def test_sales_staff_are_not_offered_two_factor(client: Client) -> None:
    client.force_login(make_user("s1", kind=DepartmentKind.SALES))
    assert client.get(reverse("accounts:two_factor")).status_code == 404


@pytest.mark.django_db
def test_the_password_alone_does_not_sign_in_once_it_is_on(client: Client, admin_user: Any) -> None:
    client.force_login(admin_user)
    _enable(client)
    browser = Client()
    response = browser.post(reverse("accounts:login"), {"username": "admin1", "password": "Correct-horse-42"})
    assert response.status_code == 200
    assert "六位动态验证码" in response.content.decode()
    assert "_auth_user_id" not in browser.session
    assert UserSession.objects.count() == 0


@pytest.mark.django_db
def test_password_and_code_sign_in(client: Client, admin_user: Any) -> None:
    client.force_login(admin_user)
    secret = _enable(client)
    browser = Client()
    response = browser.post(
        reverse("accounts:login"),
        {"username": "admin1", "password": "Correct-horse-42", "code": totp.code_at(secret, time.time())},
    )
    assert response.status_code == 302
    assert browser.session["_auth_user_id"] == str(admin_user.pk)


@pytest.mark.django_db
def test_turning_it_off_needs_a_current_code(client: Client, admin_user: Any) -> None:
    client.force_login(admin_user)
    secret = _enable(client)
    assert client.post(reverse("accounts:two_factor"), {"code": "000000"}).status_code == 400
    assert User.objects.get(pk=admin_user.pk).totp_secret == secret
    client.post(reverse("accounts:two_factor"), {"code": totp.code_at(secret, time.time())})
    assert User.objects.get(pk=admin_user.pk).totp_secret == ""
