"""D-2: an order records who acted on its confirmation (the salesperson recording it, or the
customer's portal login), beside how. Older confirmations get their actor from the audit event of
the confirmation (none for a one-time link, which has no login)."""

from typing import Any

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import CharField, OuterRef, Subquery
from django.db.models.functions import Cast


def backfill(apps: Any, schema_editor: Any) -> None:
    SalesOrder = apps.get_model("orders", "SalesOrder")
    AuditEvent = apps.get_model("audit", "AuditEvent")
    actor = (
        AuditEvent.objects.filter(
            object_type="orders.salesorder",
            object_id=Cast(OuterRef("pk"), output_field=CharField()),
            action="transition:confirm",
            actor__isnull=False,
        )
        .order_by("-id")
        .values("actor_id")[:1]
    )
    SalesOrder.objects.filter(confirmed_at__isnull=False, confirmed_by__isnull=True).update(
        confirmed_by_id=Subquery(actor)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0013_order_escalated_by"),
        ("audit", "0002_append_only_triggers"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="salesorder",
            name="confirmed_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="确认操作人",
            ),
        ),
        migrations.AlterField(
            model_name="salesorder",
            name="confirmation_method",
            field=models.CharField(
                blank=True,
                choices=[("sales", "销售记录"), ("link", "客户确认链接"), ("portal", "客户门户")],
                max_length=20,
                verbose_name="确认方式",
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
