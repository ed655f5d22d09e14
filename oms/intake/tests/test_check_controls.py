"""The preliminary check's credit and delivery-date controls hold (B-6, 001 二(三)2): an order of a
customer over the credit limit or with overdue receivables beyond the policy's tolerance, or with
a delivery date shorter than its products' lead time in working days, cannot be passed to review
by the sales head on any path; it can only be escalated to management or sent back for
information. Management's acceptance is the risk decision and is audited as such."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from oms.accounts.actions import issue_api_token
from oms.audit.models import AuditEvent
from oms.engine.workflow import TransitionBlocked
from oms.intake import actions
from oms.intake.tests.fixtures import header, set_policy
from oms.orders import guards, states
from oms.orders.models import OrderStatus, SalesOrder
from oms.tracking.models import WorkItem

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
OVER_LIMIT = (
    "客户信用超额：占用 2,000.00 元（未完成订单 0.00 + 应收 0.00 + 本单 2,000.00）超出信用额度 1,000.00 元。"
)
CONTROL_GUARDS = {guards.credit_within_limit, guards.overdue_within_tolerance, guards.delivery_date_feasible}


def _submitted(org: dict[str, Any], **overrides: Any) -> SalesOrder:
    """An order of two gearboxes (2 000 yuan, lead time 10 working days) waiting for the check."""
    order = actions.create_order(
        actor=org["sales"],
        data=header(org, **overrides),
        lines=[{"product": org["gear"].pk, "quantity": "2", "unit_price": "1000"}],
        duplicate_reason="test",
    )
    return actions.submit_order(actor=org["sales"], order=order)


def _over_limit(org: dict[str, Any]) -> SalesOrder:
    customer = org["customer"]
    customer.credit_limit = Decimal("1000")
    customer.save(update_fields=["credit_limit"])
    return _submitted(org)


def _snapshot(order: SalesOrder) -> tuple[str, int, int, list[int]]:
    """What a refused attempt must leave unchanged: state, version, audit trail, open work."""
    order.refresh_from_db()
    open_items = sorted(WorkItem.objects.filter(status="open").values_list("pk", flat=True))
    return (order.status, order.version, AuditEvent.objects.count(), open_items)


def _auth(user: Any) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(actor=user, user=user, name='t')}"}


def test_over_credit_order_is_not_passed_through_the_page(client, org) -> None:
    """B-6: the sales head's pass of an order over the customer's credit limit is refused on the
    order page, says why, and changes nothing."""
    order = _over_limit(org)
    before = _snapshot(order)
    client.force_login(org["head"])
    response = client.post(
        reverse("workbench:order_transition", args=[order.pk, "pass_check"]),
        {"reason": "资料齐全"},
        follow=True,
    )
    assert OVER_LIMIT in response.content.decode()
    assert _snapshot(order) == before


def test_over_credit_order_is_not_passed_through_the_api(client, org) -> None:
    """B-6: the API answers the refused pass with a typed error naming the reason; nothing changes."""
    order = _over_limit(org)
    auth = _auth(org["head"])  # issuing the token is audited: take the snapshot after it
    before = _snapshot(order)
    response = client.post(
        f"/api/orders/{order.pk}/check",
        json.dumps({"decision": "pass", "reason": "资料齐全"}),
        content_type="application/json",
        **auth,
    )
    assert (response.status_code, response.json()["code"], response.json()["fields"]) == (
        422,
        "blocked",
        {"__all__": [OVER_LIMIT]},
    )
    assert _snapshot(order) == before


def test_check_page_disables_pass_and_shows_the_reasons_beside_the_buttons(client, org) -> None:
    """B-6: the pass button is disabled with the blocking reason shown; escalating and sending back
    for information stay available."""
    order = _over_limit(org)
    client.force_login(org["head"])
    content = client.get(reverse("workbench:order_detail", args=[order.pk])).content.decode()
    assert 'data-testid="do-pass_check" disabled aria-describedby="check-blocking"' in content
    assert 'data-testid="do-escalate">' in content
    assert 'data-testid="do-request_info">' in content
    blocking = content.split('data-testid="check-blocking"')[1].split("</div>")[0]
    assert OVER_LIMIT in blocking


def test_over_credit_order_is_escalated_and_management_accepts_the_risk(org) -> None:
    """B-6: the over-limit order goes to management; the executive's acceptance moves it to review
    and the audit trail names the reason the acceptance overrode, with the executive's reason."""
    order = _over_limit(org)
    order = actions.escalate(actor=org["head"], order=order, reason="超出信用额度，请决定")
    assert order.status == OrderStatus.AWAITING_DECISION
    order = actions.decide(actor=org["exec"], order=order, accept=True, reason="老客户，同意承担风险")
    assert order.status == OrderStatus.IN_REVIEW
    event = AuditEvent.objects.get(object_id=str(order.pk), action="order.risk_accepted")
    assert (event.actor, event.reason, event.after) == (
        org["exec"],
        "老客户，同意承担风险",
        {"overridden": [OVER_LIMIT]},
    )


