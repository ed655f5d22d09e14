"""B-4: orders created at the same moment still get distinct numbers, with no error (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from oms.intake import actions
from oms.intake.tests.fixtures import header, lines
from oms.orders.models import SalesOrder

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrent writers need PostgreSQL; CI runs this on PostgreSQL",
    ),
]


def test_twenty_threads_get_twenty_distinct_numbers(org) -> None:
    barrier = threading.Barrier(20)
    errors: list[BaseException] = []
    numbers: list[str] = []
    lock = threading.Lock()

    def create(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            order = actions.create_order(
                actor=org["sales"], data=header(org), lines=lines(org), duplicate_reason=f"thread {i}"
            )
            with lock:
                numbers.append(order.number)
        except BaseException as exc:  # reported by the assertion below
            with lock:
                errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=create, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert len(set(numbers)) == 20
    assert SalesOrder.objects.count() == 20
