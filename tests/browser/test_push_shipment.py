"""Browser: logistics generates a shipment from the order's open lines (下推, issue 23 point 6):
the shipping form comes filled with what is left of each line, and is saved as it stands."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest
from playwright.sync_api import expect

from conftest import PINNED_START
from tests.browser.conftest import _PINNED_LAUNCH, ROOT
from tests.browser.test_smoke import _login

# The demo's confirmed order of C0006, taken through contract, release and final inspection the
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
order = SalesOrder.objects.get(customer__code="C0006", status="confirmed")
contract = contracts.generate_contract(actor=sales, order=order)
points = {k: (True, "") for k in ("capacity", "process", "quantity", "price", "delivery")}
contract = contracts.review_contract(actor=head, contract=contract, points=points)
contracts.sign_contract(actor=sales, contract=contract, scan=ContentFile(b"%PDF-1.4 s", name="s.pdf"))
order = fulfilment.release_order(actor=head, order=order)
quality.set_plan(actor=inspector, order=order, items=[{"item": "外观", "method": "目视", "frequency": "每批"}])
for product_id in sorted({ln.product_id for ln in order.lines.all()}):
    quality.record_inspection(actor=inspector, order=order, stage="final", product_id=product_id,
                              results={"外观": "合格"}, passed=True)
print(order.pk)
"""


def _released_order(tmp_path_factory: Any) -> int:
    if os.environ.get("OMS_DATABASE_URL", "").startswith("postgres"):
        pytest.skip("sets up its order in the browser server's SQLite file")
    server_dir = next(
        p for p in tmp_path_factory.getbasetemp().glob("server*") if (p / "browser.sqlite3").exists()
    )
    env = {
        **os.environ,
        "OMS_DATABASE_URL": f"sqlite:///{server_dir / 'browser.sqlite3'}",
        "OMS_VAR_DIR": str(server_dir),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    manage = [sys.executable, "-c", _PINNED_LAUNCH, PINNED_START.isoformat(), str(ROOT / "manage.py")]
    out = subprocess.run(
        [*manage, "shell", "-c", _RELEASE], env=env, cwd=ROOT, check=True, capture_output=True
    )
    return int(out.stdout.decode().strip().splitlines()[-1])


def test_shipment_generated_from_open_lines(page: Any, tmp_path_factory: Any) -> None:
    pk = _released_order(tmp_path_factory)
    _login(page, "logistics_staff")
    page.goto(f"/orders/{pk}/?tab=execution")
    page.click("[data-testid=push-shipment]")
    expect(page.locator("[data-testid=ship-prefilled]")).to_be_visible()
    quantities = page.locator("input[name^='qty-']")
    expect(quantities).to_have_count(2)
    expect(quantities.nth(0)).to_have_value("20")
    expect(quantities.nth(1)).to_have_value("40")
    quantities.nth(1).fill("30")  # editable: ship part of the second line now
    page.fill("input[name=tracking_number]", "SF2026120401")
    page.check("input[name=quantity_checked]")
    page.click("[data-testid=ship]")
    expect(page.locator("[data-testid=shipments]")).to_contain_text("#2 × 30")
