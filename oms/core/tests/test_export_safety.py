"""S-1 (issue 20 point 3): no Excel export of the system can carry a live formula. Text that staff
or a customer typed (a customer name, an order note, a duplicate reason, a complaint) is written as
text by the one export writer (`oms.web.listing.workbook_bytes`); numbers stay numbers."""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.db import models, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from openpyxl import load_workbook

from oms.accounts.models import User
from oms.web.listing import ListPage, workbook_bytes

pytestmark = pytest.mark.django_db

PAYLOADS = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Planting a formula into these would break logins, keys or lookups rather than test the export.
_NOT_PLANTED = {"password", "username", "session_key", "key_hash", "totp_secret", "token_hash", "pinyin"}

# Every export the system offers that is not a plain list page (`ListPage`, found in the URL
# configuration), by the app whose views offer it: the URL name, its arguments and the queries that
# ask for Excel. `test_every_export_writer_call_is_covered` keeps this list complete.
_OTHER_EXPORTS: dict[str, list[tuple[str, str, list[str]]]] = {
    "billing": [("billing:receivables", "", ["export=xlsx"])],
    "analytics": [
        ("analytics:assessment", "", ["export=xlsx"]),
        ("analytics:plan_actual", "", ["export=xlsx"]),
        ("analytics:kpis", "", ["export={kpi}"]),
        ("analytics:drill", "", ["kpi={kpi}&export=xlsx"]),
        ("analytics:dashboard", "", ["export={table}"]),
    ],
    "feedback": [("feedback:survey", "{survey}", ["export={by}"])],
    "portal": [("portal:home", "", ["export=xlsx"]), ("portal:money", "", ["export=xlsx"])],
    "intake": [("intake:import_template", "", [""])],
}


def _read_back(text: str) -> str:
    return text.replace("\r", "\n")


def _cells(content: bytes) -> list[Any]:
    workbook = load_workbook(io.BytesIO(content))
    return [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]


def _formulas(content: bytes) -> list[str]:
    return [f"{c.coordinate}={c.value!r}" for c in _cells(content) if c.data_type == "f"]


def test_the_writer_keeps_formula_text_as_text_and_numbers_as_numbers() -> None:
    """S-1: every dangerous start is stored as text (quote prefix) with its value unchanged."""
    content = workbook_bytes(
        [("t", ["=A1", "name", "n"], [[p, p, Decimal("-2.5")] for p in PAYLOADS] + [[-3, 7, 1.5]])],
        mark=None,
    )
    cells = _cells(content)
    assert _formulas(content) == []
    texts = [(c.value, c.data_type, c.quotePrefix) for c in cells if c.column == 1 and c.row > 1]
    # XML reads a bare carriage return back as a line feed; the cell is text either way.
    assert texts[:6] == [(_read_back(p), "s", True) for p in PAYLOADS]
    numbers = [(c.value, c.data_type) for c in cells if c.column == 3 and c.row > 1]
    assert numbers == [(-2.5, "n")] * 6 + [(1.5, "n")]
    assert [(c.value, c.data_type) for c in cells if c.row == 8][:2] == [(-3, "n"), (7, "n")]
    assert (cells[0].value, cells[0].data_type, cells[0].quotePrefix) == ("=A1", "s", True)


def test_a_number_that_is_not_finite_is_written_as_text() -> None:
    """S-1: NaN or infinity would make the file unreadable in Excel; they are written as text."""
    cells = _cells(
        workbook_bytes([("t", ["h"], [[Decimal("NaN"), float("inf"), Decimal("-Infinity")]])], mark=None)
    )
    assert [(c.value, c.data_type, c.quotePrefix) for c in cells if c.row == 2] == [
        ("NaN", "s", False),
        ("inf", "s", False),
        ("-Infinity", "s", True),
    ]


def test_dates_stay_date_cells_written_as_people_write_them() -> None:
    """Issue 23.1: a delivery date sorts and filters as a date in Excel, shown 2026-12-31."""
    from datetime import datetime

    cells = _cells(
        workbook_bytes([("t", ["d", "t"], [[date(2026, 12, 31), datetime(2026, 12, 31, 9, 5)]])], mark=None)
    )
    assert [(c.value, c.is_date, c.number_format) for c in cells if c.row == 2] == [
        (datetime(2026, 12, 31), True, "yyyy-mm-dd"),
        (datetime(2026, 12, 31, 9, 5), True, "yyyy-mm-dd hh:mm"),
    ]


def test_plain_text_is_not_marked() -> None:
    """S-1: ordinary text, including a hyphenated name inside, is written as it was."""
    cells = _cells(workbook_bytes([("t", ["h"], [["上海-浦东", "a=b"]])], mark=None))
    assert [(c.value, c.quotePrefix) for c in cells if c.row == 2] == [("上海-浦东", False), ("a=b", False)]


def test_only_the_one_writer_builds_workbooks() -> None:
    """S-1: no module but `oms.web.listing.export` creates an openpyxl Workbook, so no export can
    bypass the neutralisation."""
    root = Path(__file__).resolve().parents[2]
    writers = sorted(
        str(p.relative_to(root))
        for p in root.rglob("*.py")
        if "tests" not in p.parts and re.search(r"\bWorkbook\(", p.read_text(encoding="utf-8"))
    )
    assert writers == ["web/listing/export.py"]


