"""A-5: the review reads the stock levels kept per product and warehouse: production sees, per
line, what is on hand and what is available (on hand less reserved) over every warehouse."""

from __future__ import annotations

from decimal import Decimal

import pytest

from oms.catalog.models import StockLevel, Warehouse
from oms.intake.tests.fixtures import order_in_review
from oms.review.selectors import department_view

pytestmark = pytest.mark.django_db


def test_review_shows_stock_on_hand_and_available_over_the_warehouses(org) -> None:
    """A-5: two warehouses hold the ordered product; the review adds them up per line."""
    order = order_in_review(org)
    line = order.lines.order_by("line_no").first()
    assert line is not None
    for code, on_hand, reserved in (("W1", "30", "10"), ("W2", "5", "0")):
        warehouse = Warehouse.objects.create(code=code, name=f"仓库{code}")
        StockLevel.objects.create(
            product=line.product, warehouse=warehouse, on_hand=Decimal(on_hand), reserved=Decimal(reserved)
        )
    task = order.review_rounds.get().tasks.get(department_kind="production")
    view = department_view(task)
    figures = next(v for v in view.lines if v.line.pk == line.pk)
    assert (figures.on_hand, figures.available) == (Decimal("35"), Decimal("25"))
