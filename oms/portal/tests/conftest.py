"""Shared fixtures of the portal tests: the demo company and its customer's logged-in portal."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from oms.accounts.models import User
from oms.customers.models import Customer
from oms.demo.data import load_demo
from oms.orders.models import SalesOrder


@pytest.fixture
def world() -> dict[str, Any]:
    load_demo()
    customer = User.objects.get(username="customer")
    own = Customer.objects.get(code="C0001")
    return {
        "user": customer,
        "own": own,
        "other_order": SalesOrder.objects.exclude(customer=own).filter(submitted_at__isnull=False).first(),
        "to_confirm": SalesOrder.objects.get(customer=own, status="awaiting_confirmation"),
        "shipped": SalesOrder.objects.filter(customer=own, status="shipped").earliest("pk"),
        "admin": User.objects.get(username="admin"),
        "sales": User.objects.get(username="sales_staff"),
    }


@pytest.fixture
def client_factory() -> Any:
    return Client


@pytest.fixture
def portal(client: Client, world: dict[str, Any]) -> Client:
    client.force_login(world["user"])
    return client