def test_order_sent_back_for_information_despite_its_credit(org) -> None:
    """B-6: sending the over-limit order back for information is not blocked by the credit control."""
    order = actions.request_info(actor=org["head"], order=_over_limit(org), reason="请确认付款方式")
    assert order.status == OrderStatus.NEEDS_INFO


def test_accept_and_resubmit_are_not_guarded_by_the_check_controls() -> None:
    """B-6: management's acceptance is the risk decision, and a re-review after renegotiation is not
    a new preliminary check: neither carries the check's credit and delivery guards."""
    assert CONTROL_GUARDS <= set(states.PASS_CHECK.guards)
    assert CONTROL_GUARDS.isdisjoint(states.ACCEPT.guards)
    assert CONTROL_GUARDS.isdisjoint(states.RESUBMIT_REVIEW.guards)


def test_delivery_shorter_than_lead_time_in_working_days_is_refused(org, time_machine) -> None:
    """B-6, C-3: from Tue 29 Sep 2026 to Tue 13 Oct are ten weekdays, but the National Day holiday
    (1–7 Oct) leaves six working days (with the make-up Saturday 10 Oct): less than the gearbox's
    lead time of ten working days, so the pass is refused and nothing changes."""
    time_machine.move_to(datetime(2026, 9, 29, 10, 0, tzinfo=SHANGHAI), tick=False)
    order = _submitted(org, order_date=date(2026, 9, 29), delivery_date=date(2026, 10, 13))
    before = _snapshot(order)
    with pytest.raises(TransitionBlocked) as refused:
        actions.pass_check(actor=org["head"], order=order)
    assert refused.value.reasons == ["交期偏紧：到交货日期只有 6 个工作日，产品交货周期最长 10 个工作日。"]
    assert _snapshot(order) == before


def test_delivery_within_lead_time_in_working_days_passes(org, time_machine) -> None:
    """B-6, C-3: to Mon 19 Oct 2026 are exactly ten working days after the holiday: the check passes."""
    time_machine.move_to(datetime(2026, 9, 29, 10, 0, tzinfo=SHANGHAI), tick=False)
    order = _submitted(org, order_date=date(2026, 9, 29), delivery_date=date(2026, 10, 19))
    assert actions.pass_check(actor=org["head"], order=order).status == OrderStatus.IN_REVIEW


def test_delivery_is_counted_from_today_when_the_order_date_is_past(org, time_machine) -> None:
    """B-6: an order dated 29 Sep but checked on Fri 9 Oct has only the seven working days left from
    today (make-up Saturday 10 Oct included), not the ten from its order date."""
    time_machine.move_to(datetime(2026, 10, 9, 10, 0, tzinfo=SHANGHAI), tick=False)
    order = _submitted(org, order_date=date(2026, 9, 29), delivery_date=date(2026, 10, 19))
    with pytest.raises(TransitionBlocked) as refused:
        actions.pass_check(actor=org["head"], order=order)
    assert refused.value.reasons == ["交期偏紧：到交货日期只有 7 个工作日，产品交货周期最长 10 个工作日。"]


@pytest.mark.parametrize(
    ("setting", "make_order"),
    [
        ("over_credit_limit_blocks", lambda org: _over_limit(org)),
        ("tight_delivery_blocks", lambda org: _submitted(org, delivery_date=date(2026, 12, 7))),
    ],
)
def test_policy_that_does_not_block_lets_the_order_pass(org, time_machine, setting, make_order) -> None:
    """B-6: the controls are policy settings: with the setting off, the same order passes."""
    time_machine.move_to(datetime(2026, 12, 4, 10, 0, tzinfo=SHANGHAI), tick=False)
    with pytest.raises(TransitionBlocked):
        actions.pass_check(actor=org["head"], order=make_order(org))
    set_policy(org, **{f"preliminary_check__{setting}": False})
    order = make_order(org)  # a new order keeps the new policy version (DESIGN 5)
    assert actions.pass_check(actor=org["head"], order=order).status == OrderStatus.IN_REVIEW


