"""The path's own floor (issue 21): the exact statements the path sent, replayed on a copy of the
database as it was before, through the driver's cursor with no ORM, no Python of ours in between,
and the same transaction boundaries. What it measures is what the database and the round trips
cost for this path, so that "orders/s on the path" splits into the database's share and Python's.

Not a test. Used by `bench/path.py --replay`:

1. `snapshot()` copies the scratch database (PostgreSQL: `CREATE DATABASE … TEMPLATE`; SQLite: the
   file) while no connection is open;
2. `Recorder` records every statement Django sends (SQL, parameters, autocommit or not, and each
   COMMIT and ROLLBACK) while the path runs on the original;
3. `replay()` opens the copy and sends the recorded statements again. The copy starts in the same
   state, so sequences, order numbers and the audit chain come out the same and every statement
   does the same work it did the first time.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Recorder:
    """Statements and transaction ends, in the order they reached the driver."""

    events: list[tuple[str, Any, bool, bool]] = field(
        default_factory=list
    )  # (sql | COMMIT, params, many, autocommit)

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        from django.db import connection

        if many:
            params = [tuple(p) for p in params]
        elif params is not None:
            params = tuple(params) if not isinstance(params, dict) else dict(params)
        self.events.append((sql, params, many, connection.get_autocommit()))
        return execute(sql, params, many, context)

    @contextmanager
    def recording(self) -> Iterator[None]:
        """Record while the block runs: statements through Django's cursor wrapper, commits and
        rollbacks at the connection (Django sends those to the driver directly)."""
        from django.db import connection

        connection.ensure_connection()
        commit, rollback = connection._commit, connection._rollback

        def _commit() -> None:
            self.events.append(("COMMIT", None, False, False))
            commit()

        def _rollback() -> None:
            self.events.append(("ROLLBACK", None, False, False))
            rollback()

        connection._commit, connection._rollback = _commit, _rollback  # type: ignore[method-assign]
        try:
            with connection.execute_wrapper(self):
                yield
        finally:
            del connection._commit, connection._rollback

    def statements(self) -> int:
        return sum(1 for e in self.events if e[0] not in {"COMMIT", "ROLLBACK"})

    def transactions(self) -> int:
        return sum(1 for e in self.events if e[0] == "COMMIT")


def snapshot(copy_name: str) -> str:
    """Copy the database Django is connected to, as it is now; returns the copy's NAME."""
    from django.db import connection

    name = str(connection.settings_dict["NAME"])
    connection.close()
    if connection.vendor == "sqlite":
        copy = f"{name}.{copy_name}"
        shutil.copyfile(name, copy)
        return copy
    import psycopg

    from bench.scratch import PG_SERVER

    with psycopg.connect(PG_SERVER, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{copy_name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{copy_name}" TEMPLATE "{name}"')
    return copy_name


def _last_audit(cursor: Any) -> tuple[Any, ...]:
    from oms.audit.models import AuditEvent

    cursor.execute(f"SELECT COUNT(*), MAX(id) FROM {AuditEvent._meta.db_table}")
    count, last = cursor.fetchone()
    cursor.execute(f"SELECT hash FROM {AuditEvent._meta.db_table} WHERE id = %s", [last])
    return (count, last, cursor.fetchone()[0])


def _server_cpu(pid: int | None) -> float:
    """CPU seconds of the PostgreSQL backend serving this connection (same machine), or 0."""
    if pid is None:
        return 0.0
    import os

    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def replay(
    recorder: Recorder, copy: str, slowest: dict[str, list[float]] | None = None
) -> tuple[float, float, float]:
    """Send the recorded statements to the copy; returns (wall seconds, CPU seconds of this process,
    CPU seconds of the PostgreSQL backend: 0 on SQLite, which runs inside this process).

    Django's connection is pointed at the copy only to open the driver's connection with the same
    settings and adapters; the statements go straight to the driver's cursor."""
    from django.db import connection

    original = connection.settings_dict["NAME"]
    with connection.cursor() as cursor:
        expected = _last_audit(cursor)
    connection.close()
    connection.settings_dict["NAME"] = copy
    try:
        connection.ensure_connection()
        raw = connection.connection
        postgres = connection.vendor == "postgresql"
        if postgres:
            raw.autocommit = False  # psycopg begins on the first statement, as it did for Django
        cursor = connection.create_cursor()
        pid = raw.info.backend_pid if postgres else None
        server0 = _server_cpu(pid)
        cpu0, t0 = time.process_time(), time.perf_counter()
        for sql, params, many, autocommit in recorder.events:
            if slowest is not None:
                began = time.perf_counter()
            if sql == "COMMIT":
                raw.commit()
            elif sql == "ROLLBACK":
                raw.rollback()
            else:
                if many:
                    cursor.executemany(sql, params)
                else:
                    cursor.execute(sql, params)
                    if cursor.description is not None:
                        cursor.fetchall()  # the rows are produced and sent, as Django read them
                if postgres and autocommit:
                    raw.commit()
            if slowest is not None:
                slowest.setdefault(" ".join(sql.split())[:110], []).append(time.perf_counter() - began)
        wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
        server = _server_cpu(pid) - server0
        with connection.cursor() as check:
            got = _last_audit(check)
        # The same audit chain, event for event, means every write did the same work again.
        assert got == expected, f"the replay diverged: audit {got} against {expected}"
        return wall, cpu, server
    finally:
        connection.close()
        connection.settings_dict["NAME"] = original
