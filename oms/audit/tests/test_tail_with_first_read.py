"""Issue 21, ADR 0014: on SQLite the chain's tail comes with the transaction's first locked read
(`stamps.with_tokens`), which is correct there because a write transaction holds the database's
one write lock from BEGIN (IMMEDIATE); the chain still links every event to exactly one
predecessor. PostgreSQL reads it with the chain's lock at the audit, as before."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction

from oms.accounts.models import User
from oms.audit import recorder
from oms.audit.verify import verify_chain
from oms.core import stamps

pytestmark = pytest.mark.django_db


def _event(i: int) -> Any:
    return recorder.record(actor="system", obj=None, action=f"t.{i}", object_type="t", object_id=str(i))


def _first_read(user: User) -> None:
    stamps.take_tokens(stamps.with_tokens(User.objects.filter(pk=user.pk)).get())


@pytest.fixture
def someone(db: Any) -> User:
    return User.objects.create(username="someone")


def test_the_tail_rides_on_the_first_locked_read(someone: User, django_assert_num_queries: Any) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only: PostgreSQL takes the chain's lock at the audit")
    first = _event(1)
    with transaction.atomic():
        recorder.forget_tail()
        _first_read(someone)
        with django_assert_num_queries(1):  # the INSERT only: no read of the tail
            second = _event(2)
    assert (second.prev_hash, second.seq) == (first.hash, first.seq + 1)
    assert verify_chain().ok


def test_a_tail_read_in_a_savepoint_rolled_back_is_read_again(someone: User) -> None:
    first = _event(1)
    with transaction.atomic():
        recorder.forget_tail()
        try:
            with transaction.atomic():
                _first_read(someone)
                _event(2)
                raise RuntimeError("refused")
        except RuntimeError:
            pass
        third = _event(3)
    assert (third.prev_hash, third.seq) == (first.hash, first.seq + 1)
    report = verify_chain()
    assert (report.ok, report.checked) == (True, 2)


def test_postgresql_reads_no_tail_with_the_first_read() -> None:
    """ADR 0014: on PostgreSQL the tail is read under the chain's lock, taken at the audit."""
    with transaction.atomic():
        recorder.forget_tail()
        assert (recorder.tail_column() is None) == (connection.vendor != "sqlite")
