"""Issue 21 (L-4): each invoice keeps its statement's order (filled from the statements), and the
open balances are kept per customer, salesperson, department and due date (`OpenBalance`, filled
from the invoices as `oms.billing.expected.expected_balances` computes them), so that the
ledger's open view adds up a few rows per customer instead of every unsettled invoice."""

from typing import Any

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_orders(apps: Any, schema_editor: Any) -> None:
    if schema_editor is not None and schema_editor.connection.vendor == "postgresql":
        # The update queues deferred foreign-key checks; PostgreSQL alters no table with checks
        # pending in the transaction, so they are made at once.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    Invoice = apps.get_model("billing", "Invoice")
    Statement = apps.get_model("billing", "Statement")
    Invoice.objects.update(order_id=Subquery(Statement.objects.filter(pk=OuterRef("statement_id")).values("order_id")))


def fill_balances(apps: Any, schema_editor: Any) -> None:
    # Filled by 0017_unsettled_orders_and_overdue_balances, which keys the balances by their
    # orders' oldest unsettled due date too (the builder writes that key, which this state lacks).
    return


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0008_merge_20261205_0602"),
        ("archive", "0002_access_log_append_only"),
        ("billing", "0015_invoice_kept_figures"),
        ("customers", "0008_merge_0007_invoice_address_phone_0007_pinyin_readings"),
        ("orders", "0018_overview_risk"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="invoice",
            name="order",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="invoices",
                to="orders.salesorder",
                verbose_name="订单",
            ),
        ),
        migrations.RunPython(fill_orders, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="invoice",
            name="order",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="invoices",
                to="orders.salesorder",
                verbose_name="订单",
            ),
        ),
        migrations.RemoveIndex(model_name="invoice", name="invoice_open"),
        migrations.AddIndex(
            model_name="invoice",
            index=models.Index(
                condition=models.Q(("settled", False)),
                fields=["due_date", "order"],
                include=("amount", "received", "customer"),
                name="invoice_open",
            ),
        ),
        migrations.AddIndex(
            model_name="invoice",
            index=models.Index(
                condition=models.Q(("settled", False)), fields=["customer"], name="invoice_open_customer"
            ),
        ),
        migrations.CreateModel(
            name="OpenBalance",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
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
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
                (
                    "department",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="accounts.department"
                    ),
                ),
                ("due_date", models.DateField()),
                ("invoiced", models.DecimalField(decimal_places=2, max_digits=18)),
                ("received", models.DecimalField(decimal_places=2, max_digits=18)),
                ("owed", models.DecimalField(decimal_places=2, max_digits=18)),
                ("open_orders", models.PositiveIntegerField()),
            ],
            options={"verbose_name": "未结清应收", "verbose_name_plural": "未结清应收"},
        ),
        migrations.AddConstraint(
            model_name="openbalance",
            constraint=models.UniqueConstraint(
                fields=("customer", "salesperson", "department", "due_date"), name="open_balance_key"
            ),
        ),
        migrations.AddConstraint(
            model_name="openbalance",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("invoiced__gt", -10000000000000000), ("invoiced__lt", 10000000000000000)),
                    ("invoiced__isnull", True),
                    _connector="OR",
                ),
                name="billing_openbalance_invoiced_range",
            ),
        ),
        migrations.AddConstraint(
            model_name="openbalance",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("received__gt", -10000000000000000), ("received__lt", 10000000000000000)),
                    ("received__isnull", True),
                    _connector="OR",
                ),
                name="billing_openbalance_received_range",
            ),
        ),
        migrations.AddConstraint(
            model_name="openbalance",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("owed__gt", -10000000000000000), ("owed__lt", 10000000000000000)),
                    ("owed__isnull", True),
                    _connector="OR",
                ),
                name="billing_openbalance_owed_range",
            ),
        ),
        migrations.RunPython(fill_balances, migrations.RunPython.noop),
    ]
