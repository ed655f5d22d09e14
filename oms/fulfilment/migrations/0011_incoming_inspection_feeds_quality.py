"""G-1, G-3 (flows, point 3): a supplier delivery's incoming inspection feeds quality's record of
it (quality.Inspection, stage incoming), linked one to one, so the delivery is inspected once and
both procurement and quality see it. Existing rows are linked, nothing deleted: a delivery is
linked to the unlinked incoming inspection quality recorded of the same order and product on the
same day with the same outcome, if there is one; otherwise its quality record is written from it,
dated when the delivery was inspected. Reversing drops the link only (the records stay)."""

from decimal import Decimal
from typing import Any

import django.db.models.deletion
from django.db import migrations, models

DISPOSITION = {"return": "退货", "exchange": "换货"}


def _quantity(value: Decimal) -> str:
    """As oms.core.money.format_quantity writes it (kept here: a migration runs frozen code)."""
    number = value.normalize()
    if number.as_tuple().exponent > 0:
        number = number.quantize(Decimal(1))
    return format(number, ",f")


def _counts(row: Any) -> dict[str, str]:
    counts = {"到货": _quantity(row.received), "合格": _quantity(row.accepted)}
    if row.rejected > 0:
        counts["不合格"] = _quantity(row.rejected)
        counts["处理"] = DISPOSITION.get(row.disposition, "")
    return counts


def link(apps: Any, schema_editor: Any) -> None:
    incoming = apps.get_model("fulfilment", "IncomingInspection")
    inspection = apps.get_model("quality", "Inspection")
    taken: set[int] = set()
    rows = incoming.objects.filter(inspection__isnull=True).select_related("line__purchase_order")
    for row in rows.order_by("pk").iterator(chunk_size=500):
        order_id = row.line.purchase_order.order_id
        passed = row.rejected == 0
        found = (
            inspection.objects.filter(
                stage="incoming",
                order_id=order_id,
                product_id=row.line.product_id,
                passed=passed,
                inspected_at__date=row.created_at.date(),
                receipt__isnull=True,
            )
            .exclude(pk__in=taken)
            .order_by("inspected_at", "pk")
            .first()
        )
        if found is None:
            found = inspection.objects.create(
                order_id=order_id,
                stage="incoming",
                product_id=row.line.product_id,
                passed=passed,
                notes=row.notes,
                inspector_id=row.inspected_by_id,
                results=_counts(row),
            )
            # auto_now_add dated it now: it was inspected when the delivery was.
            inspection.objects.filter(pk=found.pk).update(inspected_at=row.created_at)
        taken.add(found.pk)
        incoming.objects.filter(pk=row.pk).update(inspection_id=found.pk)


class Migration(migrations.Migration):
    dependencies = [
        ("fulfilment", "0010_incoming_inspection_name"),
        ("quality", "0002_inspection_covers_lines"),
    ]

    operations = [
        migrations.AddField(
            model_name="incominginspection",
            name="inspection",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="receipt",
                to="quality.inspection",
                verbose_name="检验记录",
            ),
        ),
        migrations.RunPython(link, migrations.RunPython.noop),
    ]
