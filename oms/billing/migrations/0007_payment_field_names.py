"""Issue 22: the fields and related names follow the models' glossary names (0006): a match
points at its `payment`, payments and invoices list their `matches`, a customer its `payments`,
a prepayment its `payment`. Only the match's column is renamed (receipt_id → payment_id); the
related names live in Python only, so the tables and their constraints stay as they are."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0006_payment_names"),
    ]

    operations = [
        migrations.RenameField(model_name="paymentmatch", old_name="receipt", new_name="payment"),
        migrations.AlterField(
            model_name="paymentmatch",
            name="payment",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="matches",
                to="billing.payment",
                verbose_name="收款",
            ),
        ),
        migrations.AlterField(
            model_name="paymentmatch",
            name="invoice",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="matches",
                to="billing.invoice",
                verbose_name="发票",
            ),
        ),
        migrations.AlterField(
            model_name="payment",
            name="customer",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="payments",
                to="customers.customer",
                verbose_name="客户",
            ),
        ),
        migrations.AlterField(
            model_name="payment",
            name="prepayment",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="payment",
                to="fulfilment.prepayment",
            ),
        ),
    ]
