"""Processes of a production-like installation on 127.0.0.1, started from the production
commands (issue 24): gunicorn servers, `run_worker` workers and `run_scheduler` schedulers on one
scratch PostgreSQL database, and an HTTP client that creates orders through the API.

Used by the scale-out scenario (tests/scenarios/test_production_scenario.py) and bench/scale.py."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

import psycopg

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A port nothing listens on now, chosen by the kernel: parallel runs on one machine never collide."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def scratch_database(url: str, name: str) -> str:
    """Drop and create database `name` on the server of `url`; return its URL."""
    parts = urlparse(url)
    admin = urlunparse(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        )
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunparse(parts._replace(scheme="postgresql", path=f"/{name}"))


@dataclass
class Cluster:
    database_url: str
    env: dict[str, str] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    var_dir: str = field(default_factory=lambda: tempfile.mkdtemp(prefix="oms-cluster-"))

    def __post_init__(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OMS_", "DJANGO_", "PYTEST"))}
        env.update(
            {
                "OMS_DATABASE_URL": self.database_url,
                "OMS_VAR_DIR": self.var_dir,
                "OMS_TASKS_BACKEND": "database",
                "OMS_ACCESS_LOG": "0",
                "OMS_LOG_LEVEL": "ERROR",
                "OMS_OPS_LOG_LEVEL": "WARNING",
                "DJANGO_SETTINGS_MODULE": "config.settings",
            }
        )
        env.update(self.env)
        self.env = env

    def manage(self, *args: str, timeout: float = 300) -> str:
        done = subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode:
            raise RuntimeError(f"manage.py {' '.join(args)}: {done.stderr[-3000:]}")
        return done.stdout

    def prepare(self) -> str:
        """Migrate, load the demo, issue an API token for the salesperson; return the token."""
        t = time.monotonic()
        self.manage("migrate", "--noinput", "-v0")
        self.timings["migrate"] = time.monotonic() - t
        t = time.monotonic()
        self.manage("load_demo")
        self.timings["load_demo"] = time.monotonic() - t
        return (
            self.manage(
                "shell",
                "-c",
                "from oms.accounts.actions import issue_api_token; from oms.accounts.models import User; "
                "print(issue_api_token(actor='bench', user=User.objects.get(username='sales_staff'), name='bench'))",
            )
            .splitlines()[-1]
            .strip()
        )

    def start(self, name: str, args: list[str], **env: str) -> None:
        log = open(Path(self.var_dir) / f"{name}.log", "wb")
        self.processes[name] = subprocess.Popen(
            [sys.executable, *args],
            env={**self.env, **env},
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a kill reaches the process and its children
        )

    def start_server(self, name: str, workers: int, port: int = 0, **env: str) -> str:
        """A gunicorn server on `port` (0: a free one); returns its base URL."""
        port = port or free_port()
        self.start(
            name,
            ["-m", "gunicorn", "-c", "config/gunicorn.conf.py"],
            OMS_BIND=f"127.0.0.1:{port}",
            OMS_WEB_WORKERS=str(workers),
            **env,
        )
        return f"http://127.0.0.1:{port}"

    def start_worker(self, name: str) -> None:
        self.start(name, ["manage.py", "run_worker", "--no-startup-delay", "--interval", "0.2", "-v0"])

    def start_scheduler(self, name: str) -> None:
        self.start(name, ["manage.py", "run_scheduler", "--tick", "0.5"])

    def kill(self, name: str) -> None:
        """SIGKILL: no clean shutdown, as when a machine or process dies."""
        process = self.processes.pop(name)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def stop_one(self, name: str) -> None:
        """SIGTERM: the clean shutdown a service manager does; SIGKILL if it hangs."""
        process = self.processes.pop(name)
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def stop(self) -> None:
        for name in list(self.processes):
            self.stop_one(name)

    def log(self, name: str) -> str:
        return (Path(self.var_dir) / f"{name}.log").read_text(errors="replace")[-4000:]


def wait_ready(base: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/readyz", timeout=2) as response:
                if response.status == 200:
                    return
        except (OSError, urllib.error.HTTPError):
            pass
        time.sleep(0.3)
    raise TimeoutError(f"{base} not ready after {timeout} s")


def order_body(reason: str, customer_id: int, product_ids: list[int], today: date) -> bytes:
    return json.dumps(
        {
            "customer_id": customer_id,
            "contact_name": "张伟",
            "contact_phone": "13912345670",
            "order_date": str(today),
            "delivery_date": str(today + timedelta(days=60)),
            "delivery_place": "上海",
            "payment_terms": "monthly",
            "duplicate_reason": reason,
            "lines": [{"product_id": p, "quantity": str(k + 1)} for k, p in enumerate(product_ids)],
        }
    ).encode()


def post(
    base: str, path: str, token: str, body: bytes, key: str | None, timeout: float = 30
) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    if key:
        headers["Idempotency-Key"] = key
    request = urllib.request.Request(f"{base}{path}", data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()[:500]


def get(base: str, path: str, token: str, timeout: float = 30) -> Any:
    request = urllib.request.Request(f"{base}{path}", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read())


def demo_ids(database_url: str) -> tuple[int, list[int]]:
    """The demo customer C0001 and three products, read straight from the database."""
    with psycopg.connect(database_url) as conn:
        customer = conn.execute("SELECT id FROM customers_customer WHERE code = 'C0001'").fetchone()
        products = conn.execute(
            "SELECT id FROM catalog_product WHERE code IN ('P1001', 'P1002', 'P1003') ORDER BY code"
        ).fetchall()
    assert customer is not None
    return int(customer[0]), [int(p[0]) for p in products]
