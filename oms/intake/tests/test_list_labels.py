"""The orders list and its export name the order class as the policy does (B-7), not by its code."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from oms.intake import actions
from oms.intake.tests.fixtures import header, lines

pytestmark = pytest.mark.django_db


@pytest.fixture
def urgent_order(org):
    return actions.create_order(
        actor=org["sales"], data=header(org, order_class="urgent"), lines=lines(org), duplicate_reason="test"
    )


def test_the_list_shows_the_class_by_its_label(client, org, urgent_order) -> None:
    client.force_login(org["sales"])
    text = client.get(reverse("workbench:order_list")).content.decode()
    row = text[text.index(urgent_order.number) :]
    row = row[: row.index("</tr>")]
    assert (urgent_order.order_class_label() in row, ">urgent<" in row) == (True, False)


def test_the_export_shows_the_class_by_its_label(client, org, urgent_order) -> None:
    client.force_login(org["sales"])
    response = client.get(reverse("workbench:order_list") + "?export=xlsx")
    sheet = load_workbook(BytesIO(response.content)).active
    values = [c.value for row in sheet.iter_rows(min_row=2) for c in row]
    assert (urgent_order.order_class_label() in values, "urgent" in values) == (True, False)
