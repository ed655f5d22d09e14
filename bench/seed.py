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


def insert_select(
    cursor: Any, model: Any, n_sql: str, values: dict[str, str], params: list[Any] | None = None
) -> None:
    """INSERT … SELECT (PostgreSQL, generate_series): every column of the model gets the SQL
    expression given, or its Python default (Django defaults are not database defaults)."""
    columns, exprs, args = [], [], list(params or [])
    for model_field in model._meta.concrete_fields:
        if model_field.primary_key:
            continue
        columns.append(model_field.column)
        if model_field.column in values:
            exprs.append(values[model_field.column].replace("%", "%%"))  # the query has parameters
        elif model_field.null:
            exprs.append("NULL")
        elif model_field.has_default():
            exprs.append("%s")
            args.append(model_field.get_default())
        elif getattr(model_field, "auto_now", False) or getattr(model_field, "auto_now_add", False):
            exprs.append("%s")
            args.append(timezone.now())
        elif model_field.get_internal_type() in {"DecimalField", "IntegerField", "PositiveIntegerField"}:
            exprs.append("0")  # a figure added to the model since the generator was written
        else:
            exprs.append("''")
    source = n_sql.replace("%", "%%")
    sql = f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) SELECT {', '.join(exprs)} FROM {source}"
    cursor.execute(sql, args)


def _array(ids: list[int]) -> str:
    return "(ARRAY[" + ",".join(str(int(i)) for i in ids) + "]::bigint[])"


