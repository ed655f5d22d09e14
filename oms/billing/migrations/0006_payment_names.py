"""Issue 22: the models take the glossary's names: money received is a Payment (收款), its part
matched to an invoice a PaymentMatch (核销). Tables are renamed; columns and constraints stay."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0005_decimal_column_bounds"),
    ]

    operations = [
        migrations.RenameModel(old_name="Receipt", new_name="Payment"),
        migrations.RenameModel(old_name="Allocation", new_name="PaymentMatch"),
    ]
