"""Issue 22: the models take the glossary's names: money received is a Payment (收款), its part
matched to an invoice a PaymentMatch (核销). The tables keep their names (pinned first), so the
rename moves no data and the constraints' names still match their tables."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0005_decimal_column_bounds"),
    ]

    operations = [
        migrations.AlterModelTable(name="receipt", table="billing_receipt"),
        migrations.AlterModelTable(name="allocation", table="billing_allocation"),
        migrations.RenameModel(old_name="Receipt", new_name="Payment"),
        migrations.RenameModel(old_name="Allocation", new_name="PaymentMatch"),
    ]
