"""I-1: a customer's change request records how it came (portal, link or through sales) and the
customer's portal login, beside the salesperson in whose name it is raised. Older requests are
read from the audit event each customer submission left ("change.customer_request", whose actor
is the portal login, or nobody for a link); a customer's request without one came through sales."""

from typing import Any

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def backfill(apps: Any, schema_editor: Any) -> None:
    ChangeRequest = apps.get_model("changes", "ChangeRequest")
    AuditEvent = apps.get_model("audit", "AuditEvent")
    for request in ChangeRequest.objects.filter(source="customer", channel=""):
        event = (
            AuditEvent.objects.filter(
                object_type="orders.salesorder",
                object_id=str(request.order_id),
                action="change.customer_request",
                after__request=request.number,
            )
            .order_by("id")
            .first()
        )
        if event is None:
            request.channel = "sales"
        elif event.actor_id is not None:
            request.channel, request.customer_user_id = "portal", event.actor_id
        else:
            request.channel = "link"
        request.save(update_fields=["channel", "customer_user"])


class Migration(migrations.Migration):
    dependencies = [
        ("changes", "0002_customer_link"),
        ("audit", "0002_append_only_triggers"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="changerequest",
            name="channel",
            field=models.CharField(
                blank=True,
                choices=[("sales", "销售代录"), ("link", "客户变更链接"), ("portal", "客户门户")],
                max_length=20,
                verbose_name="提交方式",
            ),
        ),
        migrations.AddField(
            model_name="changerequest",
            name="customer_user",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="客户门户账号",
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
