"""Scale-out benchmark (issue 24): orders created over HTTP per second, and the p95 latency,
with 1, 2 and 4 gunicorn processes (plus one background worker and the scheduler) on PostgreSQL.

    OMS_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/scale.py \\
        [--processes 1,2,4] [--clients 8] [--orders 160] [--port N (default: free ports)]
        [--client asyncio|urllib] [--worker-class sync|gthread]

Each level starts `gunicorn -c config/gunicorn.conf.py` with OMS_WEB_WORKERS processes on a
scratch database (`oms_bench_scale`, or $OMS_BENCH_SCALE_DB when several runs share the server;
migrated and loaded with the demo once), then `--clients`
threads each POST their share of `--orders` orders of 3 lines to /api/orders/ with an
Idempotency-Key. Not a test: it prints its figures (record them in bench/RESULTS.md).

`--client asyncio` (the default since round 6, bench/httpclient.py): one thread, raw HTTP/1.1,
a persistent connection per client where the server keeps it; `urllib`: threads with
urllib.request, a new connection per request, as before round 6. The CPU each party spent per
order is printed: the client (this process), the web processes (gunicorn's master and workers),
the background worker and scheduler, and the PostgreSQL backends of the scratch database."""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from datetime import date
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.cluster import Cluster, demo_ids, order_body, post, scratch_database, wait_ready
from bench.httpclient import post_all

_TICK = os.sysconf("SC_CLK_TCK")


