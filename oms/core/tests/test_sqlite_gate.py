"""Issue 21: the SQLite writers' gate (oms.core.sqlite.gate) is held from BEGIN to COMMIT or
ROLLBACK, never waited for by the thread that holds it, and skipped — SQLite alone decides, as
before — when its file cannot be used or the wait outlasts the busy timeout."""

from __future__ import annotations

import fcntl
import os
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from oms.core.sqlite.base import DatabaseWrapper
from oms.core.sqlite.gate import WriterGate


def _wrapper(path: Path) -> Any:
    """A connection of its own to a file (whichever engine the suite runs on)."""
    settings = {
        **connection.settings_dict,
        "NAME": str(path),
        "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 1},
        "TIME_ZONE": None,
    }
    return DatabaseWrapper(settings, alias="gate_test")


@pytest.fixture(autouse=True)
def _files_of_our_own(django_db_blocker: Any) -> Any:
    """These tests open their own database files, not the test database."""
    with django_db_blocker.unblock():
        yield


def _taken(path: Path) -> bool:
    """Whether someone holds the gate (asked through a descriptor of its own)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


@pytest.mark.parametrize("end", ["_commit", "_rollback"])
def test_the_gate_is_held_from_begin_to_the_end_of_the_transaction(tmp_path: Path, end: str) -> None:
    db = _wrapper(tmp_path / "a.sqlite3")
    gate = tmp_path / "a.sqlite3-writers"
    db.ensure_connection()
    db._start_transaction_under_autocommit()
    db.cursor().execute("CREATE TABLE t (x integer)")
    held = _taken(gate)
    getattr(db, end)()
    assert (held, _taken(gate)) == (True, False)
    db.close()


def test_an_unusable_gate_file_leaves_the_writer_to_sqlite_alone(tmp_path: Path) -> None:
    (tmp_path / "a.sqlite3-writers").mkdir()  # a directory where the file would be
    db = _wrapper(tmp_path / "a.sqlite3")
    db.ensure_connection()
    db._start_transaction_under_autocommit()
    db.cursor().execute("CREATE TABLE t (x integer)")
    db.cursor().execute("INSERT INTO t VALUES (1)")
    db._commit()
    assert db.cursor().execute("SELECT x FROM t").fetchall() == [(1,)]
    db.close()


def test_an_in_memory_database_has_no_gate() -> None:
    db = _wrapper(Path(":memory:"))
    assert db._writer_gate() is None


def test_a_thread_holding_the_gate_does_not_wait_for_it_through_another_connection(tmp_path: Path) -> None:
    path = str(tmp_path / "g")
    first, second = WriterGate(path), WriterGate(path)
    started = time.perf_counter()
    assert (first.acquire(5), second.acquire(5)) == (True, False)
    assert time.perf_counter() - started < 1
    first.close()
    assert second.acquire(5) is True
    second.close()


def test_a_waiter_is_woken_when_the_holder_lets_go(tmp_path: Path) -> None:
    path = str(tmp_path / "g")
    holder = os.open(path, os.O_RDWR | os.O_CREAT)
    fcntl.flock(holder, fcntl.LOCK_EX)
    threading.Timer(0.2, fcntl.flock, (holder, fcntl.LOCK_UN)).start()
    gate = WriterGate(path)
    started = time.perf_counter()
    assert gate.acquire(10) is True
    assert 0.15 < time.perf_counter() - started < 5
    gate.close()
    os.close(holder)


def test_a_wait_longer_than_the_timeout_goes_on_without_the_gate(tmp_path: Path) -> None:
    path = str(tmp_path / "g")
    holder = os.open(path, os.O_RDWR | os.O_CREAT)
    fcntl.flock(holder, fcntl.LOCK_EX)
    gate = WriterGate(path)
    started = time.perf_counter()
    assert gate.acquire(0.2) is False
    waited = time.perf_counter() - started
    assert gate.acquire(0.2) is False  # this connection uses no gate any more: no second wait
    assert 0.15 < waited < 5 and time.perf_counter() - started - waited < 0.1
    fcntl.flock(holder, fcntl.LOCK_UN)
    time.sleep(0.2)  # the abandoned wait takes the gate and gives it back at once
    assert _taken(Path(path)) is False
    os.close(holder)
