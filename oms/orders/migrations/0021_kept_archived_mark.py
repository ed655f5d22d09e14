"""Issue 21, M-3: the archive's mark kept on the order (`SalesOrder.archived`), filled from the
archive records (which stay as they are, append-only, ADR 0009), and the lists' indexes made
partial on the live orders, so that a list and its capped count no longer probe the archive for
every row they read."""

from typing import Any

from django.db import migrations, models


def fill(apps: Any, schema_editor: Any) -> None:
    """Every order with an archive record is marked, in one statement."""
    order = apps.get_model("orders", "SalesOrder")
    record = apps.get_model("archive", "ArchiveRecord")
    order.objects.filter(pk__in=record.objects.values("order_id")).update(archived=True)


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0020_kept_kpi_outcomes"),
        ("archive", "0002_access_log_append_only"),
    ]

    operations = [
        migrations.AddField(
            model_name="salesorder",
            name="archived",
            field=models.BooleanField(default=False, editable=False, verbose_name="已归档"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=False),
        migrations.RemoveIndex(model_name="salesorder", name="order_customer_created_idx"),
        migrations.RemoveIndex(model_name="salesorder", name="order_person_created_idx"),
        migrations.AddIndex(
            model_name="salesorder",
            index=models.Index(
                condition=models.Q(("archived", False)),
                fields=["customer", "-created_at", "-id"],
                name="order_live_customer_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="salesorder",
            index=models.Index(
                condition=models.Q(("archived", False)),
                fields=["salesperson", "-created_at", "-id"],
                name="order_live_person_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="salesorder",
            index=models.Index(
                condition=models.Q(("archived", False)),
                fields=["-created_at", "-id"],
                include=("salesperson", "department"),
                name="order_live_all_idx",
            ),
        ),
    ]
