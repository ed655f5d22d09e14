"""P-1: figures read the way a finance clerk writes them on every page and printable document —
amounts 43,750.00, prices 12,800.00, quantities 0.5 and 12,800 — never an exponent (1.28E+4) and
never trailing zeros (12800.0000), whatever the values."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from io import BytesIO
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from conftest import make_user
from oms.billing import actions as billing
from oms.changes.tests.fixtures import approve_all, raise_typed
from oms.core.money import format_amount, format_price, format_quantity
from oms.delivery import actions as delivery
from oms.fulfilment import actions as fulfilment
from oms.intake.tests.fixtures import signed_order
from oms.quality.tests.fixtures import pass_final_inspection

pytestmark = pytest.mark.django_db

# Decimal's scientific form always signs its exponent (1.28E+4, 1E+1); hashes like 1e6 are not figures.
EXPONENT = re.compile(r"(?<![0-9A-Za-z])\d+(?:\.\d+)?E[+-]\d+")
# Three or more decimals ending in zero (12800.0000, 0.500); two decimals are an amount's own.
# Seconds of a time (02:00:00.050) are not a figure.
TRAILING_ZEROS = re.compile(r"(?<![:\d])\d+\.\d{2,}0(?!\d)")
TAGS = re.compile(r"<[^>]+>")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.parametrize(
    ("value", "amount", "price", "quantity"),
    [
        ("10", "10.00", "10.00", "10"),
        ("12800", "12,800.00", "12,800.00", "12,800"),
        ("1.28E+4", "12,800.00", "12,800.00", "12,800"),
        ("12800.0000", "12,800.00", "12,800.00", "12,800"),
        ("0.5", "0.50", "0.50", "0.5"),
        ("100000000.07", "100,000,000.07", "100,000,000.07", "100,000,000.07"),
        ("0.1234", "0.12", "0.1234", "0.1234"),
        ("-1234.5", "-1,234.50", "-1,234.50", "-1,234.5"),
        ("0.005", "0.01", "0.005", "0.005"),
    ],
)
def test_one_rule_for_amounts_prices_and_quantities(value, amount, price, quantity) -> None:
    """P-1: amounts round half-up to the fen with separators; prices keep the decimals they carry
    beyond the fen; quantities keep only the decimals they have."""
    number = Decimal(value)
    assert (format_amount(number), format_price(number), format_quantity(number)) == (amount, price, quantity)


def _visible(html: str) -> str:
    """The page's text and attribute values a person sees, without inputs' raw values (those
    are what the parser reads back: plain digits)."""
    html = re.sub(r'value="[^"]*"', "", html)
    html = re.sub(r'data-pick-[a-z]+="[^"]*"', "", html)
    html = re.sub(r"<script.*?</script>|<style.*?</style>", "", html, flags=re.S)
    return TAGS.sub(" ", html)


def _signed(org: dict[str, Any]) -> Any:
    """A signed order with awkward figures: 0.5 gearboxes at 12,800 (6,400.00) and 10 motors at
    10,000,000.007 (100,000,000.07)."""
    org["customer"].credit_limit = Decimal("1000000000")
    org["customer"].save()
    return signed_order(
        org,
        order_lines=[
            {"product": org["gear"].pk, "quantity": "0.5", "unit_price": "12800"},
            {"product": org["motor"].pk, "quantity": "10", "unit_price": "10000000.007"},
        ],
    )


@pytest.fixture
def awkward(more_heads) -> dict[str, Any]:
    """The awkward order shipped, accepted, on an approved statement and invoiced."""
    org = more_heads
    order = fulfilment.release_order(actor=org["head"], order=_signed(org))
    pass_final_inspection(order)
    gear, motor = order.lines.order_by("line_no")
    fulfilment.ship(
        actor=make_user("lg1", kind="logistics"),
        order=order,
        mode="pickup",
        shipped_on=date(2026, 12, 1),
        quantities={gear.pk: Decimal("0.5"), motor.pk: Decimal("10")},
        confirmed_with="张伟",
        expected_arrival=date(2026, 12, 2),
        quantity_checked=True,
    )
    shipment = order.shipments.get()
    delivery.record_acceptance(
        actor=org["sales"],
        shipment=shipment,
        result="accepted",
        checks=dict.fromkeys(delivery.CHECKS, True),
        received_on=date(2026, 12, 2),
        accepted_by_name="张伟",
        signed_note=SimpleUploadedFile("s.pdf", b"%PDF-1.4 s"),
    )
    statement = billing.prepare_statement(
        actor=org["sales"],
        order=order,
        quantities={gear.pk: Decimal("0.5"), motor.pk: Decimal("10")},
        reconciled_with="张伟",
        reconciled_on=date(2026, 12, 3),
    )
    statement = billing.review_statement(actor=org["finance_head"], statement=statement, approve=True)
    billing.record_invoice(
        actor=org["finance_head"],
        statement=statement,
        invoice_type="special_vat",
        number="00012800",
        issued_on=date(2026, 12, 3),
        amount=Decimal("100006400.07"),
        tax_rate=Decimal("0"),
    )
    org.update(order=order, shipment=shipment, statement=statement)
    return org


def _pages(org: dict[str, Any]) -> dict[str, str]:
    order, shipment, statement = org["order"], org["shipment"], org["statement"]
    return {
        "order page": reverse("workbench:order_detail", args=[order.pk]),
        "order form print": reverse("contracts:order_print", args=[order.pk]),
        "contract": reverse("contracts:contract_print", args=[order.pk]),
        "documents": reverse("contracts:documents", args=[order.pk]),
        "review report": reverse("review:report", args=[order.review_rounds.get().pk]),
        "delivery note": reverse("delivery:document", args=[shipment.pk, "note"]),
        "certificate": reverse("delivery:document", args=[shipment.pk, "certificate"]),
        "statement": reverse("billing:statement_print", args=[statement.pk]),
        "receivables": reverse("billing:receivables"),
        "orders list": reverse("workbench:order_list"),
    }


def test_no_page_or_document_shows_an_exponent_or_trailing_zeros(client, awkward) -> None:
    """P-1: every printable document and the pages around them, rendered with awkward values."""
    client.force_login(make_user("boss", kind="management", role="executive"))
    seen = {}
    for name, url in _pages(awkward).items():
        response = client.get(url)
        assert response.status_code == 200, name
        text = _visible(response.content.decode())
        seen[name] = (EXPONENT.findall(text), TRAILING_ZEROS.findall(text))
    assert seen == dict.fromkeys(seen, ([], []))


def test_the_contract_states_its_figures_as_written(client, awkward) -> None:
    """E-1, P-1: the contract's table and total (it once printed 1.28E+4 and 1E+1)."""
    client.force_login(make_user("boss", kind="management", role="executive"))
    text = _visible(
        client.get(reverse("contracts:contract_print", args=[awkward["order"].pk])).content.decode()
    )
    for figure in ("0.5", "12,800.00", "6,400.00", "10,000,000.007", "100,000,000.07", "100,006,400.07"):
        assert figure in text, figure


