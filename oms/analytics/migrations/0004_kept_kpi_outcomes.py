"""O-1 (issue 21): the order KPIs' kept per-month figures filled for the orders already there, by
the statements that `manage.py kpi_figures --rebuild` runs (one pass over each source table)."""

from django.db import migrations

from oms.tracking.actions.outcomes import fill_statements


def fill(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for statement in fill_statements(schema_editor.connection.vendor):
            cursor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0003_decimal_column_bounds"),
        ("tracking", "0012_kept_kpi_outcomes"),
        ("orders", "0020_kept_kpi_outcomes"),
        ("delivery", "0003_acceptance_order"),
        ("quality", "0002_inspection_covers_lines"),
        ("feedback", "0003_decimal_column_bounds"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