def generate_orders(
    orders: int,
    *,
    customer_ids: list[int],
    salespeople: list[Any],
    filer: Any,
    billing: bool = True,
    prefix: str = "SO",
) -> None:
    """`orders` orders over two years, generated in PostgreSQL (issue 21: reads at size). The
    last 30 days are open (checks, reviews, approvals, production …) with an open step each of
    the check and review; older ones ended (closed, cancelled; received for a month after
    delivery) with a finished step; closed orders older than half a year are archived (45 % of
    all orders). With
    `billing`, every ended and not cancelled order has a statement and an invoice, paid except a
    share of the last half year's."""
    from django.db import connection

    from oms.archive.models import ArchiveRecord
    from oms.billing.actions.figures import keep_balances
    from oms.billing.models import Invoice, Payment, PaymentMatch, Statement

    policy = PolicyVersion.objects.order_by("-number").first()
    assert policy is not None
    ct = ContentType.objects.get_for_model(SalesOrder).pk
    series = f"generate_series(1, {orders}) AS i"
    age = "(i % 730)"
    day = f"(current_date - {age})"
    open_status = (
        "(ARRAY['pending_check','in_review','in_approval','confirmed','released','in_production','shipped'])"
        "[1 + i % 7]"
    )
    ended_status = "(ARRAY['closed','closed','closed','received','cancelled'])[1 + i % 5]"
    # An order delivered more than a month ago has been accepted and closed: only the last
    # month's deliveries wait at "received" (a fifth of every ended order did before, so 23 % of
    # the table counted as open, far more than a company has; issue 21). The archive still files
    # the closed ones of `ended_status`, so its share is unchanged.
    ended = f"(CASE WHEN {ended_status} = 'received' AND {age} >= 60 THEN 'closed' ELSE {ended_status} END)"
    status = f"(CASE WHEN {age} < 30 THEN {open_status} ELSE {ended} END)"
    n_people = len(salespeople)
    person = f"{_array([u.pk for u in salespeople])}[1 + i % {n_people}]"
    dept = f"{_array([u.department_id for u in salespeople])}[1 + i % {n_people}]"
    customer = f"{_array(customer_ids)}[1 + (i::bigint * 7919) % {len(customer_ids)}]"
    with transaction.atomic(), connection.cursor() as c:
        insert_select(
            c,
            SalesOrder,
            series,
            {
                "policy_version_id": str(policy.pk),
                "number": f"'{prefix}' || lpad(i::text, 8, '0')",
                "status": status,
                "customer_id": customer,
                "contact_name": "'张伟'",
                "contact_phone": "'13912345670'",
                "order_date": day,
                "channel": "'phone'",
                "delivery_date": f"{day} + 30",
                "delivery_place": "'上海'",
                "payment_terms": "'monthly'",
                "total_amount": "(1000 + (i * 37) % 99000)::numeric(18,2)",
                "salesperson_id": person,
                "department_id": dept,
                "external_ref": "'PO-' || (i * 13) % 1000003",
                "submitted_at": f"{day}::timestamptz + interval '9 hours'",
                "confirmed_at": f"CASE WHEN {age} >= 30 THEN ({day} + 1)::timestamptz + interval '10 hours' END",
                "created_by_id": person,
                # Distinct instants within the day, in the order of the ids (as a real system).
                "created_at": f"{day}::timestamptz + (i % 86400) * interval '1 second'",
                "updated_at": f"{day}::timestamptz",
                # M-3 (issue 21): the archive's mark, for the orders filed below.
                "archived": f"({age} >= 180 AND {ended_status} = 'closed')",
            },
        )
        # The i-th generated order's id: one INSERT takes consecutive values of the sequence,
        # which may have moved past the highest id (rolled-back inserts do not give them back).
        first = SalesOrder.objects.filter(number=f"{prefix}{1:08d}").values_list("pk", flat=True).get()
        o = f"({first} + i - 1)"
        insert_select(
            c,
            WorkItem,
            series,
            {
                "kind": "'order.check'",
                "title": f"'初审订单 {prefix}' || lpad(i::text, 8, '0')",
                "content_type_id": str(ct),
                "object_id": o,
                "order_id": o,
                "department_id": dept,
                "status": "'done'",
                "started_at": f"{day}::timestamptz + interval '9 hours'",
                "due_at": f"{day}::timestamptz + interval '12 hours'",
                "closed_at": f"{day}::timestamptz + interval '10 hours'",
                "overdue": "false",
                "outcome": "'done'",
            },
        )
        insert_select(
            c,
            WorkItem,
            f"{series} WHERE {age} < 30 AND i % 7 IN (0, 1)",
            {
                "kind": "CASE WHEN i % 7 = 0 THEN 'order.check' ELSE 'review.task' END",
                "title": f"'待办 {prefix}' || lpad(i::text, 8, '0')",
                "content_type_id": str(ct),
                "object_id": o,
                "order_id": o,
                "assignee_id": f"CASE WHEN i % 7 = 1 THEN {person} END",
                "department_id": dept,
                "status": "'open'",
                "started_at": f"{day}::timestamptz + interval '9 hours'",
                "due_at": f"{day}::timestamptz + interval '33 hours'",
                "overdue": f"{age} > 1",
            },
        )
        # H-6 (issue 21): the risk the overview sorts by, kept on the order as the sweep keeps it.
        c.execute(
            f"UPDATE {SalesOrder._meta.db_table} o SET risk_late = true FROM {WorkItem._meta.db_table} w "
            f"WHERE w.object_id = o.id AND w.content_type_id = %s AND w.status = 'open' AND w.overdue "
            f"AND o.id >= %s",
            [ct, first],
        )
        insert_select(
            c,
            ArchiveRecord,
            f"{series} WHERE {age} >= 180 AND {ended_status} = 'closed'",
            {
                "number": f"'GD{prefix}' || lpad(i::text, 8, '0')",
                "order_id": o,
                "category": "'closed'",
                "status": "'filed'",
                "completed_on": f"{day} + 60",
                "filed_at": f"({day} + 90)::timestamptz",
                "filed_by_id": str(filer.pk),
                "retention_years": "3",
                "retention_until": f"{day} + 1200",
            },
        )
        if not billing:
            return
        statement_lo = Statement.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        insert_select(
            c,
            Statement,
            f"{series} WHERE {age} >= 30 AND {ended_status} <> 'cancelled'",
            {
                "order_id": o,
                "number": f"'JS{prefix}' || i",
                "status": "'approved'",
                "goods_amount": "(1000 + (i * 37) % 99000)::numeric(18,2)",
                "total": "(1000 + (i * 37) % 99000)::numeric(18,2)",
                "reconciled_with": "'张伟'",
                "reconciled_on": f"{day} + 25",
                "prepared_by_id": person,
                "created_at": f"{day}::timestamptz",
            },
        )
        invoice_lo = Invoice.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        # Paid, except three in ten of the last half year's.
        paid = "(NOT (s.id % 10 < 3 AND s.reconciled_on > current_date - 180))"
        insert_select(
            c,
            Invoice,
            f"{Statement._meta.db_table} s JOIN {SalesOrder._meta.db_table} o ON o.id = s.order_id "
            f"WHERE s.id > {statement_lo}",
            {
                "statement_id": "s.id",
                "order_id": "s.order_id",
                "customer_id": "o.customer_id",
                "tax_rate": "0",
                "invoice_type": "'special_vat'",
                "number": f"'FP{prefix}' || s.id",
                "issued_on": "s.reconciled_on",
                "amount": "s.total",
                "tax_amount": "0",
                "due_date": "s.reconciled_on + 30",
                "recorded_by_id": "s.prepared_by_id",
                # Issue 21: the figures each invoice keeps (`oms.billing.actions.figures`), set as
                # the rows are written (an update afterwards would leave every row's old entry in
                # the partial index of the unsettled invoices): a paid one was paid in full five
                # days before its due date.
                "received": f"CASE WHEN {paid} THEN s.total ELSE 0 END",
                "received_on_time": f"CASE WHEN {paid} THEN s.total ELSE 0 END",
                "settled": paid,
            },
        )
        payment_lo = Payment.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        insert_select(
            c,
            Payment,
            f"{Invoice._meta.db_table} v JOIN {Statement._meta.db_table} s ON s.id = v.statement_id "
            f"JOIN {SalesOrder._meta.db_table} o ON o.id = s.order_id "
            f"WHERE v.id > {invoice_lo} AND v.settled",
            {
                "number": f"'SK{prefix}' || v.id",
                "customer_id": "o.customer_id",
                "amount": "v.amount",
                "currency": "'CNY'",
                "received_on": "v.due_date - 5",
                "method": "'transfer'",
                "reference": f"'R{prefix}' || v.id",
                "recorded_by_id": "v.recorded_by_id",
            },
        )
        insert_select(
            c,
            PaymentMatch,
            f"{Payment._meta.db_table} r JOIN {Invoice._meta.db_table} v ON r.reference = 'R{prefix}' || v.id "
            f"WHERE r.id > {payment_lo}",
            {"payment_id": "r.id", "invoice_id": "v.id", "amount": "v.amount"},
        )
        # Issue 21: the open balances kept per customer (`OpenBalance`), as the billing actions keep them.
        keep_balances(customer_ids)


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
            late = [pk for pk, status in created if status == "pending_check" and pk % 48 < 24]
            SalesOrder.objects.filter(pk__in=late).update(risk_late=True)  # H-6, as the sweep keeps it
            n += len(orders)
