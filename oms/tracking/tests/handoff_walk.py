"""Test helpers (issue 23): one order walked step by step from the customer's confirmation to an
archive query request, each step taken by the people the process names, and what the next actor
should see — the step in their "my work" and a message in their inbox."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import make_user
from oms.archive import actions as archive
from oms.archive.models import AccessRequest, ArchiveRecord
from oms.billing import actions as billing
from oms.catalog.models import StockLevel, Warehouse
from oms.contracts import actions as contracts
from oms.delivery import actions as delivery
from oms.fulfilment import actions as fulfilment
from oms.notifications.models import Notification
from oms.quality.tests.fixtures import inspector, pass_final_inspection
from oms.tracking.models import WorkItem, WorkStatus
from oms.tracking.selectors import my_work

ALL_OK = {k: (True, "") for k in ("capacity", "process", "quantity", "price", "delivery")}


def people(org: dict[str, Any]) -> dict[str, Any]:
    """The staff the later steps need besides `more_heads`: quality, warehouse, logistics."""
    org.setdefault("qc", inspector())
    org.setdefault("wh1", make_user("wh1", kind="warehouse"))
    org.setdefault("wh2", make_user("wh2", kind="warehouse"))
    org.setdefault("lg", make_user("lg1", kind="logistics"))
    return org


def waiting(user: Any, kind: str, order: Any) -> WorkItem:
    """The one open step of `kind` of the order in the user's "my work", and the user was told."""
    found = [i for i in my_work(user) if i.kind == kind and i.order_id == order.pk]
    assert len(found) == 1, (user.username, kind, [i.kind for i in my_work(user)])
    item = found[0]
    assert Notification.objects.filter(recipient=user, title=item.title).count() == 1
    return item


def finished(kind: str, order: Any) -> None:
    """The order's step of `kind` is done, and none of it remains open."""
    rows = list(WorkItem.objects.filter(order=order, kind=kind).values_list("status", flat=True))
    assert rows and set(rows) == {WorkStatus.DONE}, (kind, rows)


def contract_of(org: dict[str, Any], order: Any) -> Any:
    return contracts.generate_contract(actor=org["sales"], order=order)


def review(org: dict[str, Any], contract: Any) -> Any:
    return contracts.review_contract(actor=org["head"], contract=contract, points=ALL_OK)


def sign(org: dict[str, Any], contract: Any) -> Any:
    scan = SimpleUploadedFile("s.pdf", b"%PDF-1.4 s", content_type="application/pdf")
    return contracts.sign_contract(actor=org["sales"], contract=contract, scan=scan)


def release(org: dict[str, Any], order: Any) -> Any:
    return fulfilment.release_order(actor=org["head"], order=order)


def produce(org: dict[str, Any], order: Any, *, upto: int | None = None) -> None:
    """Production reports milestones done, in order (all of them, or the first `upto`)."""
    milestones = list(order.milestones.order_by("seq"))
    for milestone in milestones[:upto]:
        order.refresh_from_db()
        fulfilment.report_progress(
            actor=org["prod"], order=order, milestone=milestone, progress=100, quantity_done=Decimal("10")
        )


def inspect(order: Any) -> None:
    pass_final_inspection(order)


def pack(org: dict[str, Any], order: Any) -> None:
    """G-4: the finished goods reserved, picked, second-checked and packed."""
    level = StockLevel.objects.create(
        product=order.lines.get().product,
        warehouse=Warehouse.objects.get_or_create(code="W1", defaults={"name": "成品仓"})[0],
        on_hand=Decimal("10"),
    )
    res = fulfilment.reserve(
        actor=org["wh1"],
        order=order,
        line_id=order.lines.get().pk,
        stock_level_id=level.pk,
        quantity=Decimal("10"),
    )
    res = fulfilment.pick(actor=org["wh1"], reservation=res)
    res = fulfilment.second_check(actor=org["wh2"], reservation=res, counted=Decimal("10"))
    fulfilment.pack(actor=org["wh1"], reservation=res, packing="木箱 2 件")


def ship(org: dict[str, Any], order: Any) -> None:
    fulfilment.ship(
        actor=org["lg"],
        order=order,
        mode="pickup",
        shipped_on=date(2026, 12, 7),
        quantities={order.lines.get().pk: Decimal("10")},
        confirmed_with="张伟",
        expected_arrival=date(2026, 12, 8),
        quantity_checked=True,
    )


def accept(org: dict[str, Any], order: Any) -> None:
    delivery.record_acceptance(
        actor=org["sales"],
        shipment=order.shipments.get(),
        result="accepted",
        checks=dict.fromkeys(delivery.CHECKS, True),
        received_on=date(2026, 12, 8),
        accepted_by_name="张伟",
        signed_note=SimpleUploadedFile("n.pdf", b"%PDF-1.4 n"),
    )


def approved_statement(org: dict[str, Any], order: Any) -> Any:
    statement = billing.prepare_statement(
        actor=org["sales"],
        order=order,
        quantities={order.lines.get().pk: Decimal("10")},
        reconciled_with="张伟",
        reconciled_on=date(2026, 12, 8),
    )
    return billing.review_statement(actor=org["finance_head"], statement=statement, approve=True)


def invoice(org: dict[str, Any], statement: Any) -> Any:
    return billing.record_invoice(
        actor=org["finance"],
        statement=statement,
        invoice_type="special_vat",
        number="FP1",
        issued_on=date(2026, 12, 8),
        amount=Decimal("10000"),
        tax_rate=Decimal("0"),
    )


def pay_and_close(org: dict[str, Any], order: Any) -> ArchiveRecord:
    billing.record_payment(
        actor=org["finance"],
        customer=org["customer"],
        amount=Decimal("10000"),
        currency="CNY",
        received_on=date(2026, 12, 9),
        method="transfer",
        reference="B1",
    )
    billing.close_order(actor=org["sales"], order=order)
    return ArchiveRecord.objects.get(order=order)


def ask(org: dict[str, Any], record: ArchiveRecord) -> AccessRequest:
    return archive.request_access(actor=org["prod"], record=record, reason="客户投诉，核对验收记录")
