"""Memory of the production server (issue 21): RSS of each gunicorn worker after warm-up and after
`--requests` mixed requests (pages as a signed-in salesperson, API reads and creates with a
token), on 127.0.0.1, on the embedded default (SQLite with the demo data) as scripts/start.sh
runs it.

Workers are not recycled during the run (`--max-requests 0` on the command line overrides the
config's 5000), so that growth is seen rather than reset. Not a test; bounded by --timeout.

    .venv/bin/python bench/memory.py [--requests 10000] [--clients 4] [--workers 2]
"""

from __future__ import annotations

import argparse
import itertools
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.cluster import ROOT, free_port, order_body


def _manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


_SETUP = (
    "from django.test import Client; from oms.accounts.models import User; "
    "from oms.accounts.actions import issue_api_token; from oms.customers.models import Customer; "
    "from oms.catalog.models import Product; from oms.orders.models import SalesOrder; "
    "u = User.objects.get(username='sales_staff'); c = Client(); c.force_login(u); "
    "p = list(Product.objects.filter(code__in=['P1001','P1002','P1003']).order_by('code').values_list('pk', flat=True)); "
    "o = SalesOrder.objects.filter(salesperson=u).values_list('pk', flat=True).first(); "
    "print(issue_api_token(actor=u, user=u, name='mem'), c.cookies['sessionid'].value, "
    "Customer.objects.get(code='C0001').pk, o, *p)"
)


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _workers(master: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True).stdout
    return sorted(int(p) for p in out.split())


def _wait_alive(base: str, timeout: float = 120) -> None:
    """Until the server answers /healthz (readiness also wants the background worker, not run here)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=5):
                return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"{base} not alive after {timeout} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=10000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=1500)
    args = parser.parse_args()
    var = tempfile.mkdtemp(prefix="oms-mem-")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OMS_", "DJANGO_", "PYTEST"))}
    env.update(OMS_VAR_DIR=var, OMS_ACCESS_LOG="0", OMS_LOG_LEVEL="ERROR", OMS_OPS_LOG_LEVEL="WARNING")
    env["OMS_TASKS_BACKEND"] = "database"
    _manage(env, "migrate", "--noinput", "-v0")
    _manage(env, "load_demo")
    token, session, customer, order, *products = _manage(env, "shell", "-c", _SETUP).split()
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py", "--max-requests", "0"],
        cwd=ROOT,
        env={**env, "OMS_BIND": f"127.0.0.1:{port}", "OMS_WEB_WORKERS": str(args.workers)},
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=open(Path(var) / "server.log", "wb"),
    )
    base = f"http://127.0.0.1:{port}"
    pages = ["/", "/orders/", f"/orders/{order}/", "/work/", "/search/?q=C0001", "/master/customers/"]
    apis = ["/api/orders/", "/api/customers/", "/api/orders/?q=C0001", f"/api/orders/{order}"]
    cookie, bearer = f"sessionid={session}", f"Bearer {token}"
    counter = itertools.count()
    errors: list[tuple[str, int]] = []

    def one(i: int) -> None:
        kind = i % 10
        if kind < 5:
            path, headers, data = pages[i % len(pages)], {"Cookie": cookie}, None
        elif kind < 9:
            path, headers, data = apis[i % len(apis)], {"Authorization": bearer}, None
        else:
            body = order_body(f"mem {i}", int(customer), [int(p) for p in products], date.today())
            path, data = "/api/orders/", body
            headers = {
                "Authorization": bearer,
                "Content-Type": "application/json",
                "Idempotency-Key": f"m{i}",
            }
        request = urllib.request.Request(base + path, data=data, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                answer.read()
        except urllib.error.HTTPError as exc:
            errors.append((path, exc.code))

    def client(limit: int, deadline: float) -> None:
        while (i := next(counter)) < limit and time.monotonic() < deadline:
            one(i)

    def run(limit: int) -> float:
        t0 = time.monotonic()
        threads = [
            threading.Thread(target=client, args=(limit, t0 + args.timeout)) for _ in range(args.clients)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return time.monotonic() - t0

    try:
        _wait_alive(base)
        workers = _workers(server.pid)
        print(f"workers {workers}; RSS at start: {[round(_rss_mib(p)) for p in workers]} MiB")
        run(200)
        print(f"after warm-up (200 requests): {[round(_rss_mib(p)) for p in workers]} MiB")
        counter = itertools.count(200)
        elapsed = run(200 + args.requests)
        done = min(next(counter), 200 + args.requests) - 200
        print(
            f"after {done} more requests in {elapsed:.0f} s ({done / elapsed:.1f}/s, {len(errors)} errors): "
            f"{[round(_rss_mib(p)) for p in _workers(server.pid)]} MiB (workers {_workers(server.pid)})"
        )
        if errors:
            print("first errors:", errors[:5])
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
