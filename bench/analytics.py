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

from bench.analytics_data import generate  # noqa: E402  (after the path is set)


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
