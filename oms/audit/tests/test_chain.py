"""S-2: the audit log is append-only and hash-chained; tampering is detected."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from oms.audit import recorder, triggers
from oms.audit.models import GENESIS_HASH, AppendOnlyError, AuditEvent
from oms.audit.verify import verify_chain

pytestmark = pytest.mark.django_db


def _three_events() -> list[AuditEvent]:
    return [
        recorder.record(
            actor="system", obj=None, action=f"test.{i}", after={"n": i}, object_type="t", object_id=str(i)
        )
        for i in range(3)
    ]


def test_events_link_to_their_predecessor() -> None:
    first, second, third = _three_events()
    assert first.prev_hash == GENESIS_HASH
    assert (second.prev_hash, third.prev_hash) == (first.hash, second.hash)


def test_verification_passes_on_an_untouched_chain() -> None:
    _three_events()
    report = verify_chain()
    assert (report.ok, report.checked) == (True, 3)


def test_orm_refuses_update_and_delete() -> None:
    event = _three_events()[0]
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()


def test_database_refuses_raw_update() -> None:
    event = _three_events()[0]
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET reason = 'x' WHERE id = %s", [event.id])
    assert AuditEvent.objects.get(pk=event.pk).reason == ""


def test_database_refuses_raw_delete() -> None:
    event = _three_events()[0]
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [event.id])
    assert AuditEvent.objects.count() == 3


def test_tampering_with_triggers_dropped_is_found_at_the_changed_row() -> None:
    _, second, _ = _three_events()
    triggers.drop(connection)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET after = %s WHERE id = %s", ['{"n": 99}', second.id])
    triggers.install(connection)
    report = verify_chain()
    assert (report.ok, report.broken_at, report.checked) == (False, second.id, 1)


def test_deleting_a_row_breaks_the_link_of_the_next() -> None:
    _, second, third = _three_events()
    triggers.drop(connection)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [second.id])
    triggers.install(connection)
    assert verify_chain().broken_at == third.id


def test_command_reports_success_and_failure() -> None:
    _, second, _ = _three_events()
    out = StringIO()
    call_command("verify_audit_chain", stdout=out)
    assert "3 events verified" in out.getvalue()
    triggers.drop(connection)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET reason = 'forged' WHERE id = %s", [second.id])
    triggers.install(connection)
    with pytest.raises(CommandError, match=f"broken at event {second.id}"):
        call_command("verify_audit_chain")
