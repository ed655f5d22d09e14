"""Integrations: API tokens per integration with scopes, issued and revoked by the administrator."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

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


def test_last_used_is_written_at_most_once_a_minute(admin_client) -> None:
    """Issue 21: "last used" (shown to the minute) is written on a token's first use and then
    once a minute at most, not by every request."""
    client = Client()
    erp = make_user("erp", kind="sales")
    key = admin_client.post(
        "/accounts/api-tokens/", {"name": "ERP", "user": erp.pk, "scopes": ["read"]}
    ).context["key"]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    start = timezone.now()
    seen = []
    for offset in (0, 30, 61):
        with time_machine.travel(start + timedelta(seconds=offset), tick=False):
            assert client.get("/api/customers/", **auth).status_code == 200
        seen.append(ApiToken.objects.get().last_used_at)
    assert seen == [start, start, start + timedelta(seconds=61)]


def test_a_token_needs_a_name_and_a_scope(admin_client) -> None:
    erp = make_user("erp", kind="sales")
    page = admin_client.post("/accounts/api-tokens/", {"name": "", "user": erp.pk})
    assert page.status_code == 400 and ApiToken.objects.count() == 0


def test_only_the_administrator_manages_tokens(client) -> None:
    client.force_login(make_user("s1", kind="sales"))
    assert client.get("/accounts/api-tokens/").status_code == 404
