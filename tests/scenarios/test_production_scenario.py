"""Issue 24, the proof: two gunicorn servers, two workers and two schedulers, started from the
production commands on one PostgreSQL database. Concurrent clients create and submit orders
round-robin through both servers with Idempotency-Key, retrying on the other server when a
connection fails; mid-run one server and one worker are killed (SIGKILL). Then: no acknowledged
order is lost or duplicated, every message (a webhook per submitted order) reached its receiver
exactly once, and each periodic job (sweeper, statistics, orphaned tasks) ran once per interval.

Needs PostgreSQL (CI's second run sets OMS_DATABASE_URL); SQLite is one machine's database, so
there is no scale-out to prove on it. Works in its own scratch database, not the test database."""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

URL = os.environ.get("OMS_DATABASE_URL", "")
pytestmark = pytest.mark.skipif(
    not URL.startswith(("postgres://", "postgresql://")),
    reason="the scale-out scenario needs PostgreSQL: set OMS_DATABASE_URL=postgres://... (CI does)",
)

CLIENTS = 6
ORDERS_PER_CLIENT = 12
SWEEP_SECONDS = 6
# Every periodic job (oms.ops.jobs.JOBS) and its interval in this run: the statistics as often as
# the sweeper; orphaned tasks every three heartbeats, at least 30 s.
JOB_SECONDS = {
    "sweep_deadlines": SWEEP_SECONDS,
    "refresh_statistics": SWEEP_SECONDS,
    "requeue_orphaned_tasks": 30,
}


class Receiver:
    """The other system: counts each webhook delivery by its X-OMS-Delivery id."""

    def __init__(self) -> None:
        self.seen: Counter[str] = Counter()
        lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers["Content-Length"]))
                with lock:
                    receiver.seen[self.headers["X-OMS-Delivery"]] += 1
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


ERRORS: list[BaseException] = []


def _client(*args: Any) -> None:
    try:
        _orders(*args)
    except BaseException as exc:
        ERRORS.append(exc)
        raise


def _orders(
    n: int, bases: list[str], dead: set[str], token: str, ids: tuple[int, list[int]], acked: dict[str, int]
) -> None:
    """Create and submit ORDERS_PER_CLIENT orders, round-robin over the servers still answering."""
    customer, products = ids
    for i in range(ORDERS_PER_CLIENT):
        tag = f"proof-{n}-{i}"
        body = _body(tag, customer, products)
        order_id = None
        for attempt in range(40):
            live = [b for b in bases if b not in dead] or bases
            base = live[(n + i + attempt) % len(live)]
            from bench.cluster import get, post

            try:
                if order_id is None:
                    status, answer = post(base, "/api/orders/", token, body, key=tag)
                    if status != 201:
                        raise AssertionError((status, answer))
                    order_id = int(answer["id"])
                    acked[tag] = order_id  # acknowledged: the server answered 201
                status, answer = post(base, f"/api/orders/{order_id}/submit", token, b"", key=None)
                if status == 200 or get(base, f"/api/orders/{order_id}", token)["status"] == "pending_check":
                    break  # submitted now, or by the attempt whose answer the killed server never sent
                raise AssertionError((status, answer))
            except OSError:
                time.sleep(0.2)  # connection refused or reset: the other server takes it
        else:
            raise AssertionError(f"{tag} never went through")


def _body(tag: str, customer: int, products: list[int]) -> bytes:
    from bench.cluster import order_body

    return order_body(tag, customer, products, date.today())


