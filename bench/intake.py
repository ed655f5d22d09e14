"""Intake benchmark (issue 3): orders per second through the actions and through the HTTP API,
and the latency of the orders list and "my work" at 10^4 and 10^5 orders.

Not a test: it prints figures. Run against the engine OMS_DATABASE_URL names (default SQLite):

    .venv/bin/python bench/intake.py [--orders 200] [--api-orders 100] [--sizes 10000,100000]
    OMS_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/intake.py

It works in a scratch database of its own (a temporary SQLite file, or `oms_bench` on the
PostgreSQL server) and leaves the server's other databases alone.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _scratch_database() -> str:
    url = os.environ.get("OMS_DATABASE_URL", "")
    if not url.startswith("postgres"):
        return f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute('DROP DATABASE IF EXISTS "oms_bench" WITH (FORCE)')
        conn.execute('CREATE DATABASE "oms_bench"')
    return url.rpartition("/")[0] + "/oms_bench"


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=200)
    parser.add_argument("--api-orders", type=int, default=100)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()

    os.environ["OMS_DATABASE_URL"] = _scratch_database()
    os.environ.setdefault("OMS_VAR_DIR", tempfile.mkdtemp())
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=open(os.devnull, "w"))
    engine = connection.vendor
    print(f"engine: {engine}  python: {sys.version.split()[0]}")

    from oms.accounts.models import User
    from oms.catalog.models import Product
    from oms.customers.models import Customer
    from oms.intake import actions

    sales = User.objects.get(username="sales_staff")
    customer = Customer.objects.get(code="C0001")
    products = list(Product.objects.filter(code__in=["P1001", "P1002", "P1003"]))
    from django.utils import timezone

    today = timezone.localdate()
    header = {
        "customer": customer,
        "contact_name": "张伟",
        "contact_phone": "13912345670",
        "order_date": today,
        "channel": "phone",
        "order_class": "normal",
        "delivery_date": today + timedelta(days=60),
        "delivery_place": "上海",
        "payment_terms": "monthly",
    }

    # 1. Orders of 3 lines through the actions (create + submit, each in its own transaction).
    start = time.perf_counter()
    for i in range(args.orders):
        lines = [{"product": p.pk, "quantity": str(i % 7 + 1 + k)} for k, p in enumerate(products)]
        order = actions.create_order(actor=sales, data=header, lines=lines, duplicate_reason=f"bench {i}")
        actions.submit_order(actor=sales, order=order)
    elapsed = time.perf_counter() - start
    print(
        f"actions: {args.orders} orders (create + submit, 3 lines) in {elapsed:.2f} s = {args.orders / elapsed:.1f} orders/s"
    )

    # 2. The same through the HTTP API of a real server on 127.0.0.1.
    from oms.accounts.actions import issue_api_token

    token = issue_api_token(actor="bench", user=sales, name="bench")
    connection.close()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "runserver", "--noreload", f"127.0.0.1:{port}"],
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/health/", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        import json

        start = time.perf_counter()
        for i in range(args.api_orders):
            body = json.dumps(
                {
                    "customer_id": customer.pk,
                    "contact_name": "张伟",
                    "contact_phone": "13912345670",
                    "order_date": str(today),
                    "delivery_date": str(today + timedelta(days=60)),
                    "delivery_place": "上海",
                    "payment_terms": "monthly",
                    "duplicate_reason": f"api {i}",
                    "lines": [{"product_id": p.pk, "quantity": str(k + 1)} for k, p in enumerate(products)],
                }
            ).encode()
            request = urllib.request.Request(
                f"{base}/api/orders/",
                data=body,
                method="POST",
                headers={
                    "Authorization": f"Bearer {token}",
                    "Content-Type": "application/json",
                    "Idempotency-Key": f"bench-{i}",
                },
            )
            with urllib.request.urlopen(request, timeout=30) as response:
                assert response.status == 201
        elapsed = time.perf_counter() - start
        print(
            f"api: {args.api_orders} orders (POST /api/orders/, 3 lines) in {elapsed:.2f} s = {args.api_orders / elapsed:.1f} orders/s "
            "(one client, runserver)"
        )
    finally:
        server.terminate()
        server.wait(timeout=20)

    # 3. List pages at larger sizes: rows are bulk-inserted, then pages are timed in process.
    from django.test import Client

    from bench.seed import grow_orders
    from oms.core.db import refresh_statistics

    head = User.objects.get(username="sales_head")
    for size in [int(s) for s in args.sizes.split(",") if s]:
        grow_orders(size, sales=sales, customer=customer, products=products)
        refresh_statistics()  # what the running system's sweeper does every hour on SQLite
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # what autovacuum does shortly after a bulk load
        client = Client()
        client.force_login(head)
        for name, url in (
            ("orders list", "/orders/"),
            ("orders list, filtered", "/orders/?status=pending_check&overdue=1"),
            ("my work", "/work/"),
            ("api list", "/api/orders/?page_size=50"),
        ):
            client.get(url)  # warm up
            timings = []
            for _ in range(args.requests):
                t0 = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - t0) * 1000)
                assert response.status_code == 200, (url, response.status_code)
            print(
                f"{size:>7} orders  {name:24} median {statistics.median(timings):7.1f} ms   p95 {_percentile(timings, 0.95):7.1f} ms"
            )


if __name__ == "__main__":
    main()
