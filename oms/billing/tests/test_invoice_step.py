"""L-2, L-3, T-1, M-1 (flows, point 2): an approved statement's invoicing step stays with the
finance staff until the statement is invoiced in full; on instalment terms it names the next
instalment and opens anew, announced, once one is invoiced; a red-letter invoice reopens it; the
order never closes with an amount left to invoice. One rule per test."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from oms.audit.models import AuditEvent
from oms.billing import actions as billing
from oms.billing.models import Instalment, Statement
from oms.engine.workflow import TransitionBlocked
from oms.notifications.models import Notification
from oms.orders.models import OrderStatus
from oms.policy import selectors as policy_selectors
from oms.tracking.models import WorkItem
from oms.tracking.tests.handoff_walk import waiting
from tests.scenarios.test_settlement_scenario import _invoice, _received, _settle

pytestmark = pytest.mark.django_db
SCHEDULE = [
    (date(2026, 12, 10), Decimal("4000")),
    (date(2027, 1, 11), Decimal("3000")),
    (date(2027, 2, 10), Decimal("3000")),
]


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


def _steps(statement: Statement) -> list[tuple[str, str]]:
    return list(
        WorkItem.objects.filter(object_id=statement.pk, kind="billing.invoice")
        .order_by("pk")
        .values_list("title", "status")
    )


def _on_instalments(org: dict[str, Any]) -> tuple[Statement, list[Instalment]]:
    order = _received(org, "instalments")
    schedule = billing.set_instalments(actor=org["sales"], order=order, schedule=SCHEDULE)
    return _settle(org, order), schedule


def test_a_part_invoiced_statement_keeps_its_step_open(more_heads: dict[str, Any]) -> None:
    """L-2, T-1: on delivery terms, 4,000 of 10,000 invoiced: the one step stays open, nobody is
    told again."""
    statement = _settle(more_heads, _received(more_heads, "on_delivery"))
    told = Notification.objects.count()
    _invoice(more_heads, statement, "D1", "4000")
    assert [s for _t, s in _steps(statement)] == ["open"]
    assert Notification.objects.count() == told


def test_the_step_closes_once_the_statement_is_invoiced_in_full(more_heads: dict[str, Any]) -> None:
    """L-2: the last part invoiced, the step is done."""
    statement = _settle(more_heads, _received(more_heads, "on_delivery"))
    _invoice(more_heads, statement, "D1", "4000")
    _invoice(more_heads, statement, "D2", "6000")
    assert [s for _t, s in _steps(statement)] == ["done"]


def test_on_instalments_the_approved_statement_asks_for_the_first_instalment(
    more_heads: dict[str, Any],
) -> None:
    """L-3, T-1: the step names the first instalment, for every finance member."""
    statement, _schedule = _on_instalments(more_heads)
    n = statement.order.number
    title = f"结算清单 {statement.number} 请开具第 1 期发票（订单 {n}，2026-12-10 到期）"
    assert waiting(more_heads["finance"], "billing.invoice", statement.order).title == title


def test_an_invoiced_instalment_hands_on_the_next_one_announced(more_heads: dict[str, Any]) -> None:
    """L-3, T-1: instalment 1 invoiced: its step is done and instalment 2's opens, told to the
    finance staff, due at the end of the instalment's due date on the working calendar."""
    statement, schedule = _on_instalments(more_heads)
    _invoice(more_heads, statement, "I1", "4000", instalment=schedule[0])
    n = statement.order.number
    second = f"结算清单 {statement.number} 请开具第 2 期发票（订单 {n}，2027-01-11 到期）"
    assert [s for _t, s in _steps(statement)] == ["done", "open"]
    for person in (more_heads["finance"], more_heads["finance_head"]):
        item = waiting(person, "billing.invoice", statement.order)
    assert item.title == second
    calendar = policy_selectors.work_calendar(of=statement.order)
    assert item.due_at == calendar.end_of_day(date(2027, 1, 11))


def test_a_part_invoiced_instalment_keeps_its_step(more_heads: dict[str, Any]) -> None:
    """L-3: 1,000 of instalment 1's 4,000 invoiced: the same step waits, nobody told again."""
    statement, schedule = _on_instalments(more_heads)
    told = Notification.objects.count()
    _invoice(more_heads, statement, "I1", "1000", instalment=schedule[0])
    assert [s for _t, s in _steps(statement)] == ["open"]
    assert Notification.objects.count() == told


def test_a_red_letter_invoice_reopens_the_step_announced(more_heads: dict[str, Any]) -> None:
    """L-2, T-1 (issue 23): the statement invoiced in full, then one invoice reversed: what it gave
    back waits on the finance staff again, who are told."""
    statement = _settle(more_heads, _received(more_heads, "on_delivery"))
    invoice = _invoice(more_heads, statement, "D1", "10000")
    billing.reverse_invoice(
        actor=more_heads["finance_head"],
        invoice=invoice,
        number="R1",
        issued_on=date(2026, 12, 6),
        reason="抬头错",
    )
    assert [s for _t, s in _steps(statement)] == ["done", "open"]
    titles = Notification.objects.filter(recipient=more_heads["finance"], title__startswith="结算清单")
    assert titles.count() == 2


def test_an_order_with_instalments_left_to_invoice_cannot_close(more_heads: dict[str, Any]) -> None:
    """M-1: after the first instalment's invoice, 6,000 are left to invoice (and its 4,000 unpaid):
    closure is refused with the reasons and nothing changes."""
    statement, schedule = _on_instalments(more_heads)
    _invoice(more_heads, statement, "I1", "4000", instalment=schedule[0])
    order = statement.order
    order.refresh_from_db()
    before = (order.status, order.version, AuditEvent.objects.count(), _steps(statement))
    with pytest.raises(TransitionBlocked) as refused:
        billing.close_order(actor=more_heads["sales"], order=order)
    assert refused.value.reasons == ["还有 6000.00 未开票；还有 4000.00 未收款"]
    order.refresh_from_db()
    assert (order.status, order.version, AuditEvent.objects.count(), _steps(statement)) == before
    assert order.status == OrderStatus.RECEIVED
