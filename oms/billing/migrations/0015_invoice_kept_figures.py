"""Issue 21: each invoice keeps what is paid of it (in all, and by its due date) and whether it
is settled, for the ledger's open view (the partial index `invoice_open`) and the collection
rate. Filled from the payment matches, as `oms.billing.expected.expected_figures` computes
them: matches to an invoice reversed by a red-letter one do not count; an invoice of a red-letter
pair is settled, as is one paid in full."""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import migrations, models
from django.db.models import DecimalField, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce


def fill(apps: Any, schema_editor: Any) -> None:
    if schema_editor is not None and schema_editor.connection.vendor == "postgresql":
        # The updates queue deferred foreign-key checks; PostgreSQL creates no index on a table
        # with checks pending in the transaction, so they are made at once.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    Invoice = apps.get_model("billing", "Invoice")
    PaymentMatch = apps.get_model("billing", "PaymentMatch")
    counted = PaymentMatch.objects.filter(invoice=OuterRef("pk"), invoice__reversed_by__isnull=True)

    def paid(matches: Any) -> Coalesce:
        total = matches.values("invoice").annotate(s=Sum("amount")).values("s")
        return Coalesce(
            Subquery(total), Value(Decimal("0")), output_field=DecimalField(max_digits=18, decimal_places=2)
        )

    Invoice.objects.update(
        received=paid(counted),
        received_on_time=paid(counted.filter(payment__received_on__lte=OuterRef("due_date"))),
    )
    pairs = Q(reverses__isnull=False) | Q(reversed_by__isnull=False)
    Invoice.objects.filter(pk__in=Invoice.objects.filter(pairs).values("pk")).update(settled=True)
    Invoice.objects.filter(amount__lte=F("received")).update(settled=True)


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0014_invoice_tax_rate_range"),
        ("customers", "0008_merge_0007_invoice_address_phone_0007_pinyin_readings"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="invoice",
            name="received",
            field=models.DecimalField(
                decimal_places=2, default=Decimal("0"), max_digits=18, verbose_name="已收金额"
            ),
        ),
        migrations.AddField(
            model_name="invoice",
            name="received_on_time",
            field=models.DecimalField(
                decimal_places=2, default=Decimal("0"), max_digits=18, verbose_name="到期前已收金额"
            ),
        ),
        migrations.AddField(
            model_name="invoice",
            name="settled",
            field=models.BooleanField(default=False, verbose_name="已结清"),
        ),
        # Filled before the partial index is built: built after, it holds the open invoices only
        # (built before, every row's old entry stays in it until a vacuum).
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="invoice",
            index=models.Index(
                condition=models.Q(("settled", False)),
                fields=["due_date", "statement"],
                include=("amount", "received", "customer"),
                name="invoice_open",
            ),
        ),
        migrations.AddConstraint(
            model_name="invoice",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("received__gt", -10000000000000000), ("received__lt", 10000000000000000)),
                    ("received__isnull", True),
                    _connector="OR",
                ),
                name="billing_invoice_received_range",
            ),
        ),
        migrations.AddConstraint(
            model_name="invoice",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("received_on_time__gt", -10000000000000000),
                        ("received_on_time__lt", 10000000000000000),
                    ),
                    ("received_on_time__isnull", True),
                    _connector="OR",
                ),
                name="billing_invoice_received_on_time_range",
            ),
        ),
    ]