def test_the_change_agreement_states_its_figures_as_written(client, more_heads) -> None:
    """I-3, P-1: a change to 12,800 gearboxes: the agreement (it once printed 4E+1 根) and its page."""
    org = more_heads
    order = _signed(org)
    gear, motor = order.lines.order_by("line_no")
    request = raise_typed(
        actor=org["sales"],
        order=order,
        kind="change",
        source="customer",
        reason="客户追加数量",
        impact="生产增加",
        lines=[
            {"line": gear.pk, "quantity": "12800", "unit_price": "12800", "spec": gear.spec},
            {"line": motor.pk, "quantity": "10", "unit_price": "10000000.007", "spec": motor.spec},
        ],
        notice=SimpleUploadedFile("notice.pdf", b"%PDF-1.4 notice"),
    )
    request = approve_all(request)
    assert request.agreement_html
    client.force_login(make_user("boss", kind="management", role="executive"))
    page = _visible(client.get(reverse("changes:request_detail", args=[request.pk])).content.decode())
    agreement = _visible(request.agreement_html)
    assert (EXPONENT.findall(agreement + page), TRAILING_ZEROS.findall(agreement + page)) == ([], [])
    assert "12,800" in agreement


def test_excel_cells_stay_numbers_with_a_number_format(admin_client, awkward) -> None:
    """P-1: an export keeps figures as numbers, shown with separators (#,##0.00 for amounts)."""
    response = admin_client.get(reverse("workbench:order_list") + "?export=xlsx")
    sheet = load_workbook(BytesIO(response.content)).active
    cells = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, int | float)]
    totals = [c for c in cells if c.value == pytest.approx(100006400.07)]
    assert [(c.number_format) for c in totals] == ["#,##0.00"]
