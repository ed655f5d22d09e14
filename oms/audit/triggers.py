"""Database triggers that make a table append-only on both engines: UPDATE, DELETE and (on
PostgreSQL) TRUNCATE are refused (S-2). Used for the audit log and the archive's access log.

The ORM refuses too, but only the database stops raw SQL and other programs. SQLite has no
TRUNCATE: its `DELETE FROM t` without WHERE runs the DELETE trigger (the truncate optimisation
is off when a table has triggers). A superuser or the table's owner can still disable them; the
keyed, anchored chain is what detects that (ADR 0014).
"""

from __future__ import annotations

from typing import Any

TABLE = "audit_auditevent"


def _sqlite(table: str, prefix: str, message: str) -> tuple[list[str], list[str]]:
    create = [
        f"CREATE TRIGGER IF NOT EXISTS {prefix}_no_update BEFORE UPDATE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{message}'); END",
        f"CREATE TRIGGER IF NOT EXISTS {prefix}_no_delete BEFORE DELETE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{message}'); END",
    ]
    drop = [f"DROP TRIGGER IF EXISTS {prefix}_no_update", f"DROP TRIGGER IF EXISTS {prefix}_no_delete"]
    return create, drop


def _postgres(table: str, prefix: str, message: str) -> tuple[list[str], list[str]]:
    function = f"{prefix}_refuse_change"
    create = [
        f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN RAISE EXCEPTION '{message}'; END $$",
        f"DROP TRIGGER IF EXISTS {prefix}_no_update_delete ON {table}",
        f"CREATE TRIGGER {prefix}_no_update_delete BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {function}()",
        f"DROP TRIGGER IF EXISTS {prefix}_no_truncate ON {table}",
        f"CREATE TRIGGER {prefix}_no_truncate BEFORE TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
    ]
    drop = [
        f"DROP TRIGGER IF EXISTS {prefix}_no_update_delete ON {table}",
        f"DROP TRIGGER IF EXISTS {prefix}_no_truncate ON {table}",
        f"DROP FUNCTION IF EXISTS {function}()",
    ]
    return create, drop


def _statements(vendor: str, drop: bool, table: str, prefix: str, message: str) -> list[str]:
    if vendor == "sqlite":
        create, remove = _sqlite(table, prefix, message)
    elif vendor == "postgresql":
        create, remove = _postgres(table, prefix, message)
    else:
        raise NotImplementedError(f"no append-only triggers for {vendor}")
    return remove if drop else create


def install(
    connection: Any,
    *,
    table: str = TABLE,
    prefix: str = "audit",
    message: str = "audit events are append-only",
) -> None:
    with connection.cursor() as cursor:
        for sql in _statements(connection.vendor, False, table, prefix, message):
            cursor.execute(sql)


def drop(connection: Any, *, table: str = TABLE, prefix: str = "audit") -> None:
    with connection.cursor() as cursor:
        for sql in _statements(connection.vendor, True, table, prefix, ""):
            cursor.execute(sql)


def installed(connection: Any, *, table: str = TABLE) -> set[str]:
    """The names of the triggers on `table` (what verification reports as present)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table])
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal AND tgenabled <> 'D'",
                [table],
            )
        return {row[0] for row in cursor.fetchall()}
