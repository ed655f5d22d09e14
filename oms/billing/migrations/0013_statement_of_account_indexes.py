"""Issue 23: every invoice has its customer (0012); the statement of account's indexes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("billing", "0012_invoice_customer")]

    operations = [
        migrations.AlterField(
            model_name="invoice",
            name="customer",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="invoices",
                to="customers.customer",
                verbose_name="客户",
            ),
        ),
        migrations.AddIndex(
            model_name="invoice",
            index=models.Index(fields=["customer", "issued_on"], name="invoice_customer_date"),
        ),
        migrations.AddIndex(
            model_name="payment",
            index=models.Index(fields=["customer", "received_on"], name="payment_customer_date"),
        ),
    ]
