from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from conftest import make_user
from oms.accounts.models import Role
from oms.catalog.models import Product
from oms.customers.tests.factories import CustomerFactory


def _calendar_2027() -> None:
    """The fixtures deliver in January 2027, past the statutory package's data: the preliminary
    check counts the working days to the delivery date on the calendar (B-6), which has no guess."""
    from oms.policy.actions import add_calendar_year
    from oms.policy.models import CalendarDay

    if not CalendarDay.objects.filter(date__year=2027).exists():
        add_calendar_year(actor="test setup", year=2027)


@pytest.fixture
def org(db: Any) -> dict[str, Any]:
    """A small company: sales staff and head, an executive, customer service, products, a customer,
    and the working calendar up to the fixtures' delivery dates."""
    _calendar_2027()
    sales = make_user("sales1", kind="sales")
    return {
        "sales": sales,
        "head": make_user("saleshead", kind="sales", role=Role.HEAD),
        "exec": make_user("exec1", kind="management", role=Role.EXECUTIVE),
        "cs": make_user("cs1", kind="customer_service"),
        "prod": make_user("prod1", kind="production"),
        # C-1: every department of the default review board has a head who reviews.
        "prod_head": make_user("prodhead", kind="production", role=Role.HEAD),
        "tech_head": make_user("techhead", kind="technical", role=Role.HEAD),
        "quality_head": make_user("qhead", kind="quality", role=Role.HEAD),
        "finance_head": make_user("finhead", kind="finance", role=Role.HEAD),
        "procurement_head": make_user("prochead", kind="procurement", role=Role.HEAD),
        "gm": make_user("gm", kind="management", role=Role.HEAD),
        # S-1: the customer is the salesperson's own, in the sales department, so that those
        # who enter its orders have it in their data scope.
        "customer": CustomerFactory(credit_limit=Decimal("100000"), owner=sales, department=sales.department),
        "gear": Product.objects.create(
            code="P1", name="齿轮箱", spec="GB-200", unit="台", list_price=Decimal("1000"), lead_time_days=10
        ),
        "motor": Product.objects.create(
            code="P2", name="电机", spec="SM-750", unit="台", list_price=Decimal("500"), lead_time_days=5
        ),
    }


def header(org: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    data = {
        "customer": org["customer"],
        "contact_name": "张伟",
        "contact_phone": "13812345678",
        "order_date": date(2026, 11, 23),
        "channel": "phone",
        "order_class": "normal",
        "delivery_date": date(2027, 1, 20),
        "delivery_place": "上海市浦东新区",
        "payment_terms": "monthly",
    }
    data.update(overrides)
    return data


def lines(org: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"product": org["gear"].pk, "quantity": "2", "unit_price": "1000"},
        {"product": org["motor"].pk, "quantity": "4", "unit_price": "480.50"},
    ]


def order_in_review(
    org: dict[str, Any],
    *,
    quantity: str = "2",
    order_lines: list[dict[str, Any]] | None = None,
    **overrides: Any,
) -> Any:
    """An order entered, submitted and passed by the sales head: its first review round is open.
    One gear line by default; `order_lines=lines(org)` gives the two-line order."""
    from oms.intake import actions

    if order_lines is None:
        order_lines = [{"product": org["gear"].pk, "quantity": quantity, "unit_price": "1000"}]
    order = actions.create_order(
        actor=org["sales"], data=header(org, **overrides), lines=order_lines, duplicate_reason="test"
    )
    order = actions.submit_order(actor=org["sales"], order=order)
    return actions.pass_check(actor=org["head"], order=order)


def set_policy(org: dict[str, Any], **changes: Any) -> None:
    """Publish a policy with some values changed, e.g. set_policy(org, review__mode="sequential")."""
    from oms.policy import actions as policy_actions
    from oms.policy.schema import PolicyData

    data = PolicyData().model_dump(mode="json")
    for key, value in changes.items():
        section, field = key.split("__")
        data[section][field] = value
    policy_actions.publish_policy(actor="test setup", data=data)


def confirmed_order(org: dict[str, Any], **overrides: Any) -> Any:
    """An order through review, approval and the customer's confirmation."""
    from oms.review import actions as review
    from oms.review.models import ApprovalStep, ReviewTask

    order = order_in_review(org, **overrides)
    # Sequential review opens one stage after another: approve until none is open.
    while (task := ReviewTask.objects.filter(round__order=order, status="open").first()) is not None:
        review.give_opinion(actor=task.assignee, task=task, verdict="approve")
    for step in ApprovalStep.objects.filter(order=order).order_by("seq"):
        step.refresh_from_db()
        review.decide_step(actor=step.approver, step=step, approve=True)
    order.refresh_from_db()
    return review.record_confirmation(actor=org["sales"], order=order, confirmed_by_name="张伟")


@pytest.fixture
def more_heads(org: dict[str, Any]) -> dict[str, Any]:
    """The org plus the heads release needs and finance staff."""
    from conftest import make_user

    org["warehouse_head"] = make_user("whhead", kind="warehouse", role="head")
    org["logistics_head"] = make_user("lghead", kind="logistics", role="head")
    org["finance"] = make_user("fin1", kind="finance")
    _calendar_2027()
    return org


def signed_order(org: dict[str, Any], **overrides: Any) -> Any:
    """A confirmed order whose contract is reviewed and signed, ready for release."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from oms.contracts import actions as contracts

    all_ok = {k: (True, "") for k in ("capacity", "process", "quantity", "price", "delivery")}
    order = confirmed_order(org, **overrides)
    contract = contracts.review_contract(
        actor=org["head"],
        contract=contracts.generate_contract(actor=org["sales"], order=order),
        points=all_ok,
    )
    contracts.sign_contract(
        actor=org["sales"], contract=contract, scan=SimpleUploadedFile("s.pdf", b"%PDF-1.4 s")
    )
    return order
