"""The order number's prefix search on PostgreSQL (issue 21, `orders.selectors.number_search`).

A number typed from its start ("SO00499995") is matched as `UPPER(number::text) LIKE 'SO00499995%'`:
a range of this B-tree (`text_pattern_ops`, whatever the database's collation) instead of the
trigram index, whose "SO" and "SO0" trigrams are in every number. PostgreSQL only, like the
trigram indexes of 0016: SQLite keeps its scan.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

NAME = "order_number_prefix_idx"


def create(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {NAME} ON orders_salesorder ((UPPER(number::text)) text_pattern_ops)"
    )


def drop(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [("orders", "0021_kept_archived_mark")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
