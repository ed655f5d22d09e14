"""Server CPU of one API create (issue 21): POST /api/orders/ with a bearer token and an
Idempotency-Key, through the WSGI handler and every middleware, in one process and without the
network, so that the figure is the server's alone. With --profile, where the time goes (token
authentication, the idempotency record, the action, the response).

Not a test. A scratch database per engine, as bench/path.py:

    .venv/bin/python bench/api_create.py [--engines sqlite,postgresql] [--requests 300] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import scratch
from bench.cluster import order_body


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--engine", default="")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    if not args.engine:
        extra = [f"--requests={args.requests}"] + (["--profile"] if args.profile else [])
        scratch.run_per_engine(__file__, args.engines.split(","), extra)
        return

    url = scratch.engine_url(args.engine, os.environ.get("OMS_BENCH_API_DB", "bench_api_create"))
    scratch.start_django(url)
    things = scratch.prepare()
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from oms.accounts.actions import issue_api_token
    from oms.customers.models import Customer

    Customer.objects.filter(pk=things["customer"].pk).update(credit_limit=10**12)
    token = issue_api_token(actor="bench", user=things["sales"], name="bench")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    products = [p.pk for p in things["products"]]
    today = timezone.localdate()

    def create(i: int) -> None:
        body = order_body(f"bench {i}", things["customer"].pk, products, today)
        answer = client.post(
            "/api/orders/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=f"bench-{i}"
        )
        assert answer.status_code == 201, answer.content[:300]

    for i in range(10):  # warm up: imports, templates, connections
        create(-1 - i)
    cpu0, t0 = time.process_time(), time.perf_counter()
    for i in range(args.requests):
        create(i)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - t0
    print(
        f"{connection.vendor}: {args.requests} API creates, {args.requests / wall:.1f}/s in one process, "
        f"{cpu / args.requests * 1000:.2f} ms CPU per request"
    )
    if args.profile:
        profiler = cProfile.Profile(time.process_time)  # CPU, not the wait for the database
        profiler.enable()
        for i in range(args.requests, args.requests + 100):
            create(i)
        profiler.disable()
        buffer = io.StringIO()
        stats = pstats.Stats(profiler, stream=buffer)
        stats.sort_stats("cumulative").print_stats(r"oms/|ninja/|handlers/base|authenticate|json", 60)
        print(buffer.getvalue())


if __name__ == "__main__":
    main()
