"""Trigram indexes for the customer search on PostgreSQL (issue 21): an order search looks up
the customers by name, code or pinyin initials first (`UPPER(col::text) LIKE UPPER('%x%')`),
then their orders. PostgreSQL only; SQLite keeps its scan of the (small) customer table."""

from __future__ import annotations

from typing import Any

from django.db import migrations

INDEXES = (
    ("customer_name_trgm_idx", "name"),
    ("customer_code_trgm_idx", "code"),
    ("customer_pinyin_trgm_idx", "pinyin"),
)


def create(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON customers_customer "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def drop(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("customers", "0005_decimal_column_bounds")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
