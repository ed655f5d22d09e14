"""Issue 21, ADR 0014: on SQLite the chain's tail comes with the transaction's first locked read
(`stamps.with_tokens`), which is correct there because a write transaction holds the database's
one write lock from BEGIN (IMMEDIATE); the chain still links every event to exactly one
predecessor. On PostgreSQL the first read brings a guess of the tail, and the audit's one INSERT
takes the chain's lock and inserts only if the tail is still the guess."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction

from oms.accounts.models import User
from oms.audit import recorder
from oms.audit.verify import verify_chain
from oms.core import stamps, txmemo

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


def test_postgresql_inserts_after_a_right_guess_with_one_statement(
    someone: User, django_assert_num_queries: Any
) -> None:
    """The guess read by the first read is still the tail: the INSERT alone, no tail read."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's guess of the tail")
    first = _event(1)
    with transaction.atomic():
        recorder.forget_tail()
        _first_read(someone)
        with django_assert_num_queries(1):  # the guarded INSERT only
            with recorder.batch():
                second = _event(2)
    assert (second.prev_hash, second.seq) == (first.hash, first.seq + 1)
    assert verify_chain().ok


def test_postgresql_inserts_nothing_after_a_wrong_guess_then_chains_again(
    someone: User, django_assert_num_queries: Any
) -> None:
    """Another transaction appended after the guess: the guarded INSERT inserts nothing, the tail
    is read under the chain's lock and the events inserted after it; the chain holds."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's guess of the tail")
    with transaction.atomic():
        recorder.forget_tail()
        _first_read(someone)
        # As if another transaction had appended since the guess was read (the guess is older).
        others = _event(1)
        connection._oms_audit_tail = None  # type: ignore[attr-defined]
        connection._oms_audit_guess = (txmemo.mark(), others.prev_hash, others.seq - 1)  # type: ignore[attr-defined]
        with django_assert_num_queries(3):  # the guarded INSERT (nothing), the tail, the INSERT
            with recorder.batch():
                mine = _event(2)
                again = _event(3)
    assert (mine.prev_hash, mine.seq, again.seq) == (others.hash, others.seq + 1, others.seq + 2)
    report = verify_chain()
    assert (report.ok, report.checked) == (True, 3)


def test_the_first_read_brings_the_tail_or_its_guess() -> None:
    """ADR 0014: the tail (SQLite) or a guess of it (PostgreSQL) rides on the first read."""
    with transaction.atomic():
        recorder.forget_tail()
        assert recorder.tail_column() is not None
