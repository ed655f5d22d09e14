"""Shared fixtures: the demo-like organisation, users by department and role, clients."""

from __future__ import annotations

import os
from typing import Any

import pytest

from oms.accounts.models import Department, DepartmentKind, Role, User

pytest_plugins = ["oms.intake.tests.fixtures", "oms.notifications.tests.fixtures"]

# Playwright's sync API runs an event loop; Django refuses ORM calls from such threads unless told.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def make_department(kind: str, parent: Department | None = None) -> Department:
    dept, _ = Department.objects.get_or_create(
        code=kind, defaults={"name": str(DepartmentKind(kind).label), "kind": kind, "parent": parent}
    )
    return dept


def make_user(username: str, *, kind: str = "sales", role: str = Role.STAFF, **extra: Any) -> User:
    top = make_department(DepartmentKind.MANAGEMENT)
    dept = make_department(kind, parent=top if kind != DepartmentKind.MANAGEMENT else None)
    user = User.objects.create(
        **{"username": username, "department": dept, "role": role, "last_name": username, **extra}
    )
    user.set_password("Correct-horse-42")
    user.save()
    return user


@pytest.fixture
def admin_user(db: Any) -> User:
    return make_user("admin1", kind=DepartmentKind.ADMINISTRATION, role=Role.ADMIN)


@pytest.fixture
def sales_staff(db: Any) -> User:
    return make_user("sales1", kind=DepartmentKind.SALES, role=Role.STAFF)


@pytest.fixture
def production_staff(db: Any) -> User:
    return make_user("prod1", kind=DepartmentKind.PRODUCTION, role=Role.STAFF)


@pytest.fixture
def auditor(db: Any) -> User:
    return make_user("audit1", kind=DepartmentKind.SUPERVISION, role=Role.AUDITOR)


@pytest.fixture
def admin_client(client: Any, admin_user: User) -> Any:
    client.force_login(admin_user)
    return client
