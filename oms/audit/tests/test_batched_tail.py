"""Issue 21: within one transaction the chain's tail is read once; a savepoint rolled back, or an
event saved other than by the recorder, makes the recorder read it again, so the chain verifies."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.utils import timezone

from oms.audit import recorder
from oms.audit.models import AuditEvent
from oms.audit.verify import verify_chain

pytestmark = pytest.mark.django_db


def _event(i: int) -> AuditEvent:
    return recorder.record(actor="system", obj=None, action=f"t.{i}", object_type="t", object_id=str(i))


def test_events_of_one_transaction_link_in_order(django_assert_max_num_queries) -> None:
    with transaction.atomic():
        first = _event(1)
        with django_assert_max_num_queries(1):
            second = _event(2)
    assert (second.prev_hash, second.seq) == (first.hash, first.seq + 1)
    assert verify_chain().ok


def test_a_rolled_back_savepoint_does_not_break_the_chain() -> None:
    with transaction.atomic():
        _event(1)
        try:
            with transaction.atomic():
                _event(2)
                raise RuntimeError("refused")
        except RuntimeError:
            pass
        third = _event(3)
    assert third.seq == 2
    report = verify_chain()
    assert (report.ok, report.checked) == (True, 2)


def test_an_event_saved_directly_is_followed_correctly() -> None:
    with transaction.atomic():
        first = _event(1)
        direct = AuditEvent(
            occurred_at=timezone.now(),
            actor_name="x",
            object_type="t",
            object_id="d",
            action="direct",
            prev_hash=first.hash,
            seq=first.seq + 1,
            scheme=first.scheme,
        )
        direct.hash = direct.compute_hash()
        direct.save()
        after = _event(3)
    assert (after.prev_hash, after.seq) == (direct.hash, direct.seq + 1)
    assert verify_chain().ok
