"""Hand-made records with known KPI answers (O-1): written straight to the tables, so that each
number in the tests can be counted by eye."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from oms.billing.actions.figures import keep_figures
from oms.billing.models import Invoice, Payment, PaymentMatch, Statement
from oms.changes.models import ChangeRequest
from oms.delivery.models import Acceptance
from oms.feedback.models import Answer, Complaint, Invitation
from oms.fulfilment.models import Shipment
from oms.orders.models import SalesOrder
from oms.policy.models import PolicyVersion
from oms.quality.models import Inspection, NonConformance
from oms.tracking.actions import collection, outcomes
from oms.tracking.actions import confirmed as dashboard_sums
from oms.tracking.models import WorkItem

_n = iter(range(1, 10_000))


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), timezone.get_current_timezone())


def order(
    org: dict[str, Any], salesperson: Any, *, confirmed: date | None = None, amount: str = "1000", **kw: Any
) -> SalesOrder:
    o = SalesOrder.objects.create(
        number=f"T{next(_n):05d}",
        status=kw.pop("status", "confirmed"),
        customer=kw.pop("customer", org["customer"]),
        contact_name="张伟",
        contact_phone="13812345678",
        order_date=kw.pop("order_date", confirmed or date(2026, 11, 1)),
        channel="phone",
        delivery_date=date(2027, 1, 20),
        delivery_place="上海",
        payment_terms="monthly",
        total_amount=Decimal(amount),
        salesperson=salesperson,
        department=salesperson.department,
        confirmed_at=at(confirmed) if confirmed else None,
        created_by=salesperson,
        policy_version=PolicyVersion.objects.order_by("-number").first(),
        **kw,
    )
    if o.submitted_at is not None:
        outcomes.received(o)  # issue 21: as submitting keeps it
    if o.confirmed_at is not None:
        outcomes.confirmed(o, None)  # issue 21: as confirming keeps it
        dashboard_sums.moved(None, dashboard_sums.share(o))  # issue 21: the dashboard's sums, likewise
    return o


def step(target: Any, assignee: Any, *, due: datetime, closed: datetime | None) -> WorkItem:
    item = WorkItem.objects.create(
        kind="test",
        title=f"步骤 {next(_n)}",
        content_type=ContentType.objects.get_for_model(target),
        object_id=target.pk,
        order_id=target.pk if isinstance(target, SalesOrder) else getattr(target, "order_id", None),
        assignee=assignee,
        department=assignee.department,
        started_at=due.replace(hour=8),
        due_at=due,
        status="done" if closed else "open",
        closed_at=closed,
        closed_by=assignee if closed else None,
    )
    if closed is not None and closed > due:
        outcomes.late([item.order_id])  # issue 21: as closing a step late keeps it
    return item


def change(o: SalesOrder, *, source: str, status: str) -> ChangeRequest:
    if (source, status) == ("department", "approved"):
        outcomes.corrected(o.pk)  # issue 21: as approving it keeps it
    return ChangeRequest.objects.create(
        order=o,
        number=f"BG{next(_n)}",
        kind="change",
        source=source,
        status=status,
        raised_by=o.salesperson,
        department=o.department,
        reason="x",
        impact="x",
        base_version=1,
    )


def accepted(o: SalesOrder, on: date, result: str = "accepted") -> Acceptance:
    shipment = Shipment.objects.create(
        order=o, number=1, mode="pickup", shipped_on=on, created_by=o.salesperson
    )
    acceptance = Acceptance.objects.create(
        shipment=shipment,
        order=o,
        result=result,
        received_on=on,
        accepted_by_name="张伟",
        method="staff",
        recorded_by=o.salesperson,
    )
    outcomes.delivered(o, on, accepted=result == "accepted")  # issue 21: as recording it keeps it
    return acceptance


def non_conformance(o: SalesOrder, org: dict[str, Any]) -> None:
    inspection = Inspection.objects.create(
        order=o, stage="final", product=org["gear"], passed=False, inspector=o.salesperson
    )
    NonConformance.objects.create(order=o, inspection=inspection, description="x", responsible=o.salesperson)
    outcomes.defective(o.pk)  # issue 21


def complaint(o: SalesOrder) -> Complaint:
    outcomes.defective(o.pk)  # issue 21: as registering it keeps it
    return Complaint.objects.create(
        number=f"TS{next(_n)}",
        order=o,
        category="quality",
        description="x",
        complainant="张伟",
        answer_due_at=timezone.now(),
        registered_by=o.salesperson,
        handler=o.salesperson,
    )


def answers(o: SalesOrder, scores: list[int], on: date) -> None:
    invitation = Invitation.objects.create(
        kind="closing", order=o, customer=o.customer, salesperson=o.salesperson, answered_at=at(on)
    )
    for i, score in enumerate(scores):
        Answer.objects.create(
            invitation=invitation,
            question_key=f"q{i}",
            question_text=f"问题{i}",
            score=score,
            scale=5,
            answered_at=at(on),
        )


def invoice(o: SalesOrder, amount: str, due: date) -> Invoice:
    statement = Statement.objects.create(
        order=o,
        number=f"JS{next(_n)}",
        status="approved",
        goods_amount=Decimal(amount),
        total=Decimal(amount),
        reconciled_with="张伟",
        reconciled_on=due,
        prepared_by=o.salesperson,
    )
    issued = Invoice.objects.create(
        statement=statement,
        order=o,
        customer_id=o.customer_id,
        invoice_type="special_vat",
        number=f"FP{next(_n)}",
        issued_on=due,
        amount=Decimal(amount),
        tax_amount=Decimal("0"),
        tax_rate=Decimal("0"),
        due_date=due,
        recorded_by=o.salesperson,
    )
    collection.issued(issued, o)  # issue 21: as recording it keeps it
    return issued


def paid(i: Invoice, amount: str, on: date) -> None:
    n = next(_n)
    payment = Payment.objects.create(
        number=f"SK{n:05d}",
        customer=i.statement.order.customer,
        amount=Decimal(amount),
        currency="CNY",
        received_on=on,
        method="transfer",
        reference=f"B{n}",
        recorded_by=i.statement.order.salesperson,
    )
    PaymentMatch.objects.create(payment=payment, invoice=i, amount=Decimal(amount))
    keep_figures([i.pk])  # issue 21: as the billing actions keep them
