"""Reads at size (issue 21): every list a user opens, for every role's scope, on 10^6 orders with
a realistic share of archived ones, on PostgreSQL.

Not a test: it prints figures. The data is generated in the database with generate_series, in a
scratch database of its own on the server that OMS_DATABASE_URL names (`OMS_BENCH_DB`, default
`bench_reads`); the server's other databases are left alone:

    OMS_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/reads.py \
        [--orders 1000000] [--requests 7] [--keep] [--timeout-ms 20000]

`--keep` reuses the data of an earlier run (migrations are applied to it first), so the same
rows are timed before and after a change. Each read is requested once to warm up, then
`--requests` times; the median and the worst are printed with the number of statements. A
statement running past `--timeout-ms` is cancelled and printed as such.

The data: two years of orders; orders of the last 30 days are open (at the check, in review,
in approval, in production …), the older ones ended; closed orders past half a year are
archived (45 % of all orders); every order has a finished step, open ones an open step;
every ended order has a statement and an invoice, most of them paid. 2000 customers with
Chinese names and their pinyin initials; 50 salespeople in 5 sales teams.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SCRATCH = os.environ.get("OMS_BENCH_DB", "bench_reads")

_FIRST = "华东 金星 长江 东方 宏达 恒通 华兴 鑫源 永盛 天成 瑞丰 安泰 新华 中联 汇丰 立信 联合 海天 嘉禾 正泰".split()
_SECOND = "机械 电气 精工 重工 科技 实业 制造 五金 自动化 传动 液压 模具 材料 设备 仪表 光电 环保 化工 纺织 包装".split()
_CITY = "上海 苏州 无锡 宁波 杭州".split()


def _scratch_database(keep: bool) -> tuple[str, bool]:
    url = os.environ.get("OMS_DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("bench/reads.py measures PostgreSQL: set OMS_DATABASE_URL=postgres://…")
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [SCRATCH]).fetchone()
        if not (exists and keep):
            conn.execute(f'DROP DATABASE IF EXISTS "{SCRATCH}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{SCRATCH}"')
    return url.rpartition("/")[0] + f"/{SCRATCH}", bool(exists and keep)


def generate(orders: int) -> None:
    from django.db import connection

    from bench.seed import generate_orders
    from oms.accounts.models import Department, Role, User
    from oms.core.models import pinyin_initials
    from oms.customers.models import Customer, Region

    sales = Department.objects.get(code="sales")
    teams = [
        Department.objects.create(code=f"sales{i}", name=f"销售{i}部", kind=sales.kind, parent=sales)
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
    User.objects.create(
        username="h1", last_name="销售一部", first_name="经理", department=teams[1], role=Role.HEAD
    )
    regions = list(Region.objects.order_by("pk"))
    names = [f"{_CITY[i % 5]}{_FIRST[(i // 5) % 20]}{_SECOND[(i // 100) % 20]}有限公司" for i in range(2000)]
    customers = Customer.objects.bulk_create(
        [
            Customer(
                code=f"B{i:05d}",
                name=name,
                pinyin=pinyin_initials(name),
                region=regions[i % len(regions)],
                grade="ABC"[i % 3],
                credit_limit=1,
            )
            for i, name in enumerate(names)
        ]
    )
    started = time.perf_counter()
    generate_orders(
        orders,
        customer_ids=[c.pk for c in customers],
        salespeople=people,
        filer=User.objects.get(username="admin"),
    )
    print(f"generated {orders} orders with their records in {time.perf_counter() - started:.0f} s")
    started = time.perf_counter()
    with connection.cursor() as c:
        c.execute("VACUUM ANALYZE")  # what autovacuum does after a bulk load
    print(f"VACUUM ANALYZE in {time.perf_counter() - started:.0f} s")


def _time(client: Any, url: str, n: int, **headers: Any) -> tuple[float, float, float, float, int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times = []
    cpu_times = []  # this process's CPU: the Python of the request, whatever waits for a core
    sql_times = []
    queries = 0
    status = 0
    for _ in range(n):
        with CaptureQueriesContext(connection) as ctx:
            start, cpu = time.perf_counter(), time.process_time()
            response = client.get(url, **headers)
            times.append((time.perf_counter() - start) * 1000)
            cpu_times.append((time.process_time() - cpu) * 1000)
        status = response.status_code
        queries = len(ctx.captured_queries)
        sql_times.append(sum(float(q["time"]) for q in ctx.captured_queries) * 1000)
        if sum(times) > 10_000:
            break  # a read of seconds is measured often enough
    return (
        statistics.median(times),
        max(times),
        statistics.median(cpu_times),
        statistics.median(sql_times),
        queries,
        status,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=int(os.environ.get("OMS_BENCH_ORDERS", 1_000_000)))
    parser.add_argument("--requests", type=int, default=7)
    parser.add_argument("--timeout-ms", type=int, default=20_000)
    parser.add_argument("--keep", action="store_true", help="reuse the scratch database of an earlier run")
    parser.add_argument("--only", default="", help="comma-separated read names to time")
    parser.add_argument("--roles", default="", help="comma-separated roles to time")
    args = parser.parse_args()

    url, reuse = _scratch_database(args.keep)
    os.environ["OMS_DATABASE_URL"] = url
    os.environ.setdefault("OMS_VAR_DIR", tempfile.mkdtemp())
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import logging

    import django

    django.setup()
    logging.getLogger("django.request").setLevel(logging.CRITICAL)  # timeouts are printed below
    from django.core.management import call_command
    from django.db import connection
    from django.db.utils import OperationalError
    from django.test import Client

    from oms.accounts.models import User
    from oms.archive.models import ArchiveRecord
    from oms.customers.models import Customer
    from oms.orders.models import SalesOrder

    started = time.perf_counter()
    plan = io.StringIO()
    call_command("showmigrations", "--plan", stdout=plan)
    call_command("migrate", verbosity=0)
    print(f"migrate: {time.perf_counter() - started:.1f} s")
    if reuse and "[ ]" in plan.getvalue():
        # A migration that filled a column of kept data (issue 21) left the planner's statistics
        # behind; autovacuum would analyse the tables soon after, so the bench does it first.
        with connection.cursor() as c:
            c.execute("VACUUM ANALYZE")
    if not reuse or not SalesOrder.objects.filter(number__startswith="SO").exists():
        call_command("load_demo", stdout=open(os.devnull, "w"))
        generate(args.orders)
    with connection.cursor() as c:
        c.execute("SELECT version()")
        engine = c.fetchone()[0].split(",")[0]
        c.execute(f"SET statement_timeout = {args.timeout_ms}")
    total = SalesOrder.objects.count()
    archived = ArchiveRecord.objects.count()
    print(
        f"engine: {engine}  orders: {total}  archived: {archived} ({100 * archived / max(total, 1):.0f} %)  "
        f"python: {sys.version.split()[0]}"
    )

    customer = Customer.objects.get(code="B00042")
    some_order = SalesOrder.objects.filter(number__startswith="SO").order_by("pk")[total // 2]
    roles = [
        ("salesperson", "s01"),
        ("head", "h1"),
        ("finance", "finance_staff"),
        ("executive", "executive"),
        ("auditor", "auditor"),
    ]
    reads = [
        ("orders list", "/orders/"),
        ("orders list page 3", "/orders/?page=3"),
        ("API latest 50", "/api/orders/?page_size=50"),
        ("customer's latest 50", f"/api/orders/?customer_id={customer.pk}&page_size=50"),
        ("search number", f"/orders/?q={some_order.number}"),
        ("search customer name", f"/orders/?q={customer.name}"),
        ("search pinyin", f"/orders/?q={customer.pinyin}"),
        ("API search name", f"/api/orders/?q={customer.name}&page_size=50"),
        ("my work", "/work/"),
        ("receivables", "/receivables/"),
        # Issue 21: the ledger's other views and the statement of account.
        ("receivables overdue", "/receivables/?overdue=1"),
        ("receivables settled", "/receivables/?show=settled"),
        ("receivables all p2", "/receivables/?show=all&page=2"),
        ("account customers", "/receivables/account/"),
        ("statement of account", f"/receivables/account/?customer={customer.pk}"),
        ("tracking overview", "/tracking/overview/"),
    ]
    only = {s.strip() for s in args.only.split(",") if s.strip()}
    print(
        f"{'role':12} {'read':24} {'median ms':>10} {'max ms':>9} {'cpu ms':>7} {'sql ms':>8} {'queries':>8} {'status':>7}"
    )
    wanted_roles = {s.strip() for s in args.roles.split(",") if s.strip()}
    for role, username in roles:
        if wanted_roles and role not in wanted_roles:
            continue
        client = Client()
        client.force_login(User.objects.get(username=username))
        for name, path in reads:
            if only and name not in only:
                continue
            try:
                if not name.startswith("receivables") and name != "tracking overview":
                    client.get(path)  # warm the connection and the caches once (not for reads of seconds)
                median, worst, cpu, sql, queries, status = _time(client, path, args.requests)
            except OperationalError as exc:  # the statement timeout
                print(
                    f"{role:12} {name:24} {'> ' + str(args.timeout_ms):>10} {'':>9} {'':>8} {str(exc)[:30]}"
                )
                connection.close()
                with connection.cursor() as c:
                    c.execute(f"SET statement_timeout = {args.timeout_ms}")
                continue
            print(
                f"{role:12} {name:24} {median:10.1f} {worst:9.1f} {cpu:7.1f} {sql:8.1f} {queries:8d} {status:7d}"
            )


if __name__ == "__main__":
    main()
