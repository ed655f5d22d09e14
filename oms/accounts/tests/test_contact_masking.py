"""S-1 / P-4: customer contact data in full only for the departments the policy names."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from oms.accounts.permissions import mask_contact, redact
from oms.intake.tests.fixtures import confirmed_order, org  # noqa: F401 - pytest fixture


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("13812345678", "138****5678"),
        ("0571-88886666", "057*-****6666"),
        ("zhang.san@example.cn", "z***@example.cn"),
        ("123", "***"),
        ("", ""),
    ],
)
def test_mask_contact(value: str, masked: str) -> None:
    assert mask_contact(value) == masked


def _page(
    client: Any,
    org: dict[str, Any],  # noqa: F811
    who: str,
    view: str = "workbench:order_detail",
    query: str = "?tab=info",
) -> str:
    """The page of a confirmed order as the named member of `org` sees it (the order page's
    tab `query` names, issue 23 point 5)."""
    order = confirmed_order(org)
    client.force_login(org[who])
    return str(client.get(reverse(view, args=[order.pk]) + query).content.decode())


@pytest.mark.django_db
def test_production_sees_the_order_contact_masked(client: Any, org: dict[str, Any]) -> None:  # noqa: F811
    body = _page(client, org, "prod")
    assert "138****5678" in body
    assert "13812345678" not in body


@pytest.mark.django_db
def test_sales_sees_the_order_contact_in_full(client: Any, org: dict[str, Any]) -> None:  # noqa: F811
    body = _page(client, org, "sales")
    assert "13812345678" in body
    assert "138****5678" not in body


def test_redact_hides_prices_and_masks_contacts_in_recorded_values() -> None:
    recorded = {
        "contact_phone": "13812345678",
        "total_amount": "2000.00",
        "lines": [{"product": 1, "unit_price": "10.00", "quantity": "2"}],
        "channel": "phone",
    }
    assert redact(recorded, frozenset({"cost"})) == {
        "contact_phone": "138****5678",
        "total_amount": "***",
        "lines": [{"product": 1, "unit_price": "***", "quantity": "2"}],
        "channel": "phone",
    }


def test_redact_keeps_what_the_viewer_may_see() -> None:
    recorded = {"contact_phone": "13812345678", "total_amount": "2000.00"}
    assert redact(recorded, frozenset({"price", "contact"})) == recorded


@pytest.mark.django_db
def test_production_sees_no_amount_in_the_order_history(client: Any, org: dict[str, Any]) -> None:  # noqa: F811
    body = _page(client, org, "prod", query="?tab=records")
    history = body[body.index('data-testid="history"') :]
    assert "订单金额</span>：***" in history
    assert ("2000.00" in body, "2,000.00" in body) == (False, False)


@pytest.mark.django_db
def test_the_order_page_carries_the_viewers_watermark(client: Any, org: dict[str, Any]) -> None:  # noqa: F811
    body = _page(client, org, "prod")
    assert 'data-testid="watermark"' in body
    assert "<span>prod1 " in body


@pytest.mark.django_db
def test_a_list_without_confidential_columns_has_no_watermark(client: Any, org: dict[str, Any]) -> None:  # noqa: F811
    client.force_login(org["prod"])
    body = client.get(reverse("catalog:warehouse_list")).content.decode()
    assert 'data-testid="watermark"' not in body


@pytest.mark.django_db
def test_the_customer_export_names_the_exporter(client: Any, org: dict[str, Any]) -> None:  # noqa: F811
    import io

    from openpyxl import load_workbook

    client.force_login(org["sales"])
    response = client.get(reverse("customers:customer_list") + "?export=xlsx")
    book = load_workbook(io.BytesIO(response.content))
    assert book.properties.creator.startswith("sales1 ")
    assert book.active.oddHeader.right.text.startswith("导出：sales1 ")


@pytest.mark.django_db
def test_the_printed_order_masks_the_contact_for_production(client: Any, org: dict[str, Any]) -> None:  # noqa: F811
    body = _page(client, org, "prod", "contracts:order_print", query="")
    assert "138****5678" in body
    assert "13812345678" not in body