def _cpu(pid: int) -> float:
    """CPU seconds (user + system) a live process has used; 0 for one that has ended."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK


def _tree(pid: int) -> list[int]:
    """A process and all its descendants (gunicorn's master and its workers)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rpartition(")")[2].split()[1])
            except OSError:
                continue
    found, todo = [pid], [pid]
    while todo:
        parent = todo.pop()
        children = [p for p, pp in parents.items() if pp == parent]
        found += children
        todo += children
    return found


def _backends(database_url: str) -> list[int]:
    import psycopg

    name = database_url.rsplit("/", 1)[1]
    with psycopg.connect(database_url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [name]
        ).fetchall()
    return [int(pid) for (pid,) in rows]


def _cpu_of(groups: dict[str, list[int]]) -> dict[str, float]:
    return {name: sum(_cpu(pid) for pid in pids) for name, pids in groups.items()}


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class LockSampler(threading.Thread):
    """Every 50 ms: how many of the database's backends are running a query, and how many of
    those wait for a lock (an advisory lock such as the audit chain's, or a row lock)."""

    def __init__(self, database_url: str) -> None:
        super().__init__(daemon=True)
        self.database_url = database_url
        self.samples: list[tuple[int, int]] = []
        self.done = threading.Event()

    def run(self) -> None:
        import psycopg

        name = self.database_url.rsplit("/", 1)[1]
        with psycopg.connect(self.database_url, autocommit=True) as conn:
            while not self.done.wait(0.05):
                row = conn.execute(
                    "SELECT count(*) FILTER (WHERE state = 'active'), "
                    "count(*) FILTER (WHERE state = 'active' AND wait_event_type = 'Lock') "
                    "FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                    [name],
                ).fetchone()
                assert row is not None
                self.samples.append((int(row[0]), int(row[1])))

    def averages(self) -> tuple[float, float]:
        n = max(len(self.samples), 1)
        return sum(a for a, _ in self.samples) / n, sum(w for _, w in self.samples) / n


def measure_async(
    base: str, processes: str, token: str, customer: int, products: list[int], clients: int, orders: int
) -> tuple[float, float, float, int]:
    """`clients` asyncio clients create `orders` orders between them: orders/s, p50, p95, errors."""
    today = date.today()
    batches = [
        [
            (f"scale-{processes}-{i}", order_body(f"scale-{processes}-{i}", customer, products, today))
            for i in range(n, orders, clients)
        ]
        for n in range(clients)
    ]
    parts = urlparse(base)
    run = post_all(parts.hostname or "127.0.0.1", parts.port or 80, "/api/orders/", token, batches)
    return (
        orders / run.elapsed,
        _percentile(run.latencies, 0.5),
        _percentile(run.latencies, 0.95),
        len(run.errors),
    )


def measure(
    base: str, processes: str, token: str, customer: int, products: list[int], clients: int, orders: int
) -> tuple[float, float, float, int]:
    """`clients` threads create `orders` orders between them: orders/s, p50 and p95 in s, errors."""
    latencies: list[float] = []
    errors: list[object] = []
    lock = threading.Lock()

    def client(n: int) -> None:
        for i in range(n, orders, clients):
            key = f"scale-{processes}-{i}"
            body = order_body(key, customer, products, date.today())  # the reason: no duplicate
            t = time.perf_counter()
            status, answer = post(base, "/api/orders/", token, body, key=key)
            with lock:
                latencies.append(time.perf_counter() - t)
                if status != 201:
                    errors.append((status, answer))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    return orders / elapsed, _percentile(latencies, 0.5), _percentile(latencies, 0.95), len(errors)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--processes", default="1,2,4")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--orders", type=int, default=160)
    parser.add_argument("--port", type=int, default=0)  # 0: a free port per level
    parser.add_argument(
        "--client", default="asyncio", help="asyncio or urllib; a list (asyncio,urllib) alternates per level"
    )
    parser.add_argument(
        "--worker-class",
        default="",
        help="gunicorn's worker class (sync, gthread); a list alternates per level",
    )
    args = parser.parse_args()
    url = os.environ.get("OMS_DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("set OMS_DATABASE_URL=postgres://... (the scale-out is measured on PostgreSQL)")

    cluster = Cluster(scratch_database(url, os.environ.get("OMS_BENCH_SCALE_DB", "oms_bench_scale")))
    token = cluster.prepare()
    customer, products = demo_ids(cluster.database_url)
    print(
        f"cores: {os.cpu_count()}  clients: {args.clients} ({args.client})  orders per level: {args.orders}"
        f"  worker class: {args.worker_class or 'configured'}"
    )
    print(
        "| server processes | orders/s | p50 ms | p95 ms | errors | queries running (avg) | of them waiting "
        "on a lock | CPU ms per order: client / web / worker+scheduler / PostgreSQL / all |"
    )
    print("|---|---|---|---|---|---|---|---|")
    kinds = args.client.split(",")
    classes = args.worker_class.split(",")
    try:
        cluster.start_worker("worker")
        cluster.start_scheduler("scheduler")
        for level, processes in enumerate(int(p) for p in args.processes.split(",")):
            worker_class = classes[level % len(classes)]
            # gunicorn reads GUNICORN_CMD_ARGS on top of its configuration file.
            extra = {"GUNICORN_CMD_ARGS": f"--worker-class {worker_class}"} if worker_class else {}
            base = cluster.start_server(
                f"server{processes}", workers=processes, port=args.port and args.port + level, **extra
            )
            wait_ready(base)
            for _ in range(processes * 2):  # warm every process (imports, first connection)
                post(
                    base,
                    "/api/orders/",
                    token,
                    order_body("warm", customer, products, date.today()),
                    key=None,
                )
            groups = {
                "web": _tree(cluster.processes[f"server{processes}"].pid),
                "background": [cluster.processes[n].pid for n in ("worker", "scheduler")],
                "postgresql": _backends(cluster.database_url),
            }
            sampler = LockSampler(cluster.database_url)
            sampler.start()
            before, client_cpu = _cpu_of(groups), time.process_time()
            kind = kinds[level % len(kinds)]
            timed = measure_async if kind == "asyncio" else measure
            # The level in the keys: a level repeated does not retry the keys of the one before.
            rate, p50, p95, errors = timed(
                base, f"{level}-{processes}", token, customer, products, args.clients, args.orders
            )
            client_cpu = time.process_time() - client_cpu
            after = _cpu_of(groups)
            sampler.done.set()
            sampler.join()
            active, waiting = sampler.averages()
            per = {name: (after[name] - before[name]) / args.orders * 1000 for name in groups}
            per = {"client": client_cpu / args.orders * 1000, **per}
            print(
                f"| {processes} ({kind}, {worker_class or 'sync'}) | {rate:.1f} | {p50 * 1000:.0f} | {p95 * 1000:.0f} | {errors} "
                f"| {active:.2f} | {waiting:.2f} | "
                + " / ".join(f"{v:.2f}" for v in per.values())
                + f" / {sum(per.values()):.2f} |",
                flush=True,
            )
            cluster.stop_one(f"server{processes}")
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
