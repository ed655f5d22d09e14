"""Issue 22: a supplier's delivery with its incoming inspection takes the glossary's name,
IncomingInspection (来料检验); "receipt" is the customer's 签收. The table keeps its name (pinned
first), so the rename moves no data and the constraints' names still match their table."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("fulfilment", "0009_decimal_column_bounds"),
    ]

    operations = [
        migrations.AlterModelTable(name="goodsreceipt", table="fulfilment_goodsreceipt"),
        migrations.RenameModel(old_name="GoodsReceipt", new_name="IncomingInspection"),
        migrations.AlterField(
            model_name="incominginspection",
            name="line",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="incoming_inspections",
                to="fulfilment.purchaseline",
                verbose_name="采购明细",
            ),
        ),
    ]
