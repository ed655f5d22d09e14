"""The analysis benchmark's data (bench/analytics.py): 10^6 orders with their steps, shipments,
statements, invoices, ratings, changes and complaints, generated in the database with
generate_series. Not a test."""

from __future__ import annotations

import time
from typing import Any


def _insert(
    cursor: Any, model: Any, n_sql: str, values: dict[str, str], params: list[Any] | None = None
) -> None:
    """INSERT … SELECT over generate_series: every column of the model gets the SQL expression
    given, or its Python default (Django defaults are not database defaults)."""
    from django.utils import timezone

    columns, exprs, args = [], [], list(params or [])
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(field.column)
        if field.column in values:
            exprs.append(values[field.column].replace("%", "%%"))  # the query has parameters
        elif field.null:
            exprs.append("NULL")
        elif field.has_default():
            default = field.get_default()
            exprs.append("%s")
            args.append(default)
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            exprs.append("%s")
            args.append(timezone.now())
        else:
            exprs.append("''")
    source = n_sql.replace("%", "%%")
    sql = f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) SELECT {', '.join(exprs)} FROM {source}"
    cursor.execute(sql, args)


def generate(orders: int) -> None:
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction

    from oms.accounts.models import Department, DepartmentKind, Role, User
    from oms.billing.models import Invoice, Payment, PaymentMatch, Statement
    from oms.changes.models import ChangeRequest
    from oms.customers.models import Customer, Region
    from oms.delivery.models import Acceptance
    from oms.feedback.models import Answer, Complaint, Invitation
    from oms.fulfilment.models import Shipment
    from oms.orders.models import SalesOrder
    from oms.policy.models import PolicyVersion
    from oms.tracking.models import WorkItem

    top = Department.objects.get(code="management")
    teams = [
        Department.objects.create(code=f"sales{i}", name=f"销售{i}部", kind=DepartmentKind.SALES, parent=top)
        for i in range(1, 6)
    ]
    people = [
        User.objects.create(
            username=f"s{i:02d}",
            last_name="业务",
            first_name=f"{i:02d}",
            department=teams[i % 5],
            role=Role.STAFF,
        )
        for i in range(50)
    ]
    regions = list(Region.objects.order_by("pk"))
    Customer.objects.bulk_create(
        [
            Customer(
                code=f"B{i:05d}",
                name=f"基准客户{i:05d}",
                region=regions[i % len(regions)],
                grade="ABC"[i % 3],
                credit_limit=1,
            )
            for i in range(2000)
        ]
    )
    customer_lo = Customer.objects.filter(code="B00000").values_list("pk", flat=True).get()
    person_lo = people[0].pk
    policy = PolicyVersion.objects.order_by("-number").first()
    assert policy is not None
    ct = ContentType.objects.get_for_model(SalesOrder).pk
    base = SalesOrder.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    series = f"generate_series(1, {orders}) AS i"
    day = "(current_date - (i % 730))"
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as c:
        _insert(
            c,
            SalesOrder,
            series,
            {
                "policy_version_id": str(policy.pk),
                "number": "'AN' || lpad(i::text, 8, '0')",
                "status": "(ARRAY['closed','received','shipped','confirmed','in_production'])[1 + i % 5]",
                "customer_id": f"{customer_lo} + (i::bigint * 7919) % 2000",
                "contact_name": "'张伟'",
                "contact_phone": "'13912345670'",
                "order_date": day,
                "channel": "'phone'",
                "delivery_date": f"{day} + 30",
                "delivery_place": "'上海'",
                "payment_terms": "'monthly'",
                "total_amount": "(1000 + (i * 37) % 99000)::numeric(18,2)",
                "salesperson_id": f"{person_lo} + i % 50",
                "department_id": f"(SELECT department_id FROM accounts_user WHERE id = {person_lo} + i % 50)",
                "submitted_at": f"{day}::timestamptz + interval '9 hours'",
                "confirmed_at": f"({day} + 1)::timestamptz + interval '10 hours'",
                "created_by_id": f"{person_lo} + i % 50",
                "created_at": f"{day}::timestamptz",
                "updated_at": f"{day}::timestamptz",
            },
        )
        first = base + 1
        o = f"({first} + i - 1)"  # the i-th generated order's id (a fresh sequence, in order)
        for k, kind in enumerate(("review.task", "approval.step", "order.confirmation")):
            _insert(
                c,
                WorkItem,
                series,
                {
                    "kind": f"'{kind}'",
                    "title": "'步骤 ' || i",
                    "content_type_id": str(ct),
                    "object_id": o,
                    "order_id": o,
                    "assignee_id": f"{person_lo} + i % 50",
                    "department_id": f"(SELECT department_id FROM accounts_user WHERE id = {person_lo} + i % 50)",
                    "status": "'done'",
                    "started_at": f"{day}::timestamptz + interval '{9 + k} hours'",
                    "due_at": f"{day}::timestamptz + interval '{12 + k} hours'",
                    "closed_at": f"{day}::timestamptz + interval '{10 + k} hours' + (CASE WHEN (i + {k}) % 9 = 0 THEN interval '1 day' ELSE interval '0' END)",
                    "overdue": f"(i + {k}) % 9 = 0",
                    "outcome": "'done'",
                },
            )
        shipped = f"generate_series(1, {orders}) AS i WHERE i % 10 < 7"
        _insert(
            c,
            Shipment,
            shipped,
            {
                "order_id": o,
                "number": "1",
                "mode": "'pickup'",
                "shipped_on": f"{day} + 20",
                "created_by_id": f"{person_lo} + i % 50",
            },
        )
        shipment_lo = Shipment.objects.order_by("pk").values_list("pk", flat=True).first() or 0
        _insert(
            c,
            Acceptance,
            f"{Shipment._meta.db_table} s WHERE s.id >= {shipment_lo}",
            {
                "shipment_id": "s.id",
                "order_id": "s.order_id",
                "result": "CASE WHEN s.id % 10 = 0 THEN 'remarks' ELSE 'accepted' END",
                "received_on": "s.shipped_on + 1",
                "accepted_by_name": "'张伟'",
                "method": "'staff'",
                "signed_note": "'x.pdf'",
                "recorded_by_id": "s.created_by_id",
            },
        )
        settled = f"generate_series(1, {orders}) AS i WHERE i % 2 = 0"
        _insert(
            c,
            Statement,
            settled,
            {
                "order_id": o,
                "number": "'JS' || i",
                "status": "'approved'",
                "goods_amount": "(1000 + (i * 37) % 99000)::numeric(18,2)",
                "total": "(1000 + (i * 37) % 99000)::numeric(18,2)",
                "reconciled_with": "'张伟'",
                "reconciled_on": f"{day} + 25",
                "prepared_by_id": f"{person_lo} + i % 50",
                "created_at": f"{day}::timestamptz",
            },
        )
        _insert(
            c,
            Invoice,
            f"{Statement._meta.db_table} s JOIN {SalesOrder._meta.db_table} o ON o.id = s.order_id",
            {
                "statement_id": "s.id",
                "order_id": "s.order_id",
                "customer_id": "o.customer_id",
                "tax_rate": "13",
                "invoice_type": "'special_vat'",
                "number": "'FP' || s.id",
                "issued_on": "s.reconciled_on",
                "amount": "s.total",
                "tax_amount": "0",
                "due_date": "s.reconciled_on + 30",
                "recorded_by_id": "s.prepared_by_id",
            },
        )
        _insert(
            c,
            Payment,
            f"{Invoice._meta.db_table} v JOIN {Statement._meta.db_table} s ON s.id = v.statement_id "
            f"JOIN {SalesOrder._meta.db_table} o ON o.id = s.order_id WHERE v.id % 8 <> 0",
            {
                "number": "'SK' || v.id",
                "customer_id": "o.customer_id",
                "amount": "v.amount",
                "currency": "'CNY'",
                "received_on": "v.due_date - 5 + ((v.id % 7) * 2)::int",
                "method": "'transfer'",
                "reference": "'R' || v.id",
                "recorded_by_id": "v.recorded_by_id",
            },
        )
        _insert(
            c,
            PaymentMatch,
            f"{Payment._meta.db_table} r JOIN {Invoice._meta.db_table} v ON r.reference = 'R' || v.id",
            {"payment_id": "r.id", "invoice_id": "v.id", "amount": "v.amount"},
        )
        # Issue 21: the figures each invoice keeps (`oms.billing.actions.figures`), which the
        # collection rate reads: paid in full, on time when received by the due date.
        c.execute(
            f"UPDATE {Invoice._meta.db_table} v SET received = v.amount, settled = true, "
            "received_on_time = CASE WHEN r.received_on <= v.due_date THEN v.amount ELSE 0 END "
            f"FROM {Payment._meta.db_table} r WHERE r.reference = 'R' || v.id"
        )
        rated = f"generate_series(1, {orders}) AS i WHERE i % 10 = 3"
        _insert(
            c,
            Invitation,
            rated,
            {
                "kind": "'closing'",
                "order_id": o,
                "customer_id": f"{customer_lo} + (i::bigint * 7919) % 2000",
                "salesperson_id": f"{person_lo} + i % 50",
                "created_at": f"{day}::timestamptz",
                "answered_at": f"({day} + 40)::timestamptz",
                "token_hash": "''",
                "respondent": "'张伟'",
            },
        )
        _insert(
            c,
            Answer,
            f"{Invitation._meta.db_table} v",
            {
                "invitation_id": "v.id",
                "question_key": "'closing'",
                "question_text": "'整体满意度'",
                "score": "(2 + v.id % 4)::int",
                "scale": "5",
                "answered_at": "v.answered_at",
            },
        )
        changed = f"generate_series(1, {orders}) AS i WHERE i % 50 = 7"
        _insert(
            c,
            ChangeRequest,
            changed,
            {
                "order_id": o,
                "number": "'BG' || i",
                "kind": "'change'",
                "source": "'department'",
                "status": "'approved'",
                "raised_by_id": f"{person_lo} + i % 50",
                "department_id": f"(SELECT department_id FROM accounts_user WHERE id = {person_lo} + i % 50)",
                "reason": "'x'",
                "impact": "'x'",
                "proposal": "'{}'::jsonb",
                "summary": "'[]'::jsonb",
                "aspects": "'[]'::jsonb",
                "touched_lines": "'[]'::jsonb",
                "touched_terms": "'[]'::jsonb",
                "departments": "'[]'::jsonb",
                "loss_facts": "'{}'::jsonb",
                "base_version": "1",
                "created_at": f"({day} + 3)::timestamptz",
            },
        )
        complained = f"generate_series(1, {orders}) AS i WHERE i % 200 = 11"
        _insert(
            c,
            Complaint,
            complained,
            {
                "number": "'TS' || i",
                "order_id": o,
                "category": "'quality'",
                "description": "'x'",
                "complainant": "'张伟'",
                "received_at": f"({day} + 45)::timestamptz",
                "answer_due_at": f"({day} + 47)::timestamptz",
                "status": "'closed'",
                "registered_by_id": f"{person_lo} + i % 50",
                "handler_id": f"{person_lo} + i % 50",
                "materials": "'[]'::jsonb",
            },
        )
    print(f"generated {orders} orders with their records in {time.perf_counter() - started:.0f} s")
    from oms.tracking.actions import rollup_steps

    started = time.perf_counter()
    rows = rollup_steps()
    print(f"step statistics built from scratch: {rows} rows in {time.perf_counter() - started:.1f} s")
    from django.db import transaction

    from oms.tracking.actions import collection, confirmed
    from oms.tracking.actions.outcomes import rebuild

    started = time.perf_counter()
    with transaction.atomic():
        rebuild()  # the rows above were written straight to the tables, not by the actions (ADR 0018)
        collection.rebuild()  # and the collection rate's and the dashboard's sums (ADR 0019)
        confirmed.rebuild()
    print(f"order KPIs kept per month, built from scratch: {time.perf_counter() - started:.1f} s")
    from oms.billing.actions.figures import keep_balances
    from oms.customers.models import Customer

    started = time.perf_counter()
    with transaction.atomic():
        # The open balances (ADR 0017), as the billing actions keep them, so that
        # `check_invoice_figures` agrees on generated data.
        keep_balances(Customer.objects.values_list("pk", flat=True))
    print(f"open balances kept per customer, built from scratch: {time.perf_counter() - started:.1f} s")
    with connection.cursor() as c:
        # What autovacuum does in production: statistics, and the visibility map that lets the
        # covering indexes answer without reading the rows.
        c.execute("VACUUM ANALYZE")
