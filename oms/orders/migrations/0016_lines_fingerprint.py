"""B-9, issue 21: the duplicate check compares a stored fingerprint of the order's live lines."""

from django.db import migrations, models


def fill(apps, schema_editor):
    """Existing orders get the fingerprint of their live lines (the rule of `lines_fingerprint`)."""
    from oms.orders.fingerprint import lines_fingerprint

    SalesOrder = apps.get_model("orders", "SalesOrder")
    OrderLine = apps.get_model("orders", "OrderLine")
    last = 0
    while True:
        ids = list(SalesOrder.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:2000])
        if not ids:
            return
        pairs: dict[int, list] = {pk: [] for pk in ids}
        for order_id, product_id, quantity in OrderLine.objects.filter(order_id__in=ids, removed=False).values_list(
            "order_id", "product_id", "quantity"
        ):
            pairs[order_id].append((product_id, quantity))
        SalesOrder.objects.bulk_update(
            [SalesOrder(pk=pk, lines_fingerprint=lines_fingerprint(lines)) for pk, lines in pairs.items() if lines],
            ["lines_fingerprint"],
        )
        last = ids[-1]


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0015_decimal_column_bounds"),
    ]

    operations = [
        migrations.AddField(
            model_name="salesorder",
            name="lines_fingerprint",
            field=models.CharField(blank=True, default="", editable=False, max_length=32, verbose_name="明细指纹"),
        ),
        migrations.AddIndex(
            model_name="salesorder",
            index=models.Index(fields=["customer", "lines_fingerprint", "created_at"], name="order_duplicate_idx"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
