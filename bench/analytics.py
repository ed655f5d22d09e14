"""Analysis benchmark (issue 10, O-1, O-3, Q-1): the dashboard, the KPI pages, a drill-down and
the monthly assessment on 10^6 orders with their steps, on PostgreSQL.

Not a test: it prints figures. The data is generated in the database with generate_series (a
few minutes for 10^6 orders), in a scratch database on the server that OMS_DATABASE_URL names
(`oms_bench_analytics`, or the name in OMS_BENCH_ANALYTICS_DB, so that runs side by side do not
drop each other's data); the server's other databases are left alone:

    OMS_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/analytics.py \
        [--orders 1000000] [--requests 5] [--keep] [--profile] [--only PAGE,...]

`--profile` prints, per page, the SQL time against the whole request and its costliest
statements; `--only` measures the pages whose names start with the words given.

Per order: three finished steps (review, approval, confirmation; about 1 in 9 late); 70 % are
shipped and signed for (1 in 10 with remarks); half are settled and invoiced, most paid on
time; 1 in 10 was rated by the customer; 1 in 50 has an internally raised approved change;
1 in 200 a complaint. 2000 customers in 5 regions, 50 salespeople in 5 sales teams, two years
of order dates.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SCRATCH = os.environ.get("OMS_BENCH_ANALYTICS_DB", "oms_bench_analytics")


def _scratch_database(keep: bool) -> str:
    url = os.environ.get("OMS_DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("bench/analytics.py measures PostgreSQL: set OMS_DATABASE_URL=postgres://…")
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [SCRATCH]).fetchone()
        if exists and keep:
            return url.rpartition("/")[0] + f"/{SCRATCH}"
        conn.execute(f'DROP DATABASE IF EXISTS "{SCRATCH}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{SCRATCH}"')
    return url.rpartition("/")[0] + f"/{SCRATCH}"


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


def _profile(client: Any, url: str, top: int = 6) -> None:
    """One request's statements by time: where the page's time goes (SQL or Python)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        client.get(url)
        whole = (time.perf_counter() - start) * 1000
    timed = sorted(((float(q["time"]) * 1000, q["sql"]) for q in ctx.captured_queries), reverse=True)
    sql = sum(t for t, _q in timed)
    print(
        f"    request {whole:.0f} ms, SQL {sql:.0f} ms in {len(timed)} statements, the rest {whole - sql:.0f} ms"
    )
    for t, q in timed[:top]:
        print(f"    {t:7.1f} ms  {' '.join(q.split())[:220]}")


def _time(client: Any, url: str, n: int) -> tuple[float, float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times = []
    queries = 0
    for _ in range(n):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(ctx.captured_queries)
    return statistics.median(times), max(times), queries


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="reuse the scratch database of an earlier run")
    parser.add_argument("--profile", action="store_true", help="the costliest statements of each page")
    parser.add_argument("--only", default="", help="comma-separated page names (prefixes) to measure")
    parser.add_argument(
        "--as-is",
        action="store_true",
        help="measure the kept database as it is (e.g. a copy of bench/reads.py's): no data generated, "
        "no sweep run, so that runs before and after a change read the same rows",
    )
    parser.add_argument("--roles", default="executive", help="comma-separated usernames to request as")
    args = parser.parse_args()

    url = _scratch_database(args.keep)
    reuse = args.keep and url.endswith(SCRATCH)
    os.environ["OMS_DATABASE_URL"] = url
    os.environ.setdefault("OMS_VAR_DIR", tempfile.mkdtemp())
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from oms.orders.models import SalesOrder

    call_command("migrate", verbosity=0)
    if args.as_is:
        if not reuse:
            sys.exit("--as-is measures a kept database: give --keep and an existing OMS_BENCH_ANALYTICS_DB")
        _measure(args)
        return
    if not SalesOrder.objects.filter(number__startswith="AN").exists() or not reuse:
        call_command("load_demo", stdout=open(os.devnull, "w"))
        generate(args.orders)
    from oms.tracking.actions import rollup_steps

    started = time.perf_counter()
    rollup_steps()
    print(
        f"step statistics, the sweep's regular update (from the last day recorded): {(time.perf_counter() - started) * 1000:.0f} ms"
    )
    from oms.analytics.actions import record_closed_months

    started = time.perf_counter()
    added = record_closed_months(timezone.now())
    print(
        f"closed months' KPI figures recorded by the sweep: {added} in {time.perf_counter() - started:.1f} s"
    )
    _measure(args)


def _measure(args: Any) -> None:
    from django.db import connection
    from django.test import Client

    from oms.accounts.models import User
    from oms.orders.models import SalesOrder

    with connection.cursor() as c:
        c.execute("SELECT version()")
        print(
            f"engine: {c.fetchone()[0].split(',')[0]}  orders: {SalesOrder.objects.count()}  python: {sys.version.split()[0]}"
        )
    for role in [r.strip() for r in args.roles.split(",") if r.strip()]:
        client = Client()
        client.force_login(User.objects.get(username=role))
        print(f"as {role}")
        _pages(client, args)


def _pages(client: Any, args: Any) -> None:
    from django.utils import timezone

    from oms.accounts.models import User

    month = f"{timezone.localdate().replace(day=1) - timedelta(days=1):%Y-%m}"
    pages = [
        ("dashboard (12 months)", "/analytics/dashboard/"),
        (
            "dashboard, one team and grade",
            f"/analytics/dashboard/?department={User.objects.get(username='s01').department_id}&grade=A",
        ),
        ("KPIs by department", f"/analytics/kpis/?month={month}&by=department"),
        ("KPIs by person", f"/analytics/kpis/?month={month}&by=person"),
        (
            "KPI records (one person)",
            f"/analytics/kpis/records/?kpi=order_accuracy&month={month}&by=person&key={User.objects.get(username='s01').pk}",
        ),
        ("monthly assessment", f"/analytics/assessment/?month={month}"),
    ]
    only = [w.strip() for w in args.only.split(",") if w.strip()]
    print(f"{'page':34} {'median ms':>10} {'max ms':>8} {'queries':>8}")
    for name, path in pages:
        if only and not any(name.startswith(w) for w in only):
            continue
        if client.get(path).status_code != 200:  # warm the connection and the caches once
            print(f"{name:34} {'not shown to this role':>28}")
            continue
        median, worst, queries = _time(client, path, args.requests)
        print(f"{name:34} {median:10.0f} {worst:8.0f} {queries:8d}", flush=True)
        if args.profile:
            _profile(client, path)


if __name__ == "__main__":
    main()