def test_two_servers_two_workers_survive_kills_without_losing_or_repeating_anything() -> None:
    import psycopg

    from bench.cluster import Cluster, demo_ids, scratch_database, wait_ready

    started = time.monotonic()
    name = os.environ.get("OMS_TEST_DATABASE_NAME", "test_oms") + "_scaleout"
    url = scratch_database(URL, name)
    receiver = Receiver()
    cluster = Cluster(
        url,
        env={
            "OMS_SWEEP_SECONDS": str(SWEEP_SECONDS),
            "OMS_STATISTICS_SECONDS": str(SWEEP_SECONDS),
            "OMS_WORKER_HEARTBEAT_SECONDS": "1",
            "OMS_DELIVERY_LEASE_SECONDS": "10",  # well past a send under load: only a kill repeats one
            "OMS_DELIVERY_TIMEOUT": "2",
        },
    )
    try:
        token = cluster.prepare()
        cluster.manage(
            "shell",
            "-c",
            "from oms.notifications.models import NotificationChannel; NotificationChannel.objects.create(name='ERP', kind='webhook', "
            f"webhook_url='{receiver.url}', secret='s', events=['order.'])",
        )
        ids = demo_ids(url)
        bases = [cluster.start_server(f"server{k}", workers=1) for k in range(2)]  # free ports
        schedulers_started = time.time()
        for k in range(2):
            cluster.start_worker(f"worker{k}")
            cluster.start_scheduler(f"scheduler{k}")
        for base in bases:
            wait_ready(base)

        dead: set[str] = set()
        acked: dict[str, int] = {}
        threads = [
            threading.Thread(target=_client, args=(n, bases, dead, token, ids, acked), daemon=True)
            for n in range(CLIENTS)
        ]
        for t in threads:
            t.start()
        total = CLIENTS * ORDERS_PER_CLIENT
        while len(acked) < total // 3 and any(t.is_alive() for t in threads):
            time.sleep(0.1)
        cluster.kill("server0")
        dead.add(bases[0])
        cluster.kill("worker0")
        for t in threads:
            t.join(timeout=240)
        assert not any(t.is_alive() for t in threads), "clients did not finish"
        assert ERRORS == []

        # Messages drain: the surviving worker, and the sweeper for leases a killed worker held.
        deadline = time.monotonic() + 60
        with psycopg.connect(url, autocommit=True) as conn:
            while time.monotonic() < deadline:
                (waiting,) = conn.execute(
                    "SELECT count(*) FROM notifications_delivery WHERE status = 'queued'"
                ).fetchone()  # type: ignore[misc]
                if not waiting:
                    break
                time.sleep(0.5)
            time.sleep(SWEEP_SECONDS)  # one more interval for the jobs
            run_ended = time.time()
            orders = conn.execute(
                "SELECT duplicate_reason, id, status FROM orders_salesorder WHERE duplicate_reason LIKE 'proof-%%'"
            ).fetchall()
            deliveries = conn.execute(
                "SELECT id, status FROM notifications_delivery WHERE event = 'order.pending_check'"
            ).fetchall()
            runs = conn.execute(
                "SELECT job, extract(epoch FROM slot)::bigint FROM ops_jobrun ORDER BY job, slot"
            ).fetchall()

        # No acknowledged order lost, none duplicated, every one submitted.
        assert len(acked) == total
        by_tag = Counter(tag for tag, _, _ in orders)
        assert [tag for tag, n in by_tag.items() if n > 1] == []
        assert {tag: order_id for tag, order_id, _ in orders} == acked
        assert {status for _, _, status in orders} == {"pending_check"}
        # Every message sent and received. A worker killed between a send and its commit leaves that
        # one message to be sent again when its lease runs out (at least once, never lost); it comes
        # with the same X-OMS-Delivery id, so the receiver applies each message exactly once. Only the
        # message in flight at the kill may repeat.
        assert len(deliveries) == total
        assert {status for _, status in deliveries} == {"sent"}
        assert set(receiver.seen) == {str(pk) for pk, _ in deliveries}
        repeats = sum(n - 1 for n in receiver.seen.values())
        assert repeats <= 1, receiver.seen
        # Each periodic job ran once in each of its intervals while the schedulers ran, whichever
        # scheduler took it: no interval twice (the slots are distinct), none missed (no gap).
        assert {job for job, _ in runs} == set(JOB_SECONDS)
        for job, every in JOB_SECONDS.items():
            slots = [slot for name, slot in runs if name == job]
            assert len(slots) == len(set(slots)), (job, slots)
            assert slots == list(range(slots[0], slots[-1] + 1, every)), (job, slots)
            assert slots[-1] - slots[0] >= (run_ended - schedulers_started) - 3 * every, (job, slots)
    except BaseException:
        print(f"set-up {cluster.timings}, {time.monotonic() - started:.0f} s")
        for process in list(cluster.processes):
            print(f"--- {process}\n{cluster.log(process)}")
        raise
    finally:
        cluster.stop()
        receiver.server.shutdown()
    print(
        f"scale-out scenario: {total} orders in {time.monotonic() - started:.0f} s, set-up {cluster.timings}, "
        f"messages repeated after the kill: {repeats}"
    )
