"""The customer's change form in the portal parses with the changes app's form (issue 22): a
refused number is named, what the customer typed stays in the form, nothing is saved (I-1, P-1)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_a_refused_quantity_keeps_what_the_customer_typed(portal: Client, world: dict[str, Any]) -> None:
    from oms.changes.models import ChangeRequest
    from oms.review import actions as review

    order = review.confirm_in_portal(actor=world["user"], order=world["to_confirm"])
    line = order.lines.get()
    before = ChangeRequest.objects.count()
    response = portal.post(
        f"/portal/orders/{order.number}/change/",
        {
            f"quantity-{line.pk}": "1e999",
            f"spec-{line.pk}": "加长型",
            "delivery_date": f"{order.delivery_date:%Y-%m-%d}",
            "delivery_place": order.delivery_place,
            "reason": "新产线提前投产",
            "impact": "交期不变",
        },
    )
    page = response.content.decode()
    assert response.status_code == 422
    assert list(response.context["errors"]) == ["lines.0.quantity"]
    assert all(typed in page for typed in ("1e999", "加长型", "新产线提前投产", "交期不变"))
    assert ChangeRequest.objects.count() == before
