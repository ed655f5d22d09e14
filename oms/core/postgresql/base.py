"""PostgreSQL, as Django ships it, with statements prepared inside transactions (ADR 0021, issue 21).

With server-side binding a statement's values travel apart from its text, so psycopg can prepare
a statement the connection has sent before and PostgreSQL plans it once instead of every time.
The order's path sends the same statements, transaction after transaction: prepared, they cost
the server half the CPU (bench/path.py --replay).

Only statements inside a transaction are prepared. A prepared statement soon runs on a generic
plan, one that does not look at the values; for the reads of a page (searches with a pattern,
filters on skewed columns) that plan can be far worse than one made for the values at hand —
the customer-name search at 10^6 orders went from 12 to 120 ms. Pages read outside a
transaction and keep a plan made for their values; the actions' short keyed statements are
where the planning was wasted.
"""

from __future__ import annotations

from typing import Any

from django.db.backends.postgresql import base, operations

_ServerBinding: Any = base.ServerBindingCursor  # psycopg's Cursor with Django's callproc


class PreparedInTransactionsCursor(_ServerBinding):
    """Prepares (after psycopg's threshold) only while a transaction is open."""

    def execute(
        self, query: Any, params: Any = None, *, prepare: bool | None = None, binary: bool | None = None
    ) -> Any:
        if prepare is None and self.connection.autocommit:
            prepare = False
        return super().execute(query, params, prepare=prepare, binary=binary)


# The values one statement may bind when they travel apart from its text (the protocol's limit).
MAX_BOUND = 65_535


class DatabaseOperations(operations.DatabaseOperations):
    def bulk_batch_size(self, fields: Any, objs: Any) -> int:
        """Django writes a bulk_create or bulk_update on PostgreSQL as one statement, which bound
        values cap: in batches under the limit when values are bound on the server."""
        if self.connection.settings_dict["OPTIONS"].get("server_side_binding") is not True:
            return int(super().bulk_batch_size(fields, objs))
        # Twice the fields: a bulk_update binds two values per field and row (CASE WHEN pk THEN
        # value) where Django counts the fields once.
        return max(1, MAX_BOUND // (2 * max(1, len(fields))))


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations

    def get_connection_params(self) -> dict[str, Any]:
        params: dict[str, Any] = super().get_connection_params()
        if self.settings_dict["OPTIONS"].get("server_side_binding") is True:
            params["cursor_factory"] = PreparedInTransactionsCursor
        return params
