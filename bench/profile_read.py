"""One read, taken apart (issue 21): the statements a request sends, each with its time and its
`EXPLAIN ANALYZE`, and where its Python time goes (cProfile), on the data `bench/reads.py --keep`
left in its scratch database. Not a test: it prints.

    OMS_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test OMS_BENCH_DB=bench_reads_x \
        .venv/bin/python bench/profile_read.py --user finance_staff --url '/orders/?q=…' [--explain] [--profile 30]

The database must already be migrated (run `bench/reads.py --keep` first); nothing is written.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--user", required=True)
    parser.add_argument("--url", required=True, help="a path; {customer} and {number} are filled in")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE each SELECT")
    parser.add_argument("--profile", type=int, default=0, help="print this many functions of cProfile")
    parser.add_argument("--warm", type=int, default=2)
    args = parser.parse_args()

    url = os.environ.get("OMS_DATABASE_URL", "")
    scratch = os.environ.get("OMS_BENCH_DB", "bench_reads")
    os.environ["OMS_DATABASE_URL"] = url.rpartition("/")[0] + f"/{scratch}"
    os.environ.setdefault("OMS_VAR_DIR", tempfile.mkdtemp())
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from oms.accounts.models import User
    from oms.customers.models import Customer
    from oms.orders.models import SalesOrder

    customer = Customer.objects.get(code="B00042")
    number = ""
    if "{number}" in args.url:
        total = SalesOrder.objects.count()
        number = SalesOrder.objects.filter(number__startswith="SO").order_by("pk")[total // 2].number
    path = args.url.format(customer=customer.pk, name=customer.name, pinyin=customer.pinyin, number=number)
    client = Client()
    client.force_login(User.objects.get(username=args.user))
    for _ in range(args.warm):
        client.get(path)
    with CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        response = client.get(path)
        wall = (time.perf_counter() - start) * 1000
    print(f"{path}  status {response.status_code}  {wall:.1f} ms  {len(ctx.captured_queries)} statements")
    for q in ctx.captured_queries:
        print(f"--- {float(q['time']) * 1000:.1f} ms: {q['sql'][:600]}")
        if args.explain and q["sql"].lstrip().upper().startswith("SELECT"):
            with connection.cursor() as c:
                c.execute("EXPLAIN (ANALYZE, BUFFERS) " + q["sql"])
                print("\n".join("      " + r[0] for r in c.fetchall()))
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(5):
            client.get(path)
        profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
        stats.print_stats(args.profile)
        stats.sort_stats("tottime").print_stats(args.profile)
        print(out.getvalue())


if __name__ == "__main__":
    main()
