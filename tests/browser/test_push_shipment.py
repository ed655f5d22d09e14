"""Browser: logistics generates a shipment from the order's open lines (下推, issue 23 point 6):
the shipping form comes filled with what is left of each line, and is saved as it stands."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from playwright.sync_api import expect

from tests.browser.test_smoke import _login

# A confirmed demo order that no other test took on (the contracts test signs one), taken through contract, release and final inspection the
# way the demo takes its shipped orders, so that it has open lines to ship.
_RELEASE = """
from django.core.files.base import ContentFile
from oms.accounts.models import User
from oms.contracts import actions as contracts
from oms.fulfilment import actions as fulfilment
from oms.orders.models import SalesOrder
from oms.quality import actions as quality
sales, head = User.objects.get(username="sales_staff"), User.objects.get(username="sales_head")
inspector = User.objects.get(username="quality_staff")
order = SalesOrder.objects.filter(status="confirmed", contract__isnull=True).order_by("-pk").first()
contract = contracts.generate_contract(actor=sales, order=order)
points = {k: (True, "") for k in ("capacity", "process", "quantity", "price", "delivery")}
contract = contracts.review_contract(actor=head, contract=contract, points=points)
contracts.sign_contract(actor=sales, contract=contract, scan=ContentFile(b"%PDF-1.4 s", name="s.pdf"))
order = fulfilment.release_order(actor=head, order=order)
quality.set_plan(actor=inspector, order=order, items=[{"item": "外观", "method": "目视", "frequency": "每批"}])
for product_id in sorted({ln.product_id for ln in order.lines.all()}):
    quality.record_inspection(actor=inspector, order=order, stage="final", product_id=product_id,
                              results={"外观": "合格"}, passed=True)
from oms.core.money import plain_number
print(order.pk, *[plain_number(ln.quantity) for ln in order.lines.order_by("line_no")])
"""


def test_shipment_generated_from_open_lines(page: Any, server_manage: Any) -> None:
    # Set up in the browser server's own database (SQLite or PostgreSQL) by its manage.py.
    pk, *open_quantities = server_manage("shell", "-c", _RELEASE).strip().splitlines()[-1].split()
    _login(page, "logistics_staff")
    page.goto(f"/orders/{pk}/?tab=execution")
    page.click("[data-testid=push-shipment]")
    expect(page.locator("[data-testid=ship-prefilled]")).to_be_visible()
    quantities = page.locator("input[name^='qty-']")
    expect(quantities).to_have_count(len(open_quantities))
    for i, quantity in enumerate(open_quantities):
        expect(quantities.nth(i)).to_have_value(quantity)
    last = len(open_quantities)
    part = str(max(int(Decimal(open_quantities[-1]) // 2), 1))
    quantities.nth(last - 1).fill(part)  # editable: ship part of the last line now
    page.fill("input[name=tracking_number]", "SF2026120401")
    page.check("input[name=quantity_checked]")
    page.click("[data-testid=ship]")
    expect(page.locator("[data-testid=shipments]")).to_contain_text(f"#{last} × {part}")
