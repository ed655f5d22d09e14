"""Trigram indexes for the orders search on PostgreSQL (issue 21).

The search matches anywhere in the order number and the customer's order reference
(`UPPER(col::text) LIKE UPPER('%x%')`, Django's `icontains`); a B-tree cannot answer that, so at
10^6 orders a rare number was found by reading the whole table. A GIN index of trigrams over
the same expression answers it. PostgreSQL only: SQLite has no such index and keeps its scan.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

INDEXES = (
    ("order_number_trgm_idx", "number"),
    ("order_external_ref_trgm_idx", "external_ref"),
)


def create(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON orders_salesorder "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def drop(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("orders", "0015_decimal_column_bounds")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
