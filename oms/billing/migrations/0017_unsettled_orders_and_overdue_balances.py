"""Issue 21 (L-4): the open balances are keyed by their orders' oldest unsettled due date too
(`order_due`: the overdue view's totals add up the rows whose orders are overdue), and each order
with an unsettled invoice, not archived, is kept with its scope and that due date
(`UnsettledOrder`: the ledger's open and overdue pages walk them). Both are filled from the
invoices as `oms.billing.expected.expected_open` computes them."""

from typing import Any

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def clear_balances(apps: Any, schema_editor: Any) -> None:
    # Rebuilt below with their new key; none may stay without one.
    apps.get_model("billing", "OpenBalance").objects.all().delete()


def fill(apps: Any, schema_editor: Any) -> None:
    from oms.billing.expected import balance_rows, expected_open, unsettled_rows

    OpenBalance = apps.get_model("billing", "OpenBalance")
    UnsettledOrder = apps.get_model("billing", "UnsettledOrder")
    expected = expected_open(apps.get_model("billing", "Invoice"))
    OpenBalance.objects.all().delete()
    UnsettledOrder.objects.all().delete()
    OpenBalance.objects.bulk_create(balance_rows(OpenBalance, expected.balances), batch_size=5000)
    UnsettledOrder.objects.bulk_create(unsettled_rows(UnsettledOrder, expected.orders), batch_size=5000)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0009_api_token_stamp"),
        ("billing", "0016_invoice_order_open_balances"),
        ("customers", "0008_merge_0007_invoice_address_phone_0007_pinyin_readings"),
        ("orders", "0020_kept_kpi_outcomes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(clear_balances, migrations.RunPython.noop),
        migrations.RemoveConstraint(model_name="openbalance", name="open_balance_key"),
        migrations.AddField(
            model_name="openbalance",
            name="order_due",
            field=models.DateField(default="2000-01-01"),
            preserve_default=False,
        ),
        migrations.AddConstraint(
            model_name="openbalance",
            constraint=models.UniqueConstraint(
                fields=("customer", "salesperson", "department", "due_date", "order_due"),
                name="open_balance_key",
            ),
        ),
        migrations.CreateModel(
            name="UnsettledOrder",
            fields=[
                (
                    "order",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="orders.salesorder",
                    ),
                ),
                (
                    "customer",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="customers.customer",
                    ),
                ),
                (
                    "salesperson",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "department",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="accounts.department",
                    ),
                ),
                ("due_date", models.DateField()),
            ],
            options={"verbose_name": "未结清订单", "verbose_name_plural": "未结清订单"},
        ),
        migrations.AddIndex(
            model_name="unsettledorder",
            index=models.Index(fields=["due_date", "order"], name="unsettled_order_due"),
        ),
        migrations.AddIndex(
            model_name="unsettledorder",
            index=models.Index(fields=["salesperson", "due_date", "order"], name="unsettled_order_person"),
        ),
        migrations.AddIndex(
            model_name="unsettledorder",
            index=models.Index(fields=["department", "due_date", "order"], name="unsettled_order_dept"),
        ),
        migrations.AddIndex(
            model_name="unsettledorder",
            index=models.Index(fields=["customer"], name="unsettled_order_customer"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
