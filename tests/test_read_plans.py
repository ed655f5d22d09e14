"""Every list a user opens reads the orders through an index at size, for every role's scope
(issue 21, S-1, M-3, H-5, L-4).

A flat query count held while the orders list grew from 93 ms to over 20 s (10^4 → 10^6 orders):
the archive exclusion became a LEFT JOIN that PostgreSQL estimated at one row, so it read and
sorted the whole table. Here 10^5 orders (45 % archived) are generated in the database and
analysed; each page is requested as each role, and the plan of every statement it sends that
reads the orders must walk an index of the orders: no sequential scan of the table, no sort of
more than a page's worth of rows. PostgreSQL only: the plans are PostgreSQL's, and SQLite's
planner is not what production runs.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.seed import generate_orders
from conftest import make_user
from oms.accounts.models import Role
from oms.core.models import pinyin_initials
from oms.customers.models import Customer, Region

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the plans checked are PostgreSQL's (production and CI); SQLite plans differ",
    ),
]

ORDERS = 100_000
# A sort may order what one page (or the capped count) reads, never the table.
MAX_SORTED_ROWS = 5_000


def _nodes(plan: dict[str, Any]) -> list[dict[str, Any]]:
    found = [plan]
    for child in plan.get("Plans", []):
        found.extend(_nodes(child))
    return found


# Issue 21 (L-4): the tables of the receivables ledger and the statement of account, checked as
# the orders are: read through an index, never scanned whole.
CHECKED = ("orders_salesorder", "billing_invoice")


def _problems(sql: str) -> list[str]:
    """What is wrong with the plan of one statement that reads the orders or the invoices."""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
        raw = cursor.fetchone()[0]
    plan = (json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"]
    nodes = _nodes(plan)
    problems = []
    for table in CHECKED:
        if table not in sql:
            continue
        on_table = [n for n in nodes if n.get("Relation Name") == table]
        if any(n["Node Type"] == "Seq Scan" for n in on_table):
            problems.append(f"Seq Scan on {table}")
        if not any(n["Node Type"] in {"Index Scan", "Index Only Scan", "Bitmap Heap Scan"} for n in on_table):
            problems.append(f"no index walk on {table}")
    for node in nodes:
        if node["Node Type"] in {"Sort", "Incremental Sort"} and node["Plan Rows"] > MAX_SORTED_ROWS:
            problems.append(f"{node['Node Type']} of {node['Plan Rows']} rows")
    return problems


@pytest.fixture
def company(org: dict[str, Any], auditor: Any) -> dict[str, Any]:
    """Five sales teams of four under the sales department, 200 customers, 10^5 orders of two
    years (the older closed ones archived) with their steps and invoices; then ANALYZE, as
    autovacuum would after a bulk load."""
    sales_dept = org["sales"].department
    people = [org["sales"]] + [make_user(f"rep{i:02d}", kind="sales") for i in range(19)]
    teams = [make_user(f"teamhead{i}", kind="sales", role=Role.HEAD) for i in range(1)]
    from oms.accounts.models import Department

    sub = Department.objects.create(code="sales-east", name="华东销售", kind="sales", parent=sales_dept)
    for person in people[10:]:
        person.department = sub
        person.save(update_fields=["department"])
    region = Region.objects.first() or Region.objects.create(code="east", name="华东", country="CN")
    names = [
        f"上海{'金星宏达恒通华兴鑫源'[i % 10]}{'机械电气精工重工科技'[(i // 10) % 10]}有限公司{i}"
        for i in range(200)
    ]
    customers = Customer.objects.bulk_create(
        [
            Customer(code=f"T{i:04d}", name=n, pinyin=pinyin_initials(n), region=region, credit_limit=1)
            for i, n in enumerate(names)
        ]
    )
    generate_orders(ORDERS, customer_ids=[c.pk for c in customers], salespeople=people, filer=org["exec"])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "roles": {
            "salesperson": org["sales"],
            "head": org["head"],
            "finance": org["finance_head"],
            "executive": org["exec"],
            "auditor": auditor,
            "team head": teams[0],
        },
        "customer": customers[42],
    }


def _reads(company: dict[str, Any]) -> list[tuple[str, str, int]]:
    """(read, url, statement budget): what the sales head reaches (session; the user with their
    department, the policy in force and the unread messages in one statement, `oms.web.auth`;
    their department tree; the read and its count; issue 21)."""
    customer = company["customer"]
    return [
        ("orders list", "/orders/", 5),
        ("orders list, page 3", "/orders/?page=3", 5),
        ("orders list, status", "/orders/?status=pending_check", 5),
        ("API latest 50", "/api/orders/?page_size=50", 7),
        ("customer's latest 50", f"/api/orders/?customer_id={customer.pk}&page_size=50", 7),
        ("search by number", "/orders/?q=SO00054321", 5),
        ("search by customer name", f"/orders/?q={customer.name}", 6),
        ("search by pinyin", f"/orders/?q={customer.pinyin}", 6),
        ("API search by name", f"/api/orders/?q={customer.name}&page_size=50", 8),
        ("my work", "/work/", 7),
        ("tracking overview", "/tracking/overview/", 14),
        # Issue 21 (L-4): the receivables ledger's views and the customer's statement of account.
        ("receivables", "/receivables/", 12),
        ("receivables, overdue", "/receivables/?overdue=1", 12),
        ("receivables, settled", "/receivables/?show=settled", 13),
        ("receivables, all, page 2", "/receivables/?show=all&page=2", 13),
        # The statement's customer is searched (its picker), not listed: the page reads none.
        ("statement of account, customers", "/receivables/account/", 4),
        ("statement of account, picker", f"/receivables/account/customers/?customer_q={customer.pinyin}", 5),
        ("statement of account", f"/receivables/account/?customer={customer.pk}", 8),
        ("statement of account, typed", f"/receivables/account/?customer_q={customer.code}", 8),
    ]


def test_every_list_walks_an_index_of_the_orders(client, company, django_assert_max_num_queries) -> None:
    failures = []
    for role, user in company["roles"].items():
        client.force_login(user)
        for read, url, budget in _reads(company):
            with CaptureQueriesContext(connection) as ctx, django_assert_max_num_queries(budget):
                response = client.get(url)
            if response.status_code == 404 and (read == "tracking overview" or read.startswith("statement")):
                continue  # a page only heads, the executive and the auditor open; a customer out of scope
            if response.status_code == 422 and read == "statement of account, typed":
                continue  # a customer out of scope is a name nobody has (S-1)
            assert response.status_code == 200, (role, read, response.status_code)
            for query in ctx.captured_queries:
                sql = query["sql"]
                if not any(t in sql for t in CHECKED) or not sql.lstrip().upper().startswith("SELECT"):
                    continue
                for problem in _problems(sql):
                    failures.append(f"{role} · {read}: {problem}\n    {sql[:300]}")
    assert not failures, "\n".join(failures)


def test_the_kept_open_balances_of_a_narrowed_scope_are_read_through_an_index(company) -> None:
    """Issue 21 (L-4): the open ledger's totals of a salesperson add up their own rows of
    `billing_openbalance` (by the salesperson's index), not the company's. (This company's heads
    lead the whole sales tree, whose rows are all of the table: a scan is their right plan.)"""
    from django.utils import timezone

    from oms.billing.models import OpenBalance
    from oms.billing.receivables import _kept_totals
    from oms.orders.selectors import by_seller_in_scope

    user = company["roles"]["salesperson"]
    kept = by_seller_in_scope(OpenBalance.objects.all(), user, person="salesperson", department="department")
    assert kept is not None
    with CaptureQueriesContext(connection) as ctx:
        _kept_totals(kept, timezone.localdate())
    (query,) = ctx.captured_queries
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + query["sql"])
        raw = cursor.fetchone()[0]
    nodes = _nodes((json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"])
    on_table = [n for n in nodes if n.get("Relation Name") == "billing_openbalance"]
    assert on_table and not any(n["Node Type"] == "Seq Scan" for n in on_table)


def test_the_open_and_overdue_pages_walk_the_kept_unsettled_orders(company) -> None:
    """Issue 21 (L-4): the ledger's open and overdue pages read the kept `billing_unsettledorder`
    rows in the order of an index (oldest due first; a salesperson's by their own index), never
    scanned whole nor sorted: the overdue view is a range of that index, not a search of every
    unsettled invoice for the orders with one past due."""
    from django.utils import timezone

    from oms.billing.receivables import _unsettled_orders

    failures = []
    for role in ("salesperson", "finance", "executive", "auditor"):
        for overdue in (False, True):
            page = _unsettled_orders(company["roles"][role], today=timezone.localdate(), overdue=overdue)[:50]
            sql, params = page.query.sql_with_params()
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
                raw = cursor.fetchone()[0]
            nodes = _nodes((json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"])
            on_table = [n for n in nodes if n.get("Relation Name") == "billing_unsettledorder"]
            if not on_table or any(n["Node Type"] not in {"Index Scan", "Index Only Scan"} for n in on_table):
                failures.append(f"{role}, overdue={overdue}: {[n['Node Type'] for n in on_table]}")
            if any(n["Node Type"] in {"Sort", "Incremental Sort"} for n in nodes):
                failures.append(f"{role}, overdue={overdue}: sorted")
    assert not failures, "\n".join(failures)
