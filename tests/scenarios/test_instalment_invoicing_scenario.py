"""Scenario (flows, point 2): an order on three instalments (分期付款, L-3) from its approved
statement to closure. The finance staff's invoicing step (L-2) follows the payment terms: it names
each instalment in turn and opens anew, announced to every finance member (T-1), once the one
before is invoiced; a red-letter invoice (issue 23) reopens it; the order cannot close while an
amount is left to invoice or unpaid (M-1), and closes once all is invoiced and paid."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from oms.billing import actions as billing
from oms.engine.workflow import TransitionBlocked
from oms.orders.models import OrderStatus
from oms.tracking.models import WorkItem
from oms.tracking.tests.handoff_walk import waiting
from tests.scenarios.test_settlement_scenario import _close, _invoice, _pay, _received, _settle

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


def _asked(org: dict[str, Any], statement: Any, seq: int, due: str) -> None:
    """T-1: both finance members have instalment `seq`'s step in their work and were told."""
    title = f"结算清单 {statement.number} 请开具第 {seq} 期发票（订单 {statement.order.number}，{due} 到期）"
    for person in (org["finance"], org["finance_head"]):
        assert waiting(person, "billing.invoice", statement.order).title == title


def _open_steps(statement: Any) -> int:
    return WorkItem.objects.filter(object_id=statement.pk, kind="billing.invoice", status="open").count()


def test_each_instalment_is_asked_for_in_turn_until_the_order_closes(more_heads: dict[str, Any]) -> None:
    org = more_heads
    order = _received(org, "instalments")
    schedule = billing.set_instalments(
        actor=org["sales"],
        order=order,
        schedule=[
            (date(2026, 12, 10), Decimal("4000")),
            (date(2027, 1, 11), Decimal("3000")),
            (date(2027, 2, 10), Decimal("3000")),
        ],
    )
    # L-2: finance approves the statement; the first instalment waits on the finance staff.
    statement = _settle(org, order)
    _asked(org, statement, 1, "2026-12-10")
    # L-3: each invoiced instalment hands on the next, announced.
    _invoice(org, statement, "I1", "4000", instalment=schedule[0])
    _asked(org, statement, 2, "2027-01-11")
    # M-1: 6,000 left to invoice (and 4,000 unpaid): the order cannot close.
    with pytest.raises(TransitionBlocked) as refused:
        _close(org, order)
    assert refused.value.reasons == ["还有 6000.00 未开票；还有 4000.00 未收款"]
    _invoice(org, statement, "I2", "3000", instalment=schedule[1])
    _asked(org, statement, 3, "2027-02-10")
    third = _invoice(org, statement, "I3", "3000", instalment=schedule[2])
    assert _open_steps(statement) == 0
    # Issue 23, L-2: the third invoice reversed: its instalment waits on finance again.
    billing.reverse_invoice(
        actor=org["finance_head"], invoice=third, number="R3", issued_on=date(2026, 12, 6), reason="金额有误"
    )
    assert _open_steps(statement) == 1
    with pytest.raises(TransitionBlocked) as refused:
        _close(org, order)
    assert refused.value.reasons == ["还有 3000.00 未开票；还有 7000.00 未收款"]
    _invoice(org, statement, "I3B", "3000", instalment=schedule[2])
    assert _open_steps(statement) == 0
    # M-1: all invoiced and paid: it closes.
    _pay(org, "10000", date(2026, 12, 8), "B1")
    assert _close(org, order).status == OrderStatus.CLOSED
