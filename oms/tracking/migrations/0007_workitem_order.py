"""O-1: each work item names its order, so that "orders handled in time" is one indexed probe per
order. Older steps get theirs from their target, along the same paths as
`tracking.actions.order_id_of` (the order itself, or the target's order, round, request or
statement)."""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery

PATHS = (("order", "order_id"), ("round", "round__order_id"), ("request", "request__order_id"), ("statement", "statement__order_id"))


def backfill(apps: Any, schema_editor: Any) -> None:
    WorkItem = apps.get_model("tracking", "WorkItem")
    ContentType = apps.get_model("contenttypes", "ContentType")
    used = WorkItem.objects.values_list("content_type_id", flat=True).distinct()
    for ct in ContentType.objects.filter(pk__in=list(used)):
        items = WorkItem.objects.filter(content_type_id=ct.pk, order__isnull=True)
        if (ct.app_label, ct.model) == ("orders", "salesorder"):
            items.update(order_id=models.F("object_id"))
            continue
        try:
            model = apps.get_model(ct.app_label, ct.model)
        except LookupError:
            continue
        names = {f.name for f in model._meta.get_fields()}
        path = next((p for field, p in PATHS if field in names), None)
        if path is None:
            continue  # a step of no order (an inquiry, an improvement action)
        items.update(order_id=Subquery(model.objects.filter(pk=OuterRef("object_id")).values(path)[:1]))


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("orders", "0012_analysis_indexes"),
        ("tracking", "0006_reminders"),
        ("review", "0002_approval_role_choices"),
        ("changes", "0002_customer_link"),
        ("fulfilment", "0007_shipment_delivery_confirmation"),
        ("quality", "0001_initial"),
        ("billing", "0004_receipt_prepayment"),
        ("feedback", "0002_corrective_actions"),
    ]

    operations = [
        migrations.AddField(
            model_name="workitem",
            name="order",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="work_items",
                to="orders.salesorder",
                verbose_name="订单",
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
