"""P-5, B-9, B-6: an order imported from Excel was entered by whoever confirmed the import: they
never pass its preliminary check, even holding the right to check (a sales head), and nothing
changes when they try."""

from __future__ import annotations

import pytest

from oms.engine.workflow import SelfDecision
from oms.intake import actions
from oms.intake.tests.test_import import _row, _xlsx
from oms.orders.models import SalesOrder

pytestmark = pytest.mark.django_db


def test_the_importer_cannot_pass_the_check_of_an_imported_order(org) -> None:
    batch = actions.preview_import(actor=org["head"], file_name="o.xlsx", content=_xlsx([_row(org)]))
    (number,) = actions.confirm_import(actor=org["head"], batch=batch)
    order = actions.submit_order(actor=org["head"], order=SalesOrder.objects.get(number=number))
    before = SalesOrder.objects.values_list("status", "version").get(pk=order.pk)
    with pytest.raises(SelfDecision):
        actions.pass_check(actor=org["head"], order=order)
    assert SalesOrder.objects.values_list("status", "version").get(pk=order.pk) == before
    assert before[0] == "pending_check"
