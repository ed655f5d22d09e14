"""Issue 21: an action's events held in `recorder.batch()` and appended with one INSERT at its
end, inside its transaction; a refused action or a rolled-back savepoint leaves none of its
events, and the chain verifies."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from oms.audit import recorder
from oms.audit.models import AuditEvent
from oms.audit.verify import verify_chain

pytestmark = pytest.mark.django_db


def _event(i: int) -> AuditEvent:
    return recorder.record(actor="system", obj=None, action=f"t.{i}", object_type="t", object_id=str(i))


def _inserts(ctx: CaptureQueriesContext) -> int:
    return sum(q["sql"].startswith('INSERT INTO "audit_auditevent"') for q in ctx.captured_queries)


def test_a_batch_appends_its_events_with_one_insert_in_order() -> None:
    _event(0)
    with CaptureQueriesContext(connection) as ctx, transaction.atomic(), recorder.batch():
        for i in range(1, 4):
            _event(i)
        assert AuditEvent.objects.count() == 1  # held until the batch ends
    assert _inserts(ctx) == 1
    assert list(AuditEvent.objects.order_by("id").values_list("action", "seq")) == [
        ("t.0", 1),
        ("t.1", 2),
        ("t.2", 3),
        ("t.3", 4),
    ]
    report = verify_chain()
    assert (report.ok, report.checked) == (True, 4)


def test_an_action_that_raises_leaves_no_event() -> None:
    @transaction.atomic
    @recorder.batched
    def refused() -> None:
        _event(1)
        raise RuntimeError("refused")

    with pytest.raises(RuntimeError):
        refused()
    assert AuditEvent.objects.count() == 0
    assert getattr(connection, "_oms_audit_batch", None) is None


def test_events_of_a_rolled_back_savepoint_are_dropped() -> None:
    with transaction.atomic(), recorder.batch():
        _event(1)
        try:
            with transaction.atomic():
                _event(2)
                raise RuntimeError("refused")
        except RuntimeError:
            pass
        with transaction.atomic():
            _event(3)
    assert list(AuditEvent.objects.order_by("id").values_list("action", "seq")) == [("t.1", 1), ("t.3", 2)]
    assert verify_chain().ok


def test_nested_batches_flush_once_at_the_outermost() -> None:
    with transaction.atomic(), recorder.batch():
        _event(1)
        with recorder.batch():
            _event(2)
        assert AuditEvent.objects.count() == 0
    assert AuditEvent.objects.count() == 2
    assert verify_chain().ok


def test_a_batch_follows_events_written_before_it_in_the_transaction() -> None:
    with transaction.atomic():
        _event(1)
        with recorder.batch():
            _event(2)
        _event(3)
    assert list(AuditEvent.objects.order_by("id").values_list("seq", flat=True)) == [1, 2, 3]
    assert verify_chain().ok
