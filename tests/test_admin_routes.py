"""S-1: the administration column of the permission matrix. Organisation, users, sessions, policy
editing, the contract template and the audit log refuse ordinary staff of every department;
the list comes from the URL configuration, so a new route under these prefixes is covered."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import make_user
from oms.accounts.models import DepartmentKind
from tests.test_anonymous_access import ROUTES, _sample

ADMIN_PREFIXES = ("accounts/departments/", "accounts/users/", "accounts/sessions/", "audit/")
ADMIN_ROUTES = [
    r
    for r in ROUTES
    if r.startswith(ADMIN_PREFIXES)
    or r
    in {
        "policy/edit/",
        "policy/import/",
        "policy/calendar/seed/",
        "policy/calendar/day/",
        "contracts/template/",
    }
]
STAFF_KINDS = [
    DepartmentKind.SALES,
    DepartmentKind.PRODUCTION,
    DepartmentKind.FINANCE,
    DepartmentKind.WAREHOUSE,
    DepartmentKind.LOGISTICS,
]


def test_the_column_covers_the_administration_routes() -> None:
    assert len(ADMIN_ROUTES) >= 14


@pytest.mark.django_db
@pytest.mark.parametrize("kind", STAFF_KINDS)
def test_staff_are_refused_every_administration_route(client: Any, kind: str) -> None:
    client.force_login(make_user(f"staff-{kind}", kind=kind))
    allowed = []
    for route in ADMIN_ROUTES:
        for method in (client.get, client.post):
            response = method(_sample(route))
            # A list page may answer, but with no rows: its selector shows staff nothing.
            empty_list = response.status_code == 200 and "没有符合条件的记录" in response.content.decode()
            if response.status_code not in {403, 404, 405} and not empty_list:
                allowed.append((route, method.__name__, response.status_code))
    assert allowed == []
