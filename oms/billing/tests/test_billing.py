"""Settlement statements and invoices (L-1, L-2)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from oms.billing import actions
from oms.billing.models import Invoice, Statement
from oms.core.errors import ActionError, FieldErrors, NotAllowed
from oms.core.workflow import TransitionBlocked
from oms.delivery import actions as delivery
from oms.delivery.tests.test_acceptance import ALL_OK, _shipped
from oms.tracking.models import WorkItem

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _accepted(org: dict[str, Any], *parts: str, accept: int | None = None) -> Any:
    """Shipped in parts; the first `accept` shipments (all by default) accepted by the customer."""
    order = _shipped(org, *parts)
    for shipment in list(order.shipments.order_by("number"))[: accept or len(parts)]:
        delivery.record_acceptance(
            actor=org["sales"],
            shipment=shipment,
            result="accepted",
            checks=ALL_OK,
            received_on=date(2026, 12, 10),
            accepted_by_name="张伟",
            signed_note=SimpleUploadedFile("s.pdf", b"%PDF-1.4 s"),
        )
    return order


def _statement(org: dict[str, Any], order: Any, quantity: str, **kwargs: Any) -> Statement:
    args: dict[str, Any] = {
        "actor": org["sales"],
        "order": order,
        "quantities": {order.lines.get().pk: quantity},
        "fees": [("运费", "200")],
        "reconciled_with": "张伟",
        "reconciled_on": date(2026, 12, 12),
    }
    args.update(kwargs)
    return actions.prepare_statement(**args)


def test_statement_of_accepted_goods_at_contract_prices_with_fees(more_heads) -> None:
    """L-1, L-2: the line's price, the fee, the total; finance gets the review in its work."""
    order = _accepted(more_heads, "6", "4")
    statement = _statement(more_heads, order, "10")
    assert (statement.goods_amount, statement.fees_amount, statement.total) == (
        Decimal("10000.00"),
        Decimal("200.00"),
        Decimal("10200.00"),
    )
    item = WorkItem.objects.get(object_id=statement.pk, kind="billing.review")
    assert item.assignee == more_heads["finance_head"]


def test_statement_above_the_accepted_quantity_is_refused(more_heads) -> None:
    order = _accepted(more_heads, "6", "4", accept=1)
    with pytest.raises(FieldErrors) as refused:
        _statement(more_heads, order, "7")
    line = order.lines.get()
    assert refused.value.errors == {f"lines.{line.pk}": ["第 1 行最多可结算 6（客户已验收且未结算的数量）。"]}
    assert Statement.objects.count() == 0


def test_quantities_on_a_statement_are_not_billed_twice(more_heads) -> None:
    order = _accepted(more_heads, "10")
    _statement(more_heads, order, "10")
    with pytest.raises(FieldErrors):
        _statement(more_heads, order, "1")
    assert Statement.objects.count() == 1


def test_a_returned_statement_frees_its_quantities(more_heads) -> None:
    order = _accepted(more_heads, "10")
    first = _statement(more_heads, order, "10")
    actions.review_statement(
        actor=more_heads["finance_head"], statement=first, approve=False, comment="运费应由买方承担"
    )
    first.refresh_from_db()
    assert (first.status, first.review_comment) == ("returned", "运费应由买方承担")
    assert _statement(more_heads, order, "10", fees=[]).total == Decimal("10000.00")


def test_returning_needs_a_reason(more_heads) -> None:
    order = _accepted(more_heads, "10")
    statement = _statement(more_heads, order, "10")
    with pytest.raises(TransitionBlocked):
        actions.review_statement(actor=more_heads["finance_head"], statement=statement, approve=False)
    statement.refresh_from_db()
    assert statement.status == "submitted"


def test_only_finance_reviews(more_heads) -> None:
    from oms.core.workflow import PermissionDenied

    order = _accepted(more_heads, "10")
    statement = _statement(more_heads, order, "10")
    with pytest.raises(PermissionDenied):
        actions.review_statement(actor=more_heads["sales"], statement=statement, approve=True)


def test_invoices_never_exceed_the_statement(more_heads) -> None:
    order = _accepted(more_heads, "10")
    statement = _statement(more_heads, order, "10")
    finance = more_heads["finance_head"]
    actions.review_statement(actor=finance, statement=statement, approve=True)
    args = {
        "actor": finance,
        "statement": statement,
        "invoice_type": "special_vat",
        "issued_on": date(2026, 12, 15),
    }
    actions.record_invoice(**args, number="04400001", amount="6000", tax_amount="690.27")
    with pytest.raises(FieldErrors) as refused:
        actions.record_invoice(**args, number="04400002", amount="4300", tax_amount="494.69")
    assert refused.value.errors == {
        "amount": ["超过结算金额：结算 10200.00，已开票 6000.00，最多还能开 4200.00。"]
    }
    assert Invoice.objects.count() == 1


def test_invoice_needs_an_approved_statement(more_heads) -> None:
    order = _accepted(more_heads, "10")
    statement = _statement(more_heads, order, "10")
    with pytest.raises(ActionError) as refused:
        actions.record_invoice(
            actor=more_heads["finance_head"],
            statement=statement,
            invoice_type="special_vat",
            number="1",
            issued_on=date(2026, 12, 15),
            amount="100",
            tax_amount="0",
        )
    assert refused.value.message == "结算清单经财务审核通过后才能开票。"


def test_only_finance_records_invoices(more_heads) -> None:
    order = _accepted(more_heads, "10")
    statement = _statement(more_heads, order, "10")
    actions.review_statement(actor=more_heads["finance_head"], statement=statement, approve=True)
    with pytest.raises(NotAllowed):
        actions.record_invoice(
            actor=more_heads["sales"],
            statement=statement,
            invoice_type="special_vat",
            number="1",
            issued_on=date(2026, 12, 15),
            amount="100",
            tax_amount="0",
        )


def test_statement_and_invoice_through_the_order_page(client, more_heads) -> None:
    order = _accepted(more_heads, "10")
    line = order.lines.get()
    client.force_login(more_heads["sales"])
    client.post(
        reverse("billing:billing", args=[order.pk, "statement"]),
        {
            f"qty-{line.pk}": "10",
            "fee-0-description": "运费",
            "fee-0-amount": "200",
            "reconciled_with": "张伟",
            "reconciled_on": "2026-12-12",
        },
    )
    statement = Statement.objects.get()
    pdf = client.get(reverse("billing:statement_print", args=[statement.pk]) + "?format=pdf")
    assert pdf.content[:4] == b"%PDF"
    client.force_login(more_heads["finance_head"])
    page = client.get(reverse("intake:order_detail", args=[order.pk])).content.decode()
    assert 'data-testid="approve-statement"' in page
    client.post(reverse("billing:billing", args=[order.pk, "approve"]), {"statement": statement.pk})
    client.post(
        reverse("billing:billing", args=[order.pk, "invoice"]),
        {
            "statement": statement.pk,
            "invoice_type": "ordinary_vat",
            "number": "0001",
            "issued_on": "2026-12-15",
            "amount": "10200",
            "tax_amount": "1173.45",
        },
    )
    assert list(Invoice.objects.values_list("number", "amount")) == [("0001", Decimal("10200.00"))]
