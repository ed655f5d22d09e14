"""Integrations: API tokens per integration with scopes, issued and revoked by the administrator."""

from __future__ import annotations

import pytest
from django.test import Client

from conftest import make_user
from oms.accounts.models import ApiToken

pytestmark = pytest.mark.django_db


def test_a_read_only_token_reads_but_cannot_write(admin_client) -> None:
    client = Client()  # the integration: no session, only the token
    erp = make_user("erp", kind="sales")
    page = admin_client.post(
        "/accounts/api-tokens/", {"name": "ERP 同步", "user": erp.pk, "scopes": ["read"]}
    )
    assert page.status_code == 200 and 'data-testid="new-key"' in page.content.decode()
    key = page.context["key"]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    assert client.get("/api/customers/", **auth).status_code == 200
    refused = client.post("/api/customers/", data={}, content_type="application/json", **auth)
    assert refused.status_code == 403 and "write" in refused.content.decode()
    assert ApiToken.objects.get().scopes == ["read"]


def test_a_revoked_token_stops_at_once(admin_client) -> None:
    client = Client()
    erp = make_user("erp", kind="sales")
    key = admin_client.post(
        "/accounts/api-tokens/", {"name": "ERP", "user": erp.pk, "scopes": ["read", "write"]}
    ).context["key"]
    token = ApiToken.objects.get()
    admin_client.post("/accounts/api-tokens/", {"revoke": token.pk})
    assert client.get("/api/customers/", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


def test_a_token_needs_a_name_and_a_scope(admin_client) -> None:
    erp = make_user("erp", kind="sales")
    page = admin_client.post("/accounts/api-tokens/", {"name": "", "user": erp.pk})
    assert page.status_code == 400 and ApiToken.objects.count() == 0


def test_only_the_administrator_manages_tokens(client) -> None:
    client.force_login(make_user("s1", kind="sales"))
    assert client.get("/accounts/api-tokens/").status_code == 404
