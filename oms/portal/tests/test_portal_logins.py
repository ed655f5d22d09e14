"""The customer portal (B-8): the administrator opens and stops portal logins; the customer
changes their password."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from oms.customers import actions as customers
from oms.customers.models import Contact, PortalAccount

pytestmark = pytest.mark.django_db


# --- opening and stopping portal logins (B-8) -------------------------------------------------


def test_the_administrator_opens_a_login_shown_once(client: Client, world: dict[str, Any]) -> None:
    contact = Contact.objects.filter(customer__code="C0002").first()
    assert contact is not None
    admin_client = client
    admin_client.force_login(world["admin"])
    response = admin_client.post(f"/master/contacts/{contact.pk}/portal/", {"username": "tianfu"})
    assert response.status_code == 200
    account = PortalAccount.objects.get(contact=contact)
    password = response.context["password"]
    assert f"<code>{password}</code>" in response.content.decode()
    user = account.user
    assert (user.username, user.is_customer, user.check_password(password)) == ("tianfu", True, True)
    assert admin_client.get(f"/master/contacts/{contact.pk}/portal/").context["password"] == ""


def test_a_taken_login_name_is_refused(world: dict[str, Any]) -> None:
    from oms.core.errors import FieldErrors

    contact = Contact.objects.filter(customer__code="C0002").first()
    assert contact is not None
    with pytest.raises(FieldErrors) as refused:
        customers.grant_portal_access(actor=world["admin"], contact=contact, username="sales_staff")
    assert refused.value.errors == {"username": ["登录名已被使用。"]}
    assert not PortalAccount.objects.filter(contact=contact).exists()


def test_only_the_administrator_opens_logins(world: dict[str, Any]) -> None:
    from oms.core.errors import NotAllowed

    contact = Contact.objects.filter(customer__code="C0002").first()
    assert contact is not None
    with pytest.raises(NotAllowed):
        customers.grant_portal_access(actor=world["sales"], contact=contact, username="tianfu")


def test_a_revoked_login_stops_at_once(client: Client, world: dict[str, Any]) -> None:
    account = PortalAccount.objects.get(user=world["user"])
    client.force_login(world["user"])
    customers.revoke_portal_access(actor=world["admin"], account=account, version=account.version)
    assert client.get("/portal/").status_code == 302  # back to the login page
    account.refresh_from_db()
    assert (account.active, account.user.is_active) == (False, False)


def test_the_customer_changes_their_password(portal: Client, world: dict[str, Any]) -> None:
    refused = portal.post("/portal/password/", {"old_password": "wrong", "new_password": "Abcdef-12345"})
    assert refused.status_code == 422
    assert "原密码不正确。" in refused.content.decode()
    ok = portal.post("/portal/password/", {"old_password": "Demo@2026oms", "new_password": "Abcdef-12345x"})
    assert ok.status_code == 302
    world["user"].refresh_from_db()
    assert world["user"].check_password("Abcdef-12345x")


def test_a_refused_login_name_keeps_what_was_typed(client: Client, world: dict[str, Any]) -> None:
    """Issue 22: the login form is parsed by its form; a refused name is shown again, nothing saved."""
    contact = Contact.objects.filter(customer__code="C0002").first()
    assert contact is not None
    client.force_login(world["admin"])
    response = client.post(f"/master/contacts/{contact.pk}/portal/", {"username": "tian fu!"})
    assert response.status_code == 422
    body = response.content.decode()
    assert 'value="tian fu!"' in body and "登录名只能包含字母、数字和 @ . + - _。" in body
    assert not PortalAccount.objects.filter(contact=contact).exists()
