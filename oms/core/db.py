"""Engine-specific housekeeping behind one tested helper (DESIGN 2)."""

from __future__ import annotations

from django.db import connection


def refresh_statistics() -> None:
    """Keep the query planner's statistics current.

    SQLite never gathers them by itself; without them it sorts a whole table for the first page
    of a list instead of walking the matching index. PostgreSQL's autovacuum does this already.
    """
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
