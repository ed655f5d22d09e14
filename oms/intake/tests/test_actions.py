"""P-1, B-3..B-9: bad input is refused naming the field or line; nothing is saved half-way."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from oms.audit.models import AuditEvent
from oms.core.errors import ActionError, FieldErrors, NotAllowed, StaleVersion
from oms.intake import actions
from oms.intake.tests.fixtures import header, lines
from oms.orders.models import OrderLine, SalesOrder
from oms.policy import actions as policy_actions
from oms.policy.schema import PolicyData

pytestmark = pytest.mark.django_db


def _refused(org, expected_keys, *, data=None, order_lines=None):
    with pytest.raises(FieldErrors) as info:
        actions.create_order(
            actor=org["sales"],
            data=data or header(org),
            lines=order_lines if order_lines is not None else lines(org),
        )
    assert sorted(info.value.errors) == sorted(expected_keys)
    assert (
        SalesOrder.objects.count(),
        OrderLine.all_objects.count(),
        AuditEvent.objects.filter(action="order.create").count(),
    ) == (0, 0, 0)
    return info.value.errors


def test_zero_quantity_is_refused_naming_the_line(org) -> None:
    errors = _refused(
        org,
        ["lines.1.quantity"],
        order_lines=[*lines(org)[:1], {"product": org["motor"].pk, "quantity": "0", "unit_price": "1"}],
    )
    assert errors["lines.1.quantity"] == ["数量必须大于 0。"]


def test_negative_quantity_is_refused(org) -> None:
    _refused(
        org,
        ["lines.0.quantity"],
        order_lines=[{"product": org["gear"].pk, "quantity": "-2", "unit_price": "1"}],
    )


def test_delivery_before_order_date_is_refused(org) -> None:
    errors = _refused(org, ["delivery_date"], data=header(org, delivery_date=date(2026, 11, 1)))
    assert errors["delivery_date"] == ["交货日期不能早于下单日期。"]


def test_unknown_product_is_refused(org) -> None:
    """A-2, B-3: order lines name products of the master data; an unknown one is refused."""
    _refused(org, ["lines.0.product"], order_lines=[{"product": 999999, "quantity": "1", "unit_price": "1"}])


def test_discontinued_product_is_refused(org) -> None:
    """A-2, B-3: a discontinued product (inactive in the master data) cannot be ordered."""
    org["motor"].active = False
    org["motor"].save()
    errors = _refused(org, ["lines.1.product"])
    assert "已停产" in errors["lines.1.product"][0]


def test_blocked_customer_is_refused(org) -> None:
    org["customer"].blocked, org["customer"].blocked_reason = True, "长期拖欠货款"
    org["customer"].save()
    errors = _refused(org, ["customer"])
    assert errors["customer"] == ["客户已冻结，不能下单：长期拖欠货款"]


def test_price_below_the_policy_floor_is_refused(org) -> None:
    data = PolicyData().model_dump(mode="json")
    data["intake"]["price_floor_ratio"] = "0.9"
    policy_actions.publish_policy(actor="test setup", data=data)
    low = [*lines(org)[:1], {"product": org["motor"].pk, "quantity": "4", "unit_price": "449.99"}]
    errors = _refused(org, ["lines.1.unit_price"], order_lines=low)
    assert errors["lines.1.unit_price"] == ["单价低于最低售价 450.00。"]


def test_unknown_order_class_is_refused(org) -> None:
    _refused(org, ["order_class"], data=header(org, order_class="express"))


def test_no_lines_is_refused(org) -> None:
    _refused(org, ["lines"], order_lines=[])


def test_staff_of_production_may_not_enter_orders(org) -> None:
    with pytest.raises(NotAllowed):
        actions.create_order(actor=org["prod"], data=header(org), lines=lines(org))
    assert SalesOrder.objects.count() == 0


def test_duplicate_needs_a_reason(org) -> None:
    first = actions.create_order(actor=org["sales"], data=header(org), lines=lines(org))
    with pytest.raises(actions.DuplicateSuspected) as info:
        actions.create_order(actor=org["sales"], data=header(org), lines=lines(org))
    assert info.value.numbers == [first.number]
    second = actions.create_order(
        actor=org["sales"], data=header(org), lines=lines(org), duplicate_reason="客户追加同样一批"
    )
    assert (SalesOrder.objects.count(), second.duplicate_reason) == (2, "客户追加同样一批")


def test_different_lines_are_not_a_duplicate(org) -> None:
    actions.create_order(actor=org["sales"], data=header(org), lines=lines(org))
    actions.create_order(actor=org["sales"], data=header(org), lines=lines(org)[:1])
    assert SalesOrder.objects.count() == 2


def test_numbers_are_unique_and_follow_the_format(org) -> None:
    a = actions.create_order(actor=org["sales"], data=header(org), lines=lines(org))
    b = actions.create_order(actor=org["sales"], data=header(org), lines=lines(org)[:1])
    assert a.number != b.number and a.number[:2] == b.number[:2] == "SO"
    assert int(b.number[-4:]) == int(a.number[-4:]) + 1


def test_stale_update_is_refused_and_changes_nothing(org) -> None:
    order = actions.create_order(actor=org["sales"], data=header(org), lines=lines(org))
    actions.update_order(
        actor=org["sales"], order=order, data={"delivery_place": "苏州"}, lines=None, version=1
    )
    with pytest.raises(StaleVersion):
        actions.update_order(
            actor=org["sales"], order=order, data={"delivery_place": "杭州"}, lines=None, version=1
        )
    order.refresh_from_db()
    assert (order.delivery_place, order.version) == ("苏州", 2)


def test_draft_edit_records_lines_before_and_after(org) -> None:
    """B-5: every edit before submission is recorded; removed lines are kept, not deleted."""
    order = actions.create_order(actor=org["sales"], data=header(org), lines=lines(org))
    actions.update_order(actor=org["sales"], order=order, data={}, lines=lines(org)[:1], version=1)
    event = AuditEvent.objects.get(action="order.update")
    assert (len(event.before["lines"]), len(event.after["lines"])) == (2, 1)
    assert (order.lines.count(), OrderLine.all_objects.filter(order=order).count()) == (1, 3)
    order.refresh_from_db()
    assert order.total_amount == Decimal("2000.00")


def test_submitted_order_is_locked(org) -> None:
    order = actions.submit_order(
        actor=org["sales"], order=actions.create_order(actor=org["sales"], data=header(org), lines=lines(org))
    )
    with pytest.raises(ActionError):
        actions.update_order(
            actor=org["sales"],
            order=order,
            data={"delivery_place": "杭州"},
            lines=None,
            version=order.version,
        )
    order.refresh_from_db()
    assert order.delivery_place == "上海市浦东新区"


def test_submit_refuses_a_blocked_customer_with_the_reason(org) -> None:
    from oms.engine.workflow import TransitionBlocked
    from oms.orders.models import OrderStatus

    order = actions.create_order(actor=org["sales"], data=header(org), lines=lines(org))
    org["customer"].blocked = True
    org["customer"].save()
    with pytest.raises(TransitionBlocked) as info:
        actions.submit_order(actor=org["sales"], order=order)
    order.refresh_from_db()
    assert order.status == OrderStatus.DRAFT
    assert "已冻结" in info.value.reasons[0]


@pytest.mark.parametrize(
    ("order_class", "due"),
    [("urgent", (2025, 3, 5, 11, 30)), ("special", (2025, 3, 6, 14, 30)), ("normal", (2025, 3, 10, 9, 30))],
)
def test_check_deadline_follows_the_order_class_in_working_hours(org, time_machine, order_class, due) -> None:
    """B-7: 2 h / 12 h / 24 h of working time (09:00–12:00, 13:00–18:00), from Wed 2025-03-05 09:30."""
    from zoneinfo import ZoneInfo

    from oms.tracking.models import WorkItem

    tz = ZoneInfo("Asia/Shanghai")
    time_machine.move_to(timezone_aware(2025, 3, 5, 9, 30, tz), tick=False)
    order = actions.create_order(
        actor=org["sales"],
        data=header(org, order_date=date(2025, 3, 5), order_class=order_class),
        lines=lines(org),
    )
    actions.submit_order(actor=org["sales"], order=order)
    assert WorkItem.objects.get().due_at == timezone_aware(*due, tz)


def timezone_aware(y, m, d, hh, mm, tz):
    from datetime import datetime

    return datetime(y, m, d, hh, mm, tzinfo=tz)
