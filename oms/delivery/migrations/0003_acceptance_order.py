"""Issue 21: the acceptance keeps its shipment's order (filled here for the acceptances already
recorded), with the indexes the order accuracy KPI (O-1) reads."""

from django.db import migrations, models
import django.db.models.deletion


def fill_orders(apps, schema_editor):  # type: ignore[no-untyped-def]
    Acceptance = apps.get_model("delivery", "Acceptance")
    Shipment = apps.get_model("fulfilment", "Shipment")
    Acceptance.objects.update(
        order_id=models.Subquery(Shipment.objects.filter(pk=models.OuterRef("shipment_id")).values("order_id")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("delivery", "0002_analysis_indexes"),
        ("fulfilment", "0001_initial"),
        ("orders", "0017_merge_0016_lines_fingerprint_0016_search_trigram"),
    ]

    operations = [
        migrations.AddField(
            model_name="acceptance",
            name="order",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="orders.salesorder",
                verbose_name="订单",
            ),
        ),
        migrations.RunPython(fill_orders, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="acceptance",
            name="order",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="orders.salesorder",
                verbose_name="订单",
            ),
        ),
        migrations.AlterField(
            model_name="acceptance",
            name="received_on",
            field=models.DateField(verbose_name="签收日期"),
        ),
        migrations.AddIndex(
            model_name="acceptance",
            index=models.Index(
                fields=["received_on"], include=("order",), name="acceptance_received_cover_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="acceptance",
            index=models.Index(
                condition=models.Q(("result", "accepted"), _negated=True),
                fields=["order"],
                name="acceptance_defect_order_idx",
            ),
        ),
    ]
