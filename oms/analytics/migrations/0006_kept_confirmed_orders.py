"""Q-1 (issue 21, ADR 0019): the management dashboard's sums of the confirmed orders, filled for
the orders already there by the statement that `manage.py kpi_figures --rebuild` runs (one pass
over the confirmed orders)."""

from django.db import migrations

from oms.tracking.actions.confirmed import fill_statement


def fill(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(fill_statement(schema_editor.connection.vendor))


def empty(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("DELETE FROM tracking_confirmedtally")


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0005_kept_confirmation_collection"),
        ("tracking", "0014_kept_confirmed_orders"),
    ]

    operations = [migrations.RunPython(fill, empty)]