def test_calendar_without_the_delivery_year_refuses_the_pass(org, time_machine) -> None:
    """B-6, C-3: without calendar data for the delivery year the date cannot be judged; the check
    refuses to guess and says what the administrator must do."""
    from oms.policy.models import CalendarDay

    time_machine.move_to(datetime(2026, 12, 4, 10, 0, tzinfo=SHANGHAI), tick=False)
    CalendarDay.objects.filter(date__year=2027).delete()
    order = _submitted(org)
    with pytest.raises(TransitionBlocked) as refused:
        actions.pass_check(actor=org["head"], order=order)
    assert refused.value.reasons == ["无法判断交期是否合理：工作日历没有 2027 年的数据，请管理员维护。"]


def _overdue_customer(more_heads: dict[str, Any], time_machine: Any) -> SalesOrder:
    """The customer owes 10 000 on an invoice due 25 Jan 2027 (monthly terms); on 10 Feb it is 16
    days overdue when a new order of theirs comes to the check."""
    from oms.billing.tests.test_billing import _invoiced

    time_machine.move_to(datetime(2026, 12, 4, 10, 0, tzinfo=SHANGHAI), tick=False)
    invoice = _invoiced(more_heads)
    assert invoice.due_date == date(2027, 1, 25)
    time_machine.move_to(datetime(2027, 2, 10, 10, 0, tzinfo=SHANGHAI), tick=False)
    return _submitted(more_heads, order_date=date(2027, 2, 10), delivery_date=date(2027, 4, 30))


def test_overdue_receivables_beyond_tolerance_are_refused(more_heads, time_machine) -> None:
    """B-6: by default no overdue receivable is tolerated: the pass is refused with the amount and
    age named, and nothing changes."""
    order = _overdue_customer(more_heads, time_machine)
    before = _snapshot(order)
    with pytest.raises(TransitionBlocked) as refused:
        actions.pass_check(actor=more_heads["head"], order=order)
    assert refused.value.reasons == [
        "客户有逾期应收 10,000.00 元，最早一笔已逾期 16 天，超出制度容忍（0.00 元、0 天）。"
    ]
    assert _snapshot(order) == before


def test_overdue_receivables_within_tolerance_pass(more_heads, time_machine) -> None:
    """B-6: a policy tolerating 10 000 overdue for up to 30 days lets the same customer's order pass."""
    set_policy(
        more_heads,
        preliminary_check__overdue_amount_tolerated="10000",
        preliminary_check__overdue_days_tolerated=30,
    )
    order = _overdue_customer(more_heads, time_machine)
    assert actions.pass_check(actor=more_heads["head"], order=order).status == OrderStatus.IN_REVIEW


def test_the_check_controls_are_edited_in_the_policy_editor(admin_client) -> None:
    """B-6: an administrator sets the preliminary check's thresholds on the policy edit page."""
    from oms.policy import selectors
    from oms.policy.tests.test_views import _form_from_current

    form = _form_from_current()
    assert (
        form["preliminary_check.over_credit_limit_blocks"],
        form["preliminary_check.tight_delivery_blocks"],
    ) == (
        "on",
        "on",
    )
    del form["preliminary_check.over_credit_limit_blocks"]  # an unticked box is not posted
    form["preliminary_check.overdue_amount_tolerated"] = "5000"
    form["preliminary_check.overdue_days_tolerated"] = "15"
    assert admin_client.post(reverse("policy:edit"), form).status_code == 302
    rules = selectors.policy().preliminary_check
    assert (
        rules.over_credit_limit_blocks,
        rules.overdue_amount_tolerated,
        rules.overdue_days_tolerated,
        rules.tight_delivery_blocks,
    ) == (False, Decimal("5000"), 15, True)


def test_check_page_queries_do_not_grow_with_the_lines(client, org) -> None:
    """B-6: the page judging credit and delivery date reads a fixed number of queries whether the
    order has one line or six."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(order: SalesOrder) -> int:
        client.get(reverse("workbench:order_detail", args=[order.pk]))  # warm the per-process caches
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("workbench:order_detail", args=[order.pk]))
        return len(queries.captured_queries)

    client.force_login(org["head"])
    one = _submitted(org)
    six = actions.submit_order(
        actor=org["sales"],
        order=actions.create_order(
            actor=org["sales"],
            data=header(org),
            lines=[{"product": org["gear"].pk, "quantity": str(q), "unit_price": "10"} for q in range(1, 7)],
            duplicate_reason="test",
        ),
    )
    assert count(six) == count(one) <= 60  # 50 measured
