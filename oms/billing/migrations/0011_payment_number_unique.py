"""Issue 23: every payment numbered (0010), the number is required and unique. A migration of its
own: PostgreSQL alters a table in a transaction that has not updated its rows."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("billing", "0010_payment_number")]

    operations = [
        migrations.AlterField(
            model_name="payment",
            name="number",
            field=models.CharField(max_length=60, unique=True, verbose_name="收款编号"),
        ),
    ]
