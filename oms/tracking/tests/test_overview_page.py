"""The H-6 overview's rows as the page writes them out (issue 21: at once, from the page's
columns only): the labels the order's model gives, the salesperson as named, text escaped."""

from __future__ import annotations

import pytest
from django.urls import reverse

from oms.customers.models import Customer
from oms.intake import actions as intake
from oms.intake.tests.fixtures import header, lines
from oms.orders.models import SalesOrder

pytestmark = pytest.mark.django_db


def test_a_row_shows_the_orders_labels_and_salesperson(client, org) -> None:
    """H-6: status, customer stage and salesperson read as on the order itself."""
    intake.create_order(actor=org["sales"], data=header(org), lines=lines(org))
    SalesOrder.objects.update(status="pending_check")  # open, as in the overview's other tests
    order = SalesOrder.objects.get()
    client.force_login(org["exec"])
    page = client.get(reverse("tracking:overview")).content.decode()
    row = f"<td>{order.get_status_display()}</td><td>{order.customer_stage_label}</td>"
    assert row in page
    assert f"<td>{order.salesperson}</td></tr>" in page
    assert f'href="{reverse("workbench:order_detail", args=[order.pk])}">{order.number}</a>' in page


def test_a_customer_name_is_escaped(client, org) -> None:
    """A name is shown as typed, never as markup."""
    intake.create_order(actor=org["sales"], data=header(org), lines=lines(org))
    SalesOrder.objects.update(status="pending_check")
    Customer.objects.filter(pk=org["customer"].pk).update(name="<i>甲</i>")
    client.force_login(org["exec"])
    page = client.get(reverse("tracking:overview")).content.decode()
    assert "<td>&lt;i&gt;甲&lt;/i&gt;</td>" in page and "<i>甲</i>" not in page
