"""H-6 (issue 21): the overview's risk kept on the order, its partial index, and the figures of
the orders that already have a late step, an idleness reminder or an open exception."""

from django.conf import settings
from django.db import migrations, models
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce


def fill_risk(apps, schema_editor):
    """As `oms.tracking.actions.risk.risk_expressions`, on the orders with anything to count
    (the rest keep the defaults): one UPDATE, the same on SQLite and PostgreSQL."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    SalesOrder = apps.get_model("orders", "SalesOrder")
    WorkItem = apps.get_model("tracking", "WorkItem")
    OrderException = apps.get_model("tracking", "OrderException")
    order_type = ContentType.objects.filter(app_label="orders", model="salesorder").first()
    steps = (
        WorkItem.objects.filter(content_type=order_type, status="open")
        if order_type is not None
        else WorkItem.objects.none()
    )
    exceptions = OrderException.objects.filter(status="open")
    at_risk = SalesOrder.objects.filter(
        Q(pk__in=steps.filter(Q(overdue=True) | Q(kind="order.idle")).values("object_id"))
        | Q(pk__in=exceptions.values("order_id"))
    )
    mine = steps.filter(object_id=OuterRef("pk"))
    count = (
        exceptions.filter(order=OuterRef("pk")).order_by().values("order").annotate(n=Count("pk")).values("n")
    )
    at_risk.update(
        risk_late=Exists(mine.filter(overdue=True)),
        risk_exceptions=Coalesce(Subquery(count), Value(0), output_field=IntegerField()),
        risk_idle=Exists(mine.filter(kind="order.idle")),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0008_merge_20261205_0602"),
        ("customers", "0008_merge_0007_invoice_address_phone_0007_pinyin_readings"),
        ("orders", "0017_merge_0016_lines_fingerprint_0016_search_trigram"),
        ("policy", "0002_defaults"),
        ("tracking", "0009_title_phrase"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="salesorder",
            name="risk_exceptions",
            field=models.PositiveIntegerField(default=0, editable=False, verbose_name="未解决异常数"),
        ),
        migrations.AddField(
            model_name="salesorder",
            name="risk_idle",
            field=models.BooleanField(default=False, editable=False, verbose_name="长期无进展"),
        ),
        migrations.AddField(
            model_name="salesorder",
            name="risk_late",
            field=models.BooleanField(default=False, editable=False, verbose_name="有超时待办"),
        ),
        migrations.AddIndex(
            model_name="salesorder",
            index=models.Index(
                condition=models.Q(
                    (
                        "status__in",
                        (
                            "pending_check",
                            "needs_info",
                            "awaiting_decision",
                            "in_review",
                            "review_failed",
                            "in_approval",
                            "awaiting_confirmation",
                            "confirmed",
                            "released",
                            "in_production",
                            "shipped",
                            "received",
                            "on_hold",
                        ),
                    )
                ),
                fields=["-risk_late", "-risk_exceptions", "-risk_idle", "delivery_date", "id"],
                include=("salesperson", "department"),
                name="order_overview_risk_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="salesorder",
            index=models.Index(
                condition=models.Q(
                    (
                        "status__in",
                        (
                            "pending_check",
                            "needs_info",
                            "awaiting_decision",
                            "in_review",
                            "review_failed",
                            "in_approval",
                            "awaiting_confirmation",
                            "confirmed",
                            "released",
                            "in_production",
                            "shipped",
                            "received",
                            "on_hold",
                        ),
                    )
                ),
                fields=["salesperson", "-risk_late", "-risk_exceptions", "-risk_idle", "delivery_date", "id"],
                name="order_overview_person_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="salesorder",
            index=models.Index(
                condition=models.Q(
                    (
                        "status__in",
                        (
                            "pending_check",
                            "needs_info",
                            "awaiting_decision",
                            "in_review",
                            "review_failed",
                            "in_approval",
                            "awaiting_confirmation",
                            "confirmed",
                            "released",
                            "in_production",
                            "shipped",
                            "received",
                            "on_hold",
                        ),
                    )
                ),
                fields=["department", "-risk_late", "-risk_exceptions", "-risk_idle", "delivery_date", "id"],
                name="order_overview_dept_idx",
            ),
        ),
        migrations.RunPython(fill_risk, migrations.RunPython.noop),
    ]
