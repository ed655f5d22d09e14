"""Issue 22: the plan page parses its input through the plan form; a refused plan shows the page
again with what the user typed, and nothing is saved."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import make_user
from oms.analytics.models import OrderPlan
from oms.customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("amount", ["NaN", "Infinity", "12.345", "-1"])
def test_a_bad_amount_keeps_the_typed_plan(client, amount: str) -> None:
    """P-1: the amount is named; what was typed stays on the page."""
    customer = CustomerFactory(name="大客户")
    client.force_login(make_user("wang", kind="sales"))
    response = client.post(
        reverse("analytics:plan_new"),
        {
            "customer": customer.pk,
            "year": "2027",
            "quarter": "1",
            "expected_quantity": "5",
            "expected_amount": amount,
            "factory": "二号厂",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert f'value="{amount}"' in body and 'value="二号厂"' in body and 'value="5"' in body
    assert "预计金额" in body
    assert not OrderPlan.objects.exists()
