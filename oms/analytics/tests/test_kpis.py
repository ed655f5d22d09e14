"""O-1: each KPI formula on a hand-made data set whose answer is counted by eye, per company,
department and person, for November 2026; records outside the month do not count."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from conftest import make_user
from oms.analytics import drilldown, kpis
from oms.analytics.tests import dataset as d
from oms.tracking.actions import rollup_steps

pytestmark = pytest.mark.django_db

NOV = (date(2026, 11, 1), date(2026, 11, 30))


@pytest.fixture
def people(org: dict[str, Any]) -> dict[str, Any]:
    org["wang"] = make_user("wang", kind="sales", last_name="王", first_name="一")
    org["li"] = make_user("li", kind="sales", last_name="李", first_name="二")
    return org


def _table(code: str, by: str) -> dict[str, tuple[Decimal, Decimal, Decimal | None]]:
    return {r.label: (r.numerator, r.denominator, r.percent) for r in kpis.KPIS[code].compute(*NOV, by)}


def test_processing_timeliness(people) -> None:
    """Steps done within their limit / steps done: sales 3 of 4, production 1 of 2."""
    o = d.order(people, people["wang"])
    day = date(2026, 11, 10)
    due = d.at(day, 17)
    d.step(o, people["wang"], due=due, closed=d.at(day, 9))
    d.step(o, people["wang"], due=due, closed=d.at(day, 16))
    d.step(o, people["wang"], due=due, closed=d.at(date(2026, 11, 11), 9))  # late
    d.step(o, people["li"], due=due, closed=d.at(day, 11))
    d.step(o, people["prod"], due=due, closed=d.at(day, 12))
    d.step(o, people["prod"], due=due, closed=d.at(date(2026, 11, 12), 12))  # late
    d.step(o, people["prod"], due=d.at(date(2026, 10, 30), 17), closed=d.at(date(2026, 10, 30), 9))  # October
    d.step(o, people["prod"], due=due, closed=None)  # still open
    rollup_steps()
    assert _table("timeliness", "company") == {"全公司": (4, 6, Decimal("66.7"))}
    assert _table("timeliness", "department") == {
        "销售部": (3, 4, Decimal("75.0")),
        "生产部": (1, 2, Decimal("50.0")),
    }
    assert _table("timeliness", "person") == {
        "王一": (2, 3, Decimal("66.7")),
        "李二": (1, 1, Decimal("100.0")),
        "prod1": (1, 2, Decimal("50.0")),
    }


@pytest.fixture
def two_orders(people: dict[str, Any]) -> dict[str, Any]:
    """Two orders received in November: 王一's (销售部) with every step on time, and the customer
    service's cs1's (客服部) with one step of six finished a day late."""
    day = date(2026, 11, 10)
    due = d.at(day, 17)
    submitted = d.at(date(2026, 11, 2), 9)
    good = d.order(people, people["wang"], order_date=date(2026, 11, 2), submitted_at=submitted)
    late = d.order(people, people["cs"], order_date=date(2026, 11, 2), submitted_at=submitted)
    for _i in range(3):
        d.step(good, people["wang"], due=due, closed=d.at(day, 9))
    d.step(late, people["cs"], due=due, closed=d.at(day, 9))
    d.step(late, people["prod"], due=due, closed=d.at(day, 10))
    d.step(late, people["prod"], due=due, closed=d.at(date(2026, 11, 11), 9))  # a day late
    # Neither a draft never submitted nor an order received in October counts.
    d.order(people, people["wang"], order_date=date(2026, 11, 3), status="draft")
    d.order(people, people["wang"], order_date=date(2026, 10, 30), submitted_at=d.at(date(2026, 10, 30)))
    people["good"], people["late"] = good, late
    rollup_steps()
    return people


def test_order_timeliness_counts_orders_not_steps(two_orders) -> None:
    """O-1 (003 六(二)1 订单处理及时率): orders handled in time ÷ orders received: two orders, one
    with a late step → 50 %, not the 5 of 6 steps the per-step figure shows."""
    assert _table("order_timeliness", "company") == {"全公司": (1, 2, Decimal("50.0"))}
    assert kpis.KPIS["order_timeliness"].title == "订单处理及时率"


def test_order_timeliness_per_department_and_person(two_orders) -> None:
    """O-1: an order counts for its sales department and salesperson; the late step's department
    is not where the order is counted."""
    assert _table("order_timeliness", "department") == {
        "销售部": (1, 1, Decimal("100.0")),
        "客服部": (0, 1, Decimal("0.0")),
    }
    assert _table("order_timeliness", "person") == {
        "王一": (1, 1, Decimal("100.0")),
        "cs1": (0, 1, Decimal("0.0")),
    }
    assert _table("order_timeliness", "month") == {"2026-11": (1, 2, Decimal("50.0"))}


def test_step_timeliness_stays_and_is_labelled_per_step(two_orders) -> None:
    """O-1: the per-step figure is still steps on time ÷ steps, under its own name."""
    assert _table("timeliness", "company") == {"全公司": (5, 6, Decimal("83.3"))}
    assert kpis.KPIS["timeliness"].title == "环节及时率（按待办步骤）"


def test_an_open_step_past_its_deadline_makes_the_order_late(people) -> None:
    """O-1: a step still open after its deadline (not yet flagged by the sweep) is not handled in
    time; an open step not yet due is."""
    received = {"order_date": date(2026, 11, 2), "submitted_at": d.at(date(2026, 11, 2))}
    waiting = d.order(people, people["wang"], **received)
    d.step(waiting, people["wang"], due=d.at(date(2099, 1, 5), 17), closed=None)
    stuck = d.order(people, people["wang"], **received)
    d.step(stuck, people["wang"], due=d.at(date(2026, 11, 3), 17), closed=None)
    assert _table("order_timeliness", "company") == {"全公司": (1, 2, Decimal("50.0"))}


def test_order_timeliness_drill_lists_the_orders_with_the_late_one_marked(two_orders) -> None:
    """O-1: the records behind the figure are the orders, the late one not counted."""
    found = drilldown.drill("order_timeliness", *NOV, "company", "", show_money=True)
    good, late = two_orders["good"], two_orders["late"]
    assert [(r.cells[0], r.counted, r.order_id) for r in found.rows] == [
        (good.number, True, good.pk),
        (late.number, False, late.pk),
    ]


def test_order_timeliness_is_one_query_per_grouping(two_orders, django_assert_num_queries) -> None:
    """O-1, ADR 0010: a grouped query, not a loop over orders."""
    with django_assert_num_queries(1):
        kpis.order_timeliness(*NOV, "person")


def test_kpi_page_and_assessment_show_order_timeliness(client, two_orders) -> None:
    """O-1, O-3: the KPI page and the monthly assessment (page, Excel) carry the seed's figure
    beside the per-step one."""
    client.force_login(two_orders["head"])
    page = client.get(reverse("analytics:kpis"), {"month": "2026-11", "by": "department"}).content.decode()
    assert "订单处理及时率" in page and "环节及时率（按待办步骤）" in page
    assert "kpi=order_timeliness&amp;by=department" in page
    from oms.analytics import assessment

    report = assessment.build("2026-11")
    section = next(s for s in report.sections if s.kpi.code == "order_timeliness")
    assert (section.company.numerator, section.company.denominator, section.company.percent) == (
        1,
        2,
        Decimal("50.0"),
    )
    assert section.target == Decimal("95")
    assert report.sheets()[0] == (
        "订单处理及时率",
        ["部门", "分子", "分母", "比率（%）", "目标（%）"],
        [
            ["全公司", 1, 2, Decimal("50.0"), Decimal("95")],
            ["客服部", 0, 1, Decimal("0.0"), Decimal("95")],
            ["销售部", 1, 1, Decimal("100.0"), Decimal("95")],
        ],
    )


def test_confirmation_accuracy(people) -> None:
    """Confirmed without a later internal correction / confirmed: a customer's own change and a
    rejected internal one are not errors."""
    day = date(2026, 11, 5)
    d.change(d.order(people, people["wang"], confirmed=day), source="department", status="approved")
    d.change(d.order(people, people["wang"], confirmed=day), source="customer", status="approved")
    d.order(people, people["wang"], confirmed=day)
    d.change(d.order(people, people["li"], confirmed=day), source="department", status="rejected")
    d.order(people, people["li"], confirmed=date(2026, 12, 1))  # December
    assert _table("confirmation_accuracy", "company") == {"全公司": (3, 4, Decimal("75.0"))}
    assert _table("confirmation_accuracy", "person") == {
        "王一": (2, 3, Decimal("66.7")),
        "李二": (1, 1, Decimal("100.0")),
    }


def test_order_accuracy(people) -> None:
    """Signed for without remarks, non-conformance or complaint / signed for: 2 of 5."""
    day = date(2026, 11, 20)
    d.accepted(d.order(people, people["wang"]), day)
    d.accepted(d.order(people, people["wang"]), day, result="remarks")
    o3 = d.order(people, people["wang"])
    d.accepted(o3, day)
    d.complaint(o3)
    o4 = d.order(people, people["li"])
    d.accepted(o4, day)
    d.non_conformance(o4, people)
    d.accepted(d.order(people, people["li"]), day)
    d.accepted(d.order(people, people["li"]), date(2026, 10, 31))  # October
    assert _table("order_accuracy", "company") == {"全公司": (2, 5, Decimal("40.0"))}
    assert _table("order_accuracy", "person") == {
        "王一": (1, 3, Decimal("33.3")),
        "李二": (1, 2, Decimal("50.0")),
    }


def test_customer_satisfaction(people) -> None:
    """Points given / points possible: 王 4+5 of 10, 李 3 of 5."""
    day = date(2026, 11, 15)
    d.answers(d.order(people, people["wang"]), [4, 5], day)
    d.answers(d.order(people, people["li"]), [3], day)
    d.answers(d.order(people, people["li"]), [1], date(2026, 12, 2))  # December
    assert _table("satisfaction", "company") == {"全公司": (12, 15, Decimal("80.0"))}
    assert _table("satisfaction", "person") == {
        "王一": (9, 10, Decimal("90.0")),
        "李二": (3, 5, Decimal("60.0")),
    }


def test_collection_rate(people) -> None:
    """Received by the due date / due: 1000 + 500 of 4000 due in November."""
    due = date(2026, 11, 20)
    i1 = d.invoice(d.order(people, people["wang"]), "1000.00", due)
    d.paid(i1, "1000.00", date(2026, 11, 18))
    i2 = d.invoice(d.order(people, people["wang"]), "2000.00", due)
    d.paid(i2, "500.00", due)
    d.paid(i2, "1500.00", date(2026, 11, 25))  # late
    d.invoice(d.order(people, people["li"]), "1000.00", due)  # unpaid
    d.invoice(d.order(people, people["li"]), "900.00", date(2026, 12, 20))  # due in December
    assert _table("collection", "company") == {
        "全公司": (Decimal("1500.00"), Decimal("4000.00"), Decimal("37.5"))
    }
    assert _table("collection", "person") == {
        "王一": (Decimal("1500.00"), Decimal("3000.00"), Decimal("50.0")),
        "李二": (Decimal("0"), Decimal("1000.00"), Decimal("0.0")),
    }


def test_the_drill_down_lists_the_orders_behind_a_figure(people) -> None:
    """O-1: 王一's confirmation accuracy rests on three orders; the corrected one does not count."""
    day = date(2026, 11, 5)
    bad = d.order(people, people["wang"], confirmed=day)
    d.change(bad, source="department", status="approved")
    good = d.order(people, people["wang"], confirmed=day)
    d.order(people, people["li"], confirmed=day)
    found = drilldown.drill("confirmation_accuracy", *NOV, "person", str(people["wang"].pk), show_money=True)
    assert found.total == 2
    assert [(r.cells[0], r.counted, r.order_id) for r in found.rows] == [
        (bad.number, False, bad.pk),
        (good.number, True, good.pk),
    ]


def test_kpi_page_shows_formulas_and_links(client, people) -> None:
    d.change(
        d.order(people, people["wang"], confirmed=date(2026, 11, 5)), source="department", status="approved"
    )
    client.force_login(people["head"])
    page = client.get(reverse("analytics:kpis"), {"month": "2026-11", "by": "person"}).content.decode()
    assert "期内确认、之后没有因内部差错而批准变更的订单数 ÷ 期内确认的订单数 × 100%" in page
    assert f"kpi=confirmation_accuracy&amp;by=person&amp;key={people['wang'].pk}" in page
    drill = client.get(
        reverse("analytics:drill"),
        {"kpi": "confirmation_accuracy", "month": "2026-11", "by": "person", "key": people["wang"].pk},
    ).content.decode()
    assert 'data-testid="drill-row"' in drill


def test_staff_cannot_open_the_kpis(client, people) -> None:
    client.force_login(people["sales"])
    assert client.get(reverse("analytics:kpis")).status_code == 403
