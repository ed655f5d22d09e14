"""Issue 21: the create keeps the lines it wrote, as a read of them gives them, for whoever answers
with the new order (the API's 201), so they are not read back."""

from __future__ import annotations

import pytest

from oms.intake import actions as intake
from oms.intake.tests.fixtures import header, lines
from oms.orders.models import OrderLine, SalesOrder

pytestmark = pytest.mark.django_db

FIGURES = ("pk", "line_no", "product_id", "spec", "quantity", "unit", "unit_price", "amount")


def _figures(rows: list[OrderLine]) -> list[tuple[object, ...]]:
    # str: 2 and 2.0000 are equal Decimals; the stored text is what an answer shows.
    return [tuple(str(getattr(ln, f)) for f in FIGURES) for ln in rows]


def test_the_created_orders_lines_are_kept_as_stored(org) -> None:
    """The kept lines equal the stored ones, figures at their columns' places."""
    order = intake.create_order(actor=org["sales"], data=header(org), lines=lines(org))
    kept = intake.saved_lines(order)
    assert kept is not None
    assert _figures(kept) == _figures(list(OrderLine.objects.filter(order=order).order_by("line_no")))


def test_an_order_read_from_the_database_has_no_kept_lines(org) -> None:
    """Only the instance the create returned has them; a read of the order does not."""
    order = intake.create_order(actor=org["sales"], data=header(org), lines=lines(org))
    assert intake.saved_lines(SalesOrder.objects.get(pk=order.pk)) is None


def test_the_order_s_lines_after_an_edit_are_read_not_the_kept_ones(org) -> None:
    """B-5: the kept lines are not the order's `lines`: after an edit the instance reads the new ones."""
    order = intake.create_order(actor=org["sales"], data=header(org), lines=lines(org))
    intake.update_order(actor=org["sales"], order=order, data={}, lines=lines(org)[:1], version=1)
    assert order.lines.count() == 1