def test_every_export_writer_call_is_covered() -> None:
    """S-1: every view that calls the writer is in `_OTHER_EXPORTS` (or is a list page), so the
    planted-value test below runs it."""
    root = Path(__file__).resolve().parents[2]
    callers = sorted(
        p.relative_to(root).parts[0]
        for p in root.rglob("views.py")
        if re.search(
            r"\b(table_xlsx|sheets_xlsx|export_xlsx|workbook_bytes)\(", p.read_text(encoding="utf-8")
        )
        and p.relative_to(root).parts[0] != "core"
    )
    assert callers == sorted(_OTHER_EXPORTS)


def _routes(resolver: URLResolver, prefix: str = "") -> list[tuple[str, Any]]:
    """(route, callback) of every route without path parameters."""
    found = []
    for entry in resolver.url_patterns:
        route = str(entry.pattern)
        if "<" in route or route.startswith("^"):
            continue
        if isinstance(entry, URLResolver):
            found += _routes(entry, prefix + route)
        elif isinstance(entry, URLPattern):
            found.append((prefix + route, entry.callback))
    return found


def _is_list_page(callback: Any) -> bool:
    return (
        getattr(callback, "view_class", None) is ListPage or getattr(callback, "__name__", "") == "event_list"
    )


def _plant() -> None:
    """A hostile value in every free-text column of every record of the demo company (each
    column gets one of the payloads, cut to the column's length), and each payload once as a
    customer name through the audited action."""
    from oms.customers import actions as customers
    from oms.customers.models import Customer

    admin = User.objects.get(username="admin")
    customers_by_pk = list(Customer.objects.order_by("pk")[: len(PAYLOADS)])
    for payload, customer in zip(PAYLOADS, customers_by_pk, strict=True):
        customers.update_customer(
            actor=admin, obj=customer, data={"name": payload}, version=customer.version, reason=payload
        )
    i = 0
    for model in apps.get_app_configs():
        if not model.name.startswith("oms."):
            continue
        for m in model.get_models():
            if m._meta.app_label == "audit" or m.__name__ in {"ArchiveAccess", "AccessLogEntry"}:
                continue
            for f in m._meta.concrete_fields:
                if (
                    not isinstance(f, models.CharField | models.TextField)
                    or f.choices
                    or f.unique
                    or f.name in _NOT_PLANTED
                ):
                    continue
                payload = PAYLOADS[i % len(PAYLOADS)][: f.max_length or None]
                i += 1
                try:
                    with transaction.atomic():  # a savepoint: PostgreSQL goes on after a refusal
                        m._default_manager.update(**{f.name: payload})
                except Exception:  # an append-only table refuses; nothing to plant there
                    continue
    for payload, customer in zip(PAYLOADS, customers_by_pk, strict=True):
        Customer.objects.filter(pk=customer.pk).update(name=payload)


def _survey() -> int:
    from oms.customers.models import Customer
    from oms.feedback import actions as feedback

    service = User.objects.get(username="customer_service_staff")
    survey = feedback.create_survey(
        actor=service, title=PAYLOADS[0], period_start=date(2026, 1, 1), period_end=date(2026, 12, 31)
    )
    feedback.send_survey(
        actor=service, survey=survey, customer_ids=list(Customer.objects.values_list("pk", flat=True))
    )
    return int(survey.pk)


def test_every_export_writes_planted_formulas_as_text() -> None:
    """S-1 (issue 20 point 3): every list page's export and every other export, run as the people
    who may use it over data whose every text column holds a formula, holds no formula cell; the
    customer list and the audit log carry the planted names as text."""
    from oms.analytics import dashboard, kpis
    from oms.demo.data import load_demo
    from oms.feedback.views import _BY

    load_demo()
    _plant()
    survey = _survey()
    users = [User.objects.get(username=u) for u in ("admin", "executive", "auditor", "customer")]
    clients = []
    for user in users:
        c = Client()
        c.force_login(user)
        clients.append(c)

    urls = [f"/{route}?export=xlsx" for route, callback in _routes(get_resolver()) if _is_list_page(callback)]
    period = dashboard.Filters(date(2026, 1, 1), date(2026, 12, 31), None, "")
    tables = [
        t.code
        for t in dashboard.all_tables(period, amounts=True, a_share=Decimal("0.7"), b_share=Decimal("0.9"))
    ]
    values = {"kpi": list(kpis.KPIS), "table": tables, "by": list(_BY)}
    for entries in _OTHER_EXPORTS.values():
        for name, arg, queries in entries:
            base = reverse(name, args=[arg.format(survey=survey)] if arg else [])
            for query in queries:
                key = next((k for k in values if "{" + k + "}" in query), None)
                for value in values[key] if key else [""]:
                    urls.append(f"{base}?{query.format(**{key or 'x': value})}" if query else base)
    assert len(urls) > 30

    exported: dict[str, bytes] = {}
    for url in urls:
        for c in clients:
            response = c.get(url)
            assert response.status_code in (200, 302, 403, 404), url
            if response.status_code == 200 and response["Content-Type"] == XLSX:
                exported[url] = response.content
                break
    problems = {url: _formulas(content) for url, content in exported.items() if _formulas(content)}
    assert problems == {}
    missing = sorted(url for url in urls if url not in exported)
    assert missing == []

    def texts(url: str) -> set[str]:
        return {c.value for c in _cells(exported[url]) if c.data_type == "s" and c.quotePrefix}

    planted = {_read_back(p) for p in PAYLOADS}
    assert planted <= texts("/master/customers/?export=xlsx")
    assert planted <= texts("/audit/?export=xlsx")
