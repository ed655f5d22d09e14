"""Shared fixtures: the demo-like organisation, users by department and role, clients."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

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


def refused_form(response: Any, *typed: str, status: int = 400) -> str:
    """The refused action's form page again (P-1: `status` 422 for bad input and 400 for a refused
    action through `oms.web.verbs`), showing every value the user typed; the page, for the test's
    own further checks. Shared by the apps' `tests/test_forms.py`."""
    page = response.content.decode()
    assert response.status_code == status, response.status_code
    assert 'data-testid="action-form"' in page
    for value in typed:
        assert value in page, value
    return page


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


@pytest.fixture(autouse=True)
def _own_audit_anchor_file(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    """S-2: every test writes and reads its own audit anchor file; anchors of another test's chain
    would make verification fail (the test databases start empty every time)."""
    global _ANCHOR_DIR
    if _ANCHOR_DIR is None:
        _ANCHOR_DIR = tmp_path_factory.mktemp("anchors")
    _ANCHOR_COUNT[0] += 1
    settings.AUDIT_ANCHOR_FILE = _ANCHOR_DIR / f"anchors-{_ANCHOR_COUNT[0]}.jsonl"


# The suite's business dates (order dates, delivery in January 2027, the 2027 calendar the
# fixtures add) are fixed, while the checks judge them against today: the lead-time guard (B-6)
# counts working days from today to the delivery date. Against the real clock the suite would start
# failing once today came within a product's lead time of those dates, so every test runs on a
# pinned clock that starts at a working Friday morning and ticks from there. Tests that drive other
# processes (which keep the real clock) opt out with the `real_clock` marker.
PINNED_START = datetime(2026, 12, 4, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def _pinned_clock(request: pytest.FixtureRequest) -> Iterator[None]:
    if request.node.get_closest_marker("real_clock") is not None:
        yield
        return
    with time_machine.travel(PINNED_START, tick=True):
        yield


@pytest.fixture(autouse=True)
def _system_language() -> Iterator[None]:
    """Every test starts and ends in the system's language: a request in English (a language
    cookie) leaves English active in the thread, and the next test's messages would read in it."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


_ANCHOR_DIR: Any = None
_ANCHOR_COUNT = [0]

# Append-only tables (S-2, M-3): their triggers refuse the flush that ends a transactional test.
APPEND_ONLY_TABLES = [
    ("audit_auditevent", "audit", "audit events are append-only"),
    ("archive_accesslog", "accesslog", "the access log is append-only"),
]


@pytest.fixture(scope="session", autouse=True)
def _flush_past_append_only_triggers() -> Any:
    """A transactional test ends by emptying every table (TRUNCATE on PostgreSQL), which the
    append-only triggers refuse by design: lift them for that flush only, in its transaction."""
    from django.db.backends.base.operations import BaseDatabaseOperations

    from oms.audit import triggers

    original = BaseDatabaseOperations.execute_sql_flush

    def flush(self: Any, sql_list: Iterable[str]) -> None:
        from django.db import transaction

        with transaction.atomic(using=self.connection.alias):
            for table, prefix, _message in APPEND_ONLY_TABLES:
                triggers.drop(self.connection, table=table, prefix=prefix)
            original(self, sql_list)
            for table, prefix, message in APPEND_ONLY_TABLES:
                triggers.install(self.connection, table=table, prefix=prefix, message=message)

    BaseDatabaseOperations.execute_sql_flush = flush  # type: ignore[method-assign]
    yield
    BaseDatabaseOperations.execute_sql_flush = original  # type: ignore[method-assign]
