"""Issue 21, B-4, DESIGN 6, S-2: three processes creating orders at once on one SQLite file, the
writers taking turns at SQLite's own write lock: every number once, one order per
Idempotency-Key even when the three send the same key at once, and the audit chain intact."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import connection

from oms.accounts.actions import issue_api_token
from oms.intake.tests.fixtures import org  # noqa: F401 - a fixture

ROOT = Path(__file__).resolve().parents[3]
PROCESSES = 3
SHARED = 8  # keys each process sends (the same keys, the same bodies)
OWN = SHARED  # keys only one process sends (as many)

CREATOR = textwrap.dedent(
    """
    import json, os
    from datetime import date, timedelta
    import django
    django.setup()
    from django.test import Client

    n, auth = int(os.environ["N"]), "Bearer " + os.environ["TOKEN"]
    # This process keeps the real clock: dates from today, as bench/cluster.py's orders.
    today = date.today()
    body = {**json.loads(os.environ["BODY"]), "order_date": str(today),
            "delivery_date": str(today + timedelta(days=60))}

    def post(key, quantity):
        data = {**body, "lines": [{**body["lines"][0], "quantity": str(quantity)}]}
        answer = Client().post("/api/orders/", json.dumps(data), content_type="application/json",
                               HTTP_IDEMPOTENCY_KEY=key, HTTP_AUTHORIZATION=auth)
        return key, answer.status_code, answer.json()

    answers = []
    for j in range(int(os.environ["SHARED"])):
        answers.append(post(f"shared-{j}", 100 + j))
        answers.append(post(f"own-{n}-{j}", 1000 + 100 * n + j))
    print(json.dumps(answers))
    """
)

VERIFY = textwrap.dedent(
    """
    import json
    import django
    django.setup()
    from oms.audit.verify import verify_chain

    report = verify_chain()
    print(json.dumps({"checked": report.checked, "problem": report.problem}))
    """
)


def _run(code: str, env: dict[str, str], *, wait: bool = True) -> Any:
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return (*proc.communicate(timeout=300), proc.returncode) if wait else proc


@pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="several processes on one SQLite file; PostgreSQL's concurrency has its own tests",
)
@pytest.mark.real_clock
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # committed: other processes read it
def test_three_processes_creating_at_once_keep_numbers_keys_and_the_chain(org: Any, tmp_path: Path) -> None:  # noqa: F811
    token = issue_api_token(actor=org["sales"], user=org["sales"], name="erp")
    database = tmp_path / "oms.sqlite3"
    # The test database (in this process's memory) copied to a file the other processes open.
    connection.ensure_connection()
    copy = sqlite3.connect(database)
    connection.connection.backup(copy)
    copy.execute("PRAGMA journal_mode=WAL")
    copy.close()
    body = {
        "customer_id": org["customer"].pk,
        "contact_name": "张伟",
        "contact_phone": "13812345678",
        "delivery_place": "上海",
        "payment_terms": "monthly",
        "order_class": "urgent",
        "lines": [{"product_id": org["gear"].pk, "quantity": "1", "unit_price": "1000"}],
    }
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "OMS_DATABASE_URL": f"sqlite:///{database}",
        "OMS_AUDIT_KEY_FILE": str(django_settings.AUDIT_KEY_FILE),
        "OMS_SECRETS_KEY_FILE": str(django_settings.SECRETS_KEY_FILE),
        "OMS_AUDIT_ANCHOR_FILE": str(django_settings.AUDIT_ANCHOR_FILE),
        "TOKEN": token,
        "BODY": json.dumps(body),
        "SHARED": str(SHARED),
    }
    procs = [_run(CREATOR, {**env, "N": str(n)}, wait=False) for n in range(PROCESSES)]
    runs = [(*p.communicate(timeout=300), p.returncode) for p in procs]
    assert [rc for _, _, rc in runs] == [0] * PROCESSES, [err[-2000:] for _, err, _ in runs]
    answers = [a for out, _, _ in runs for a in json.loads(out.strip().splitlines()[-1])]

    assert {status for _, status, _ in answers} == {201}
    by_key: dict[str, set[int]] = {}
    for key, _, answer in answers:
        by_key.setdefault(key, set()).add(answer["id"])
    assert all(len(ids) == 1 for ids in by_key.values())  # one order per key, whoever sent it
    assert len(by_key) == SHARED + PROCESSES * OWN

    with sqlite3.connect(database) as db:
        numbers = [n for (n,) in db.execute("SELECT number FROM orders_salesorder ORDER BY id")]
        keys = db.execute("SELECT COUNT(*) FROM core_idempotencyrecord").fetchone()[0]
    assert len(numbers) == len(set(numbers)) == SHARED + PROCESSES * OWN  # none lost, none twice
    assert keys == len(by_key)
    serials = sorted(int(n[-4:]) for n in numbers)
    assert serials == list(range(serials[0], serials[0] + len(numbers)))  # no gap

    out, err, rc = _run(VERIFY, env)
    report = json.loads(out.strip().splitlines()[-1]) if rc == 0 else err[-2000:]
    assert report == {"checked": report["checked"], "problem": ""} and report["checked"] > len(numbers)
