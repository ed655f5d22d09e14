"""Q-1, Q-2, O-3: the analysis tables behind the charts, the ABC rule, the planning estimate and
plan against actual, and the monthly assessment report (page, PDF, Excel)."""

from __future__ import annotations

from datetime import UTC, date
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from conftest import make_user
from oms.analytics import actions, dashboard
from oms.analytics.forms import plan_input
from oms.analytics.models import OrderPlan
from oms.analytics.tests import dataset as d
from oms.core.errors import FieldErrors
from oms.customers.tests.factories import CustomerFactory, RegionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sales(org: dict[str, Any]) -> dict[str, Any]:
    south = RegionFactory(code="south", name="华南")
    org["wang"] = make_user("wang", kind="sales", last_name="王", first_name="一")
    org["big"] = CustomerFactory(name="大客户", grade="A")
    org["mid"] = CustomerFactory(name="中客户", grade="B", region=south)
    org["small"] = CustomerFactory(name="小客户", grade="C", region=south)
    day = date(2026, 11, 5)
    for amount in ("6000", "1000"):
        d.order(org, org["wang"], confirmed=day, amount=amount, customer=org["big"])
    d.order(org, org["wang"], confirmed=day, amount="2000", customer=org["mid"])
    d.order(org, org["wang"], confirmed=day, amount="1000", customer=org["small"])
    d.order(org, org["wang"], confirmed=date(2025, 1, 5), amount="99999", customer=org["small"])  # outside
    return org


F = dashboard.Filters(date(2026, 11, 1), date(2026, 11, 30))


def test_orders_and_amounts_by_region(sales) -> None:
    table = dashboard.by_region(dashboard.by_customer(F), amounts=True)
    assert table.rows == [["华东", 2, Decimal("7000.00")], ["华南", 2, Decimal("3000.00")]]
    assert table.chart["x"] == ["华东", "华南"]


def test_abc_classification_follows_the_shown_rule(sales) -> None:
    """A while the cumulative share before the customer is under 70 %, B under 90 %, C after:
    大客户 starts at 0 % (A), 中客户 at 70 % (B), 小客户 at 90 % (C)."""
    table = dashboard.abc(dashboard.by_customer(F), True, Decimal("70"), Decimal("90"))
    assert [(r[0], r[1], r[2], r[3], r[4]) for r in table.rows] == [
        ("大客户", "A", 2, Decimal("7000.00"), Decimal("70.0")),
        ("中客户", "B", 1, Decimal("2000.00"), Decimal("20.0")),
        ("小客户", "C", 1, Decimal("1000.00"), Decimal("10.0")),
    ]
    assert "70" in table.note and "90" in table.note


def test_filters_by_customer_grade(sales) -> None:
    table = dashboard.by_salesperson(
        dashboard.by_person(dashboard.Filters(F.start, F.end, grade="B")), amounts=True
    )
    assert table.rows == [["王一", "销售部", 1, Decimal("2000.00")]]


def test_one_pass_gives_the_separate_groupings(sales) -> None:
    """Issue 21: on PostgreSQL the customers', people's and months' figures come from one pass
    (grouping sets) and equal the three grouped queries; elsewhere there is no such pass."""
    from django.db import connection

    d.order(sales, sales["wang"], confirmed=date(2026, 10, 20), amount="500", customer=sales["mid"])
    d.order(sales, sales["cs"], confirmed=date(2026, 11, 7), amount="300", customer=sales["mid"])
    period = dashboard.Filters(date(2026, 10, 1), date(2026, 11, 30))
    counted = dashboard.counted_once(period)
    if connection.vendor != "postgresql":
        assert counted is None
        return
    assert counted is not None
    assert sorted(dashboard.by_customer(period, counted), key=str) == sorted(
        dashboard.by_customer(period), key=str
    )
    assert sorted(dashboard.by_person(period, counted), key=str) == sorted(
        dashboard.by_person(period), key=str
    )
    assert (
        dashboard.trend(period, True, counted).rows
        == dashboard.trend(period, True).rows
        == [
            ["2026-10", 1, Decimal("500.00")],
            ["2026-11", 5, Decimal("10300.00")],
        ]
    )


def test_amounts_leave_the_tables_for_roles_without_prices(sales) -> None:
    tables = dashboard.all_tables(F, amounts=False, a_share=Decimal("70"), b_share=Decimal("90"))
    region = next(t for t in tables if t.code == "region")
    assert (region.headers, region.rows) == (["区域", "订单数"], [["华东", 2], ["华南", 2]])


