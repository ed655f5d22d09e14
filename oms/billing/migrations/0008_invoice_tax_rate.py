"""Issue 23: an invoice's VAT rate. Invoices recorded before keep the tax typed then; their rate is
the policy's default (13 %), the rate of goods sales."""

from decimal import Decimal

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("billing", "0007_payment_field_names")]

    operations = [
        migrations.AddField(
            model_name="invoice",
            name="tax_rate",
            field=models.DecimalField(decimal_places=2, default=Decimal("13"), max_digits=5, verbose_name="税率（%）"),
            preserve_default=False,
        ),
        migrations.AddConstraint(
            model_name="invoice",
            constraint=models.CheckConstraint(
                condition=models.Q(("tax_rate__gte", 0), ("tax_rate__lte", 100)), name="invoice_tax_rate_percent"
            ),
        ),
    ]
