"""O-1 (issue 21, ADR 0019): confirmation accuracy's outcomes and tallies, and the collection
rate's tallies, filled for the records already there by the statements that `manage.py
kpi_figures --rebuild` runs (one pass over the confirmed orders, one over the invoices)."""

from django.db import migrations

from oms.tracking.actions.collection import fill_statement
from oms.tracking.actions.outcomes import fill_statements


def fill(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    with schema_editor.connection.cursor() as cursor:
        for statement in fill_statements(vendor, ["confirmation_accuracy"]):
            cursor.execute(statement)
        cursor.execute(fill_statement(vendor))


def empty(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("DELETE FROM tracking_kpitally WHERE kpi = 'confirmation_accuracy'")
        cursor.execute("DELETE FROM tracking_orderoutcome WHERE kpi = 'confirmation_accuracy'")
        cursor.execute("DELETE FROM tracking_collectiontally")


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0004_kept_kpi_outcomes"),
        ("tracking", "0013_kept_confirmation_collection"),
        ("billing", "0016_invoice_order_open_balances"),
        ("changes", "0004_decimal_column_bounds"),
        ("orders", "0020_kept_kpi_outcomes"),
    ]

    operations = [migrations.RunPython(fill, empty)]
