"""Issue 23: the invoice keeps its customer (its statement's order's) for the statement of
account's index (customer, date); payments get the same index. Filled from the statements."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):
    Invoice = apps.get_model("billing", "Invoice")
    SalesOrder = apps.get_model("orders", "SalesOrder")
    Invoice.objects.update(
        customer=Subquery(SalesOrder.objects.filter(statements__invoices=OuterRef("pk")).values("customer")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [("billing", "0011_payment_number_unique"), ("customers", "0003_monthly_terms")]

    operations = [
        migrations.AddField(
            model_name="invoice",
            name="customer",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="invoices",
                to="customers.customer",
                verbose_name="客户",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
