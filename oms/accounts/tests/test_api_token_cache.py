"""Issue 21: each process keeps the API tokens it authenticated (oms.accounts.selectors.api_token)
while no token, user or department changed: a revocation, a deactivation or a move is still seen
by the very next request, whichever process or path wrote it."""

from __future__ import annotations

import hashlib

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from conftest import make_department, make_user
from oms.accounts.actions import issue_api_token, revoke_api_token
from oms.accounts.models import ApiToken, User
from oms.accounts.selectors import api_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def erp() -> tuple[User, dict[str, str]]:
    user = make_user("erp", kind="sales")
    key = issue_api_token(
        actor=make_user("admin", kind="management", is_superuser=True), user=user, name="ERP"
    )
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    # The first use writes "last used" (a write of the token); the second keeps the token.
    assert [Client().get("/api/customers/", **auth).status_code for _ in range(2)] == [200, 200]
    return user, auth


def _token_reads(auth: dict[str, str]) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        status = Client().get("/api/customers/", **auth).status_code
    return status, [q["sql"] for q in ctx.captured_queries if "accounts_apitoken" in q["sql"]]


def test_a_kept_token_is_not_read_again(erp: tuple[User, dict[str, str]]) -> None:
    assert _token_reads(erp[1]) == (200, [])


def test_a_revocation_stops_a_kept_token_at_once(erp: tuple[User, dict[str, str]]) -> None:
    revoke_api_token(
        actor=make_user("admin2", kind="management", is_superuser=True), token=ApiToken.objects.get()
    )
    assert Client().get("/api/customers/", **erp[1]).status_code == 401


def test_a_revocation_written_by_another_program_stops_a_kept_token(erp: tuple[User, dict[str, str]]) -> None:
    # Raw SQL, as another process or a database console would write it: no signal in this one.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE accounts_apitoken SET revoked = %s", [True])
    assert Client().get("/api/customers/", **erp[1]).status_code == 401


def test_a_deactivated_user_stops_a_kept_token(erp: tuple[User, dict[str, str]]) -> None:
    User.objects.filter(pk=erp[0].pk).update(is_active=False)
    assert Client().get("/api/customers/", **erp[1]).status_code == 401


def test_a_narrowed_scope_applies_to_a_kept_token(erp: tuple[User, dict[str, str]]) -> None:
    ApiToken.objects.update(scopes=[])
    assert Client().get("/api/customers/", **erp[1]).status_code == 403


def _digest(auth: dict[str, str]) -> str:
    return hashlib.sha256(auth["HTTP_AUTHORIZATION"].split()[1].encode()).hexdigest()


def test_a_moved_user_is_seen_with_the_new_department(erp: tuple[User, dict[str, str]]) -> None:
    User.objects.filter(pk=erp[0].pk).update(department=make_department("finance"))
    row = api_token(_digest(erp[1]), customers=False)
    assert row is not None and row.user.department_kind == "finance"


def test_each_request_gets_its_own_user(erp: tuple[User, dict[str, str]]) -> None:
    """What one request sets on its user (a permission cache, a field) never reaches the next."""
    first = api_token(_digest(erp[1]), customers=False)
    assert first is not None and first.user.department is not None
    name = first.user.department.name
    first.user._perm_cache = {"leaked"}  # type: ignore[attr-defined]
    first.user.department.name = "changed in memory"
    second = api_token(_digest(erp[1]), customers=False)
    assert second is not None and second.user.department is not None
    assert (hasattr(second.user, "_perm_cache"), second.user.department.name) == (False, name)
