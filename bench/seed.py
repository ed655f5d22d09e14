"""Bulk data for benchmarks: orders, lines and open work items inserted in batches, bypassing
the actions (which the benchmark measures separately) so that 10^5 orders take seconds."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from oms.orders.models import OrderLine, SalesOrder
from oms.policy.models import PolicyVersion
from oms.tracking.models import WorkItem

BATCH = 2000


def grow_orders(target: int, *, sales: Any, customer: Any, products: list[Any]) -> None:
    """Add orders until there are `target`; a fifth wait on the check, some of those overdue."""
    have = SalesOrder.objects.count()
    if have >= target:
        return
    policy = PolicyVersion.objects.order_by("-number").first()
    ct = ContentType.objects.get_for_model(SalesOrder)
    today = timezone.localdate()
    now = timezone.now()
    statuses = ["draft", "pending_check", "in_review", "needs_info", "declined"]
    n = have
    while n < target:
        with transaction.atomic():
            orders = []
            for i in range(n, min(target, n + BATCH)):
                orders.append(
                    SalesOrder(
                        number=f"BENCH{i:08d}",
                        status=statuses[i % 5],
                        customer=customer,
                        contact_name="张伟",
                        contact_phone="13912345670",
                        order_date=today - timedelta(days=i % 365),
                        channel="phone",
                        order_class="normal",
                        delivery_date=today + timedelta(days=30),
                        delivery_place="上海",
                        payment_terms="monthly",
                        total_amount=Decimal("1000.00"),
                        salesperson=sales,
                        department_id=sales.department_id,
                        created_by=sales,
                        policy_version=policy,
                    )
                )
            SalesOrder.objects.bulk_create(orders)
            created = list(
                SalesOrder.objects.filter(number__in=[o.number for o in orders]).values_list("pk", "status")
            )
            OrderLine.objects.bulk_create(
                [
                    OrderLine(
                        order_id=pk,
                        line_no=k + 1,
                        product=p,
                        spec=p.spec,
                        quantity=Decimal(1),
                        unit=p.unit,
                        unit_price=Decimal("333.33"),
                        amount=Decimal("333.33"),
                    )
                    for pk, _status in created
                    for k, p in enumerate(products)
                ]
            )
            WorkItem.objects.bulk_create(
                [
                    WorkItem(
                        kind="order.check",
                        title=f"初审订单 {pk}",
                        content_type=ct,
                        object_id=pk,
                        department_id=sales.department_id,
                        started_at=now,
                        due_at=now + timedelta(hours=(pk % 48) - 24),
                        overdue=pk % 48 < 24,
                    )
                    for pk, status in created
                    if status == "pending_check"
                ]
            )
            n += len(orders)
