"""M-3, issue 20.11: the access log is append-only in the database (both engines) and covered by
the audit chain's verification, which names rows removed, altered or slipped in."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from oms.archive import actions, integrity
from oms.archive.models import AccessLog
from oms.archive.tests.test_archive import _cancelled, people  # noqa: F401 - fixture
from oms.audit import triggers
from oms.audit.verify import verify_chain

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def logged(people: dict[str, Any]) -> list[AccessLog]:  # noqa: F811
    record = _cancelled(people).archive_record
    return [actions.log_access(user=people["keeper"], record=record, kind="view") for _ in range(3)]


def _as_superuser(sql: str, params: list[Any]) -> None:
    """Triggers off, as a superuser or the table's owner could, then back on."""
    triggers.drop(connection, **integrity.TRIGGERS)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    triggers.install(connection, **integrity.TRIGGERS, message=integrity.MESSAGE)


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE archive_accesslog SET detail = 'x' WHERE id = %s",
        "DELETE FROM archive_accesslog WHERE id = %s",
    ],
)
def test_database_refuses_update_and_delete(logged: list[AccessLog], sql: str) -> None:
    """Issue 20.11: raw UPDATE and DELETE on the access log are refused by the database; nothing changes."""
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [logged[0].pk])
    assert list(AccessLog.objects.order_by("pk").values_list("pk", "detail")) == [(r.pk, "") for r in logged]


def test_database_refuses_delete_of_every_row(logged: list[AccessLog]) -> None:
    """Issue 20.11: `DELETE FROM` without WHERE (SQLite's truncate) is refused."""
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM archive_accesslog")
    assert AccessLog.objects.count() == 3


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="TRUNCATE exists only on PostgreSQL; CI runs this there"
)
def test_truncate_is_refused_on_postgresql(logged: list[AccessLog]) -> None:
    """Issue 20.11: TRUNCATE of the access log is refused (PostgreSQL)."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's own pending FK checks
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("TRUNCATE archive_accesslog")
    assert AccessLog.objects.count() == 3


def test_every_access_is_an_audit_event_and_verifies(logged: list[AccessLog]) -> None:
    """Issue 20.11: each row has its audit event; the verification reports the access log intact."""
    report = verify_chain()
    assert report.ok is True
    assert ("access log", "") in report.extra
    out = StringIO()
    call_command("verify_audit_chain", stdout=out)
    assert "access log: ok" in out.getvalue()


def test_a_removed_row_is_named(logged: list[AccessLog]) -> None:
    """Issue 20.11: a row deleted with the triggers off fails verification, naming it."""
    _as_superuser("DELETE FROM archive_accesslog WHERE id = %s", [logged[1].pk])
    report = verify_chain()
    assert report.ok is False
    assert report.problems == [f"access log: rows {logged[1].pk} removed"]
    with pytest.raises(CommandError, match=f"access log: rows {logged[1].pk} removed"):
        call_command("verify_audit_chain")


def test_an_altered_row_is_named(logged: list[AccessLog]) -> None:
    """Issue 20.11: a row changed with the triggers off fails verification, naming it."""
    _as_superuser("UPDATE archive_accesslog SET kind = 'packet' WHERE id = %s", [logged[0].pk])
    assert verify_chain().problems == [f"access log: rows {logged[0].pk} altered"]


def test_a_row_without_its_event_is_named(logged: list[AccessLog], people: dict[str, Any]) -> None:  # noqa: F811
    """Issue 20.11: a row slipped in past the actions (no audit event) fails verification."""
    forged = AccessLog.objects.create(record=logged[0].record, user=people["keeper"], kind="view")
    assert verify_chain().problems == [f"access log: rows {forged.pk} have no audit event"]


def test_the_verify_button_reports_the_access_log(
    client: Any,
    logged: list[AccessLog],
    people: dict[str, Any],  # noqa: F811
) -> None:
    """Issue 20.11: the verify button names a removed access-log row."""
    _as_superuser("DELETE FROM archive_accesslog WHERE id = %s", [logged[2].pk])
    client.force_login(people["auditor"])
    response = client.post("/audit/verify/", follow=True)
    texts = [str(m) for m in response.context["messages"]]
    assert texts == [f"审计链校验未通过：access log: rows {logged[2].pk} removed"]
