"""L-2, B-8, P-1 (flows, point 4): the customer's invoice list in the portal states each invoice's
amount before tax, its tax and the total (价税合计), as the invoice states them, written with
thousands separators and two decimals (43,750.00)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from oms.accounts.models import User
from oms.billing import actions as billing
from oms.billing.models import Invoice
from oms.delivery import actions as delivery

pytestmark = pytest.mark.django_db


def _invoiced(world: dict[str, Any]) -> Invoice:
    """The shipped order accepted, settled, approved and invoiced in full at 13 % VAT."""
    order = world["shipped"]
    delivery.accept_in_portal(
        actor=world["user"],
        shipment=order.shipments.get(),
        result="accepted",
        checks=dict.fromkeys(delivery.CHECKS, True),
        received_on=timezone.localdate(),
    )
    finance = User.objects.get(username="finance_head")
    statement = billing.prepare_statement(
        actor=world["sales"],
        order=order,
        quantities={ln.pk: ln.quantity for ln in order.lines.all()},
        reconciled_with="张伟",
        reconciled_on=timezone.localdate(),
    )
    statement = billing.review_statement(actor=finance, statement=statement, approve=True)
    return billing.record_invoice(
        actor=finance,
        statement=statement,
        invoice_type="special_vat",
        number="FP-TAX-1",
        issued_on=timezone.localdate(),
        amount=statement.total,
        tax_rate=Decimal("13"),
    )


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def test_the_invoice_list_shows_amount_before_tax_tax_and_total(
    portal: Client, world: dict[str, Any]
) -> None:
    """L-2: the three figures of the invoice, formatted as the company writes money (P-1)."""
    invoice = _invoiced(world)
    assert invoice.amount >= Decimal("1000")  # so the thousands separator shows
    body = portal.get("/portal/invoices/").content.decode()
    row = body[body.index("FP-TAX-1") :]
    net = invoice.amount - invoice.tax_amount
    assert f'data-testid="net">{_money(net)}</td>' in row
    assert f'data-testid="tax">{_money(invoice.tax_amount)}</td>' in row
    assert f'data-testid="total">{_money(invoice.amount)}</td>' in row


def test_the_invoice_export_has_the_same_three_columns(portal: Client, world: dict[str, Any]) -> None:
    """L-2: the Excel export carries amount before tax, tax and total beside each other."""
    from io import BytesIO

    from openpyxl import load_workbook

    invoice = _invoiced(world)
    response = portal.get("/portal/invoices/?export=xlsx")
    content = b"".join(response.streaming_content) if response.streaming else response.content  # type: ignore[attr-defined]
    sheet = load_workbook(BytesIO(content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    header = next(r for r in rows if "价税合计" in r)
    found = next(r for r in rows if "FP-TAX-1" in r)
    at = header.index("不含税金额")
    assert header[at : at + 3] == ["不含税金额", "税额", "价税合计"]
    figures = [Decimal(str(v)) for v in found[at : at + 3]]
    assert figures == [invoice.amount - invoice.tax_amount, invoice.tax_amount, invoice.amount]