def test_dashboard_page_and_export(client, sales, django_assert_max_num_queries) -> None:
    client.force_login(sales["head"])
    with django_assert_max_num_queries(20):
        page = client.get(
            reverse("analytics:dashboard"), {"date_from": "2026-11-01", "date_to": "2026-11-30"}
        )
    text = page.content.decode()
    assert 'data-chart="abc"' in text and 'id="oms-charts"' in text and "大客户" in text
    export = client.get(reverse("analytics:dashboard"), {"export": "region"})
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_production_staff_cannot_open_the_dashboard(client, sales) -> None:
    client.force_login(sales["prod"])
    assert client.get(reverse("analytics:dashboard")).status_code == 403


def test_a_plan_is_estimated_from_the_same_quarter_of_earlier_years(sales) -> None:
    """Q-2 (004): the average of Q1 2025 (99999) and Q1 2024 (none) over the policy's 2 years."""
    plan = actions.save_plan(
        actor=sales["wang"],
        **plan_input({"customer": sales["small"].pk, "year": 2026, "quarter": 1}),
        estimated=True,
    )
    assert (plan.method, plan.expected_amount, plan.expected_quantity) == (
        "estimated",
        Decimal("49999.50"),
        Decimal("0"),
    )
    assert plan.basis == "按 2024–2025 Q1 同期平均（2024: 0.00；2025: 99999.00）"


def test_no_history_means_no_estimate(sales) -> None:
    with pytest.raises(FieldErrors):
        actions.save_plan(
            actor=sales["wang"],
            **plan_input({"customer": sales["mid"].pk, "year": 2027, "quarter": 2}),
            estimated=True,
        )
    assert OrderPlan.objects.count() == 0


def test_plan_against_actual(client, sales) -> None:
    """Q-2: 大客户 planned 10000 for 2026 Q4 and ordered 7000: 70 %."""
    actions.save_plan(
        actor=sales["wang"],
        **plan_input(
            {
                "customer": sales["big"].pk,
                "year": 2026,
                "quarter": 4,
                "expected_quantity": "5",
                "expected_amount": "10000",
            }
        ),
    )
    rows = actions.plan_vs_actual(OrderPlan.objects.all(), 2026)
    assert [(r.plan.customer.name, r.actual_amount, r.achieved) for r in rows] == [
        ("大客户", Decimal("7000.00"), Decimal("70.0"))
    ]
    client.force_login(sales["wang"])
    page = client.get(reverse("analytics:plan_actual"), {"year": "2026"}).content.decode()
    assert "70.0" in page


def test_monthly_assessment_page_pdf_and_excel(client, sales) -> None:
    """O-3: the report for management in three forms."""
    client.force_login(sales["exec"])
    page = client.get(reverse("analytics:assessment"), {"month": "2026-11"}).content.decode()
    assert "订单管理月度考核报告 2026-11" in page and "确认准确率" in page
    pdf = client.get(reverse("analytics:assessment"), {"month": "2026-11", "format": "pdf"})
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    xlsx = client.get(reverse("analytics:assessment"), {"month": "2026-11", "export": "xlsx"})
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_kpi_page_is_bounded(client, sales, django_assert_max_num_queries) -> None:
    client.force_login(sales["exec"])
    with django_assert_max_num_queries(16):
        assert client.get(reverse("analytics:kpis"), {"month": "2026-11", "by": "person"}).status_code == 200


def test_closed_months_are_recorded_once_and_feed_the_trend(client, sales) -> None:
    """O-3: the sweep records each closed month's company figures once; the report's trend
    reads them (here November 2026: 4 orders confirmed, none corrected: 100 %)."""
    from datetime import datetime

    from oms.analytics.actions import record_closed_months
    from oms.analytics.models import KpiMonth

    december = datetime(2026, 12, 3, 8, tzinfo=UTC)
    added = record_closed_months(december)
    assert added == KpiMonth.objects.count() > 0
    assert record_closed_months(december) == 0
    november = KpiMonth.objects.get(month=date(2026, 11, 1), kpi="confirmation_accuracy")
    assert (november.numerator, november.denominator) == (Decimal("4"), Decimal("4"))
    KpiMonth.objects.filter(pk=november.pk).update(
        numerator=Decimal("3")
    )  # shows the recorded figure is read
    client.force_login(sales["exec"])
    page = client.get(reverse("analytics:assessment"), {"month": "2026-12"}).content.decode()
    assert "2026-11 75.0" in page
