"""Issue 21: on PostgreSQL the chain's lock and tail read are one statement (a VOLATILE function
that reads the tail after the advisory lock is granted). Writers appending at the same time from
separate connections must still each link to exactly one predecessor, numbered without gaps."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction

from oms.audit import recorder
from oms.audit.models import AuditEvent
from oms.audit.verify import verify_chain

WRITERS = 6
TRANSACTIONS = 8
EVENTS = 3


def _guess() -> None:
    """The tail read as a transaction's first read does (`recorder.tail_column`): on PostgreSQL a
    guess, which other writers make stale all the time here (ADR 0014)."""
    column = recorder.tail_column()
    assert column is not None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT ({column.sql})")
        recorder.take_tail(cursor.fetchone()[0])


def _writer(n: int, start: threading.Barrier, errors: list[BaseException], guess: bool = False) -> None:
    try:
        start.wait()
        for t in range(TRANSACTIONS):
            with transaction.atomic(), recorder.batch():
                if guess:
                    _guess()
                for e in range(EVENTS):
                    recorder.record(
                        actor="system",
                        obj=None,
                        action="t.concurrent",
                        object_type="t",
                        object_id=f"{n}.{t}.{e}",
                    )
    except BaseException as exc:
        errors.append(exc)
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # committed: several connections
@pytest.mark.parametrize("guess", [False, True], ids=["tail-read-at-the-audit", "tail-guessed-first"])
def test_writers_at_once_keep_one_unbroken_chain(guess: bool) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the chain's lock is PostgreSQL's; SQLite runs one writer at a time")
    start = threading.Barrier(WRITERS)
    errors: list[BaseException] = []
    threads = [threading.Thread(target=_writer, args=(n, start, errors, guess)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    seqs = list(AuditEvent.objects.filter(action="t.concurrent").order_by("id").values_list("seq", flat=True))
    assert len(seqs) == WRITERS * TRANSACTIONS * EVENTS
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))
    report = verify_chain()
    assert report.ok, report
