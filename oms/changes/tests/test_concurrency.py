"""I-1 under concurrency: two requests on the same line at the same moment; one is refused."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from oms.changes.models import ChangeRequest
from oms.changes.tests.fixtures import released_order
from oms.changes.tests.test_actions import _change
from oms.core.errors import ActionError

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrent writers need PostgreSQL; CI runs this on PostgreSQL",
    ),
]


def test_two_requests_on_one_line_at_once(more_heads) -> None:
    order = released_order(more_heads)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def ask(quantity: str) -> None:
        try:
            barrier.wait(timeout=30)
            _change(more_heads, order, quantity=quantity)
            outcomes.append("ok")
        except ActionError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=ask, args=(q,)) for q in ("12", "14")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["ok", "refused"]
    assert ChangeRequest.objects.count() == 1
