"""The raw floor (issue 21): how many orders per second the database commits when nothing but the
rows is written — one INSERT of an order, three of its lines, COMMIT — on each engine, through
the same connection settings as the application. The other write benchmarks print their figures
as a fraction of it, so that runs on a loaded or a quiet machine compare.

Not a test. Each engine runs in a child process on a scratch database (a temporary SQLite file;
`bench_floor` on the local PostgreSQL server):

    .venv/bin/python bench/floor.py [--engines sqlite,postgresql] [--orders 3000]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import scratch


def measure_floor(n: int) -> float:
    """Orders/s of raw INSERT order + 3 lines + COMMIT, copying an order the actions made (so the
    rows are as wide as real ones). Needs Django started on a migrated database with the demo."""
    from django.db import connection, transaction

    from oms.intake import actions as intake
    from oms.orders.models import OrderLine, SalesOrder

    things = scratch.people()
    template = intake.create_order(
        actor=things["sales"],
        data=scratch.header(things),
        lines=scratch.lines(things, 0, salt=7),
        duplicate_reason="floor",
    )
    order_row = SalesOrder.objects.filter(pk=template.pk).values().get()
    line_rows = list(OrderLine.all_objects.filter(order=template).values())
    order_cols = [c for c in order_row if c != "id"]
    line_cols = [c for c in line_rows[0] if c not in {"id", "order_id"}]
    qn = connection.ops.quote_name
    insert_order = (
        f"INSERT INTO {qn(SalesOrder._meta.db_table)} ({', '.join(qn(c) for c in order_cols)}) "
        f"VALUES ({', '.join(['%s'] * len(order_cols))}) RETURNING {qn('id')}"
    )
    insert_line = (
        f"INSERT INTO {qn(OrderLine._meta.db_table)} ({', '.join(qn(c) for c in [*line_cols, 'order_id'])}) "
        f"VALUES ({', '.join(['%s'] * (len(line_cols) + 1))})"
    )
    fields = {f.attname: f for f in SalesOrder._meta.concrete_fields}
    line_fields = {f.attname: f for f in OrderLine._meta.concrete_fields}
    order_values = [fields[c].get_db_prep_save(order_row[c], connection) for c in order_cols]
    number_at = order_cols.index("number")
    lines = [[line_fields[c].get_db_prep_save(row[c], connection) for c in line_cols] for row in line_rows]
    start = time.perf_counter()
    for i in range(n):
        values = list(order_values)
        values[number_at] = f"FLOOR{i:09d}"
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(insert_order, values)
            order_id = cursor.fetchone()[0]
            for line in lines:
                cursor.execute(insert_line, [*line, order_id])
    return n / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--engine", default="")
    parser.add_argument("--orders", type=int, default=3000)
    args = parser.parse_args()
    if not args.engine:
        scratch.run_per_engine(__file__, args.engines.split(","), [f"--orders={args.orders}"])
        return
    scratch.start_django(scratch.engine_url(args.engine, "bench_floor"))
    scratch.prepare()
    from django.db import connection

    rate = measure_floor(args.orders)
    print(
        f"{connection.vendor}: raw floor {rate:,.0f} orders/s ({args.orders} × INSERT order + 3 lines + COMMIT)"
    )


if __name__ == "__main__":
    main()
