"""Shared set-up of the write benchmarks (issue 21): a scratch database per engine, Django started
on it, the demo company loaded, and a child process per engine so that one command measures both.

Not a test. `engine_url(engine, name)` gives a temporary SQLite file or a database of its own on
the local PostgreSQL server (dropped and created again), leaving the other databases alone.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PG_SERVER = os.environ.get("OMS_BENCH_PG", "postgres://postgres@127.0.0.1:5432/postgres")


def engine_url(engine: str, name: str) -> str:
    if engine == "sqlite":
        return f"sqlite:///{tempfile.mkdtemp()}/{name}.sqlite3"
    import psycopg

    with psycopg.connect(PG_SERVER, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return PG_SERVER.rpartition("/")[0] + f"/{name}"


def run_per_engine(script: str, engines: list[str], extra: list[str]) -> None:
    """Run `script --engine E` in a child process for each engine (Django's settings are per process)."""
    for engine in engines:
        subprocess.run([sys.executable, script, "--engine", engine, *extra], check=True)


def start_django(url: str) -> None:
    os.environ["OMS_DATABASE_URL"] = url
    os.environ.setdefault("OMS_VAR_DIR", tempfile.mkdtemp())
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def prepare() -> dict[str, Any]:
    """Migrate, load the demo company, and return the people and things the benchmarks use."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    with open(os.devnull, "w") as devnull:
        call_command("load_demo", stdout=devnull)
    return people()


def people() -> dict[str, Any]:
    from oms.accounts.models import User
    from oms.catalog.models import Product
    from oms.customers.models import Customer

    return {
        "sales": User.objects.get(username="sales_staff"),
        "head": User.objects.get(username="sales_head"),
        "customer": Customer.objects.get(code="C0001"),
        "products": list(Product.objects.filter(code__in=["P1001", "P1002", "P1003"]).order_by("code")),
    }


def header(things: dict[str, Any]) -> dict[str, Any]:
    from datetime import timedelta

    from django.utils import timezone

    today = timezone.localdate()
    return {
        "customer": things["customer"],
        "contact_name": "张伟",
        "contact_phone": "13912345670",
        "order_date": today,
        "channel": "phone",
        "order_class": "normal",
        "delivery_date": today + timedelta(days=60),
        "delivery_place": "上海",
        "payment_terms": "monthly",
    }


def lines(things: dict[str, Any], i: int, salt: int = 0) -> list[dict[str, Any]]:
    """Three lines, different for every (i, salt), so that none is a suspected duplicate (B-9)."""
    first, *rest = things["products"]
    unique = f"1.{salt:01d}{i:03d}" if i < 1000 else f"{1 + i // 1000}.{salt:01d}{i % 1000:03d}"
    return [{"product": first.pk, "quantity": unique, "unit_price": str(first.list_price)}] + [
        {"product": p.pk, "quantity": str(k + 2), "unit_price": str(p.list_price)} for k, p in enumerate(rest)
    ]
