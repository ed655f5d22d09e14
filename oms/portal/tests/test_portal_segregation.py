"""P-5, B-8, B-6: an order a customer placed in the portal is the salesperson's own order: the
salesperson it is placed for never passes its preliminary check, even holding the right to check
(a sales head), and nothing changes when they try."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from oms.accounts.models import Role, User
from oms.catalog.models import Product
from oms.engine.workflow import SelfDecision
from oms.intake import actions as intake
from oms.orders.models import SalesOrder

pytestmark = pytest.mark.django_db


def test_the_salesperson_of_a_portal_order_cannot_pass_its_check(world: dict[str, Any]) -> None:
    seller = world["own"].owner
    User.objects.filter(pk=seller.pk).update(role=Role.HEAD)  # a head may check others' orders
    seller.refresh_from_db()
    order = intake.place_customer_order(
        actor=world["user"],
        data={
            "delivery_date": timezone.localdate() + timedelta(days=30),
            "delivery_place": "上海市浦东新区示例路 1 号",
            "contact_phone": "13912345670",
        },
        lines=[{"product": Product.objects.get(code="P1002").pk, "quantity": "3"}],
    )
    before = SalesOrder.objects.values_list("status", "version").get(pk=order.pk)
    with pytest.raises(SelfDecision):
        intake.pass_check(actor=seller, order=order)
    assert SalesOrder.objects.values_list("status", "version").get(pk=order.pk) == before
    assert before[0] == "pending_check"
