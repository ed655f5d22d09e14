"""Scenarios from delivery to closure for each payment term (K-3, L-1..L-6, M-1): prepayment,
payment on delivery, monthly settlement with a statement day, and three instalments with one
paid late and dunned; closure refused while something is missing, then allowed."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from conftest import make_user
from oms.audit.verify import verify_chain
from oms.billing import actions as billing
from oms.billing.models import DunningStep
from oms.delivery import actions as delivery
from oms.engine.workflow import TransitionBlocked
from oms.fulfilment import actions as fulfilment
from oms.intake.tests.fixtures import set_policy, signed_order
from oms.orders.models import OrderStatus
from oms.quality.tests.fixtures import pass_final_inspection
from oms.tracking.models import WorkItem

pytestmark = pytest.mark.django_db
ALL_OK = dict.fromkeys(delivery.CHECKS, True)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _received(org: dict[str, Any], terms: str) -> Any:
    """Signed, (prepaid,) released, shipped whole, accepted with the signed note: received."""
    order = signed_order(org, quantity="10", payment_terms=terms)
    if terms == "prepayment":
        fulfilment.record_prepayment(
            actor=org["finance"],
            order=order,
            amount=Decimal("3000"),
            received_on=date(2026, 11, 25),
            reference="YF1",
        )
    order = fulfilment.release_order(actor=org["head"], order=order)
    pass_final_inspection(order)  # K-2: quality releases the goods before they ship
    fulfilment.ship(
        actor=org.setdefault("shipper", make_user("lg1", kind="logistics")),
        order=order,
        mode="pickup",
        shipped_on=date(2026, 12, 1),
        quantities={order.lines.get().pk: Decimal("10")},
        confirmed_with="张伟",
        expected_arrival=date(2026, 12, 2),
        quantity_checked=True,
    )
    delivery.record_acceptance(
        actor=org["sales"],
        shipment=order.shipments.get(),
        result="accepted",
        checks=ALL_OK,
        received_on=date(2026, 12, 2),
        accepted_by_name="张伟",
        signed_note=SimpleUploadedFile("s.pdf", b"%PDF-1.4 s"),
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.RECEIVED
    return order


def _settle(org: dict[str, Any], order: Any) -> Any:
    statement = billing.prepare_statement(
        actor=org["sales"],
        order=order,
        quantities={order.lines.get().pk: Decimal("10")},
        reconciled_with="张伟",
        reconciled_on=date(2026, 12, 3),
    )
    return billing.review_statement(actor=org["finance_head"], statement=statement, approve=True)


def _invoice(org: dict[str, Any], statement: Any, number: str, amount: str, **kwargs: Any) -> Any:
    return billing.record_invoice(
        actor=org["finance_head"],
        statement=statement,
        invoice_type="special_vat",
        number=number,
        issued_on=kwargs.pop("issued_on", date(2026, 12, 5)),
        amount=Decimal(amount),
        tax_rate=Decimal("0"),
        **kwargs,
    )


def _pay(org: dict[str, Any], amount: str, on: date, reference: str) -> None:
    billing.record_payment(
        actor=org["finance_head"],
        customer=org["customer"],
        amount=Decimal(amount),
        currency="CNY",
        received_on=on,
        method="transfer",
        reference=reference,
    )


def _close(org: dict[str, Any], order: Any) -> Any:
    return billing.close_order(actor=org["sales"], order=order)


def test_prepayment(more_heads) -> None:
    """The 30 % prepayment recorded for release settles the invoice first; the rest is paid."""
    org = more_heads
    set_policy(org, release__prepayment_ratio="0.3")
    order = _received(org, "prepayment")
    invoice = _invoice(org, _settle(org, order), "P1", "10000")
    assert (invoice.due_date, billing.outstanding(invoice)) == (date(2026, 12, 5), Decimal("7000.00"))
    with pytest.raises(TransitionBlocked) as refused:
        _close(org, order)
    assert "还有 7000.00 未收款" in str(refused.value)
    _pay(org, "7000", date(2026, 12, 8), "B1")
    assert _close(org, order).status == OrderStatus.CLOSED
    assert verify_chain().ok


def test_payment_on_delivery(more_heads) -> None:
    org = more_heads
    order = _received(org, "on_delivery")
    with pytest.raises(TransitionBlocked) as refused:
        _close(org, order)
    assert "还有未经财务审核结算的数量" in str(refused.value)
    invoice = _invoice(org, _settle(org, order), "D1", "10000")
    assert invoice.due_date == date(2026, 12, 5)
    _pay(org, "10000", date(2026, 12, 6), "B1")
    assert _close(org, order).status == OrderStatus.CLOSED


def test_monthly_settlement_with_a_statement_day(more_heads) -> None:
    """月结: invoiced 5 Dec, statement day 25 Dec, due on the 15th of January."""
    org = more_heads
    customer = org["customer"]
    customer.statement_day, customer.due_day = 25, 15
    customer.save()
    order = _received(org, "monthly")
    invoice = _invoice(org, _settle(org, order), "M1", "10000")
    assert invoice.due_date == date(2027, 1, 15)
    _pay(org, "10000", date(2027, 1, 14), "B1")
    assert _close(org, order).status == OrderStatus.CLOSED


def test_three_instalments_one_paid_late_and_dunned(more_heads) -> None:
    """分期: three instalments; the second is paid late: the sweeper's dunning reminds at the
    policy's days, sales records a call, then the money comes and the order closes."""
    org = more_heads
    order = _received(org, "instalments")
    schedule = billing.set_instalments(
        actor=org["sales"],
        order=order,
        schedule=[
            (date(2026, 12, 10), Decimal("4000")),
            (date(2027, 1, 10), Decimal("3000")),
            (date(2027, 2, 10), Decimal("3000")),
        ],
    )
    statement = _settle(org, order)
    invoices = [
        _invoice(org, statement, f"I{i.seq}", str(i.amount), instalment=i, issued_on=date(2026, 12, 5))
        for i in schedule
    ]
    assert [i.due_date for i in invoices] == [date(2026, 12, 10), date(2027, 1, 10), date(2027, 2, 10)]
    _pay(org, "4000", date(2026, 12, 10), "B1")
    # The policy reminds at 7, 30 and 60 days overdue; the second instalment is 8 days late.
    when = timezone.make_aware(datetime.combine(date(2027, 1, 18), time(9)))
    assert billing.check_dunning(when) == 1
    assert billing.check_dunning(when) == 0  # idempotent
    step = DunningStep.objects.get()
    assert (step.invoice, step.kind, step.days_overdue) == (invoices[1], "reminder", 7)
    contact = WorkItem.objects.get(kind="dunning.contact", status="open")
    assert contact.assignee == org["sales"]
    billing.record_dunning(actor=org["sales"], invoice=invoices[1], kind="call", note="客户承诺本周付款")
    contact.refresh_from_db()
    assert contact.status == "done"
    _pay(org, "3000", date(2027, 1, 20), "B2")
    with pytest.raises(TransitionBlocked):
        _close(org, order)
    _pay(org, "3000", date(2027, 2, 9), "B3")
    assert _close(org, order).status == OrderStatus.CLOSED
    assert verify_chain().ok
