"""Invoices as Chinese finance expects (issue 23 point 2, L-2): a VAT rate from the policy, the
amount excluding tax, the tax and the total including tax (价税合计), Decimal, half-up to the fen."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from pydantic import ValidationError

from oms.billing import actions
from oms.billing.models import Invoice, split_tax
from oms.billing.tests.test_billing import _accepted, _statement
from oms.core.errors import FieldErrors
from oms.intake.tests.fixtures import set_policy
from oms.policy.schema import Tax

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.parametrize(
    ("total", "rate", "net", "tax"),
    [
        ("10200.00", "13", "9026.55", "1173.45"),
        ("100.00", "6", "94.34", "5.66"),
        ("43750.00", "9", "40137.61", "3612.39"),
        ("500.00", "0", "500.00", "0.00"),
    ],
)
def test_a_total_including_tax_splits_into_net_and_tax(total, rate, net, tax) -> None:
    assert split_tax(Decimal(total), Decimal(rate)) == (Decimal(net), Decimal(tax))


def test_the_policy_offers_13_9_6_and_0_percent_13_first() -> None:
    rates = Tax()
    assert (rates.rates, rates.default_rate) == ([Decimal(r) for r in ("13", "9", "6", "0")], Decimal("13"))


def test_the_default_rate_must_be_one_of_the_rates() -> None:
    with pytest.raises(ValidationError):
        Tax(rates=[Decimal("6")], default_rate=Decimal("13"))


def _approved(org):
    statement = _statement(org, _accepted(org, "10"), "10")
    actions.review_statement(actor=org["finance_head"], statement=statement, approve=True)
    return statement


def _record(org, statement, **kwargs):
    return actions.record_invoice(
        actor=org["finance_head"],
        statement=statement,
        invoice_type="special_vat",
        number="0001",
        issued_on=date(2026, 12, 15),
        amount=Decimal("10200"),
        **kwargs,
    )


def test_an_invoice_carries_its_rate_and_the_tax_it_implies(more_heads) -> None:
    invoice = _record(more_heads, _approved(more_heads), tax_rate=Decimal("9"))
    assert (invoice.amount, invoice.tax_rate, invoice.tax_amount, invoice.net_amount) == (
        Decimal("10200.00"),
        Decimal("9"),
        Decimal("842.20"),
        Decimal("9357.80"),
    )


def test_without_a_rate_the_policy_default_applies(more_heads) -> None:
    invoice = _record(more_heads, _approved(more_heads))
    assert (invoice.tax_rate, invoice.tax_amount) == (Decimal("13"), Decimal("1173.45"))


def test_a_rate_the_policy_does_not_offer_is_refused(more_heads) -> None:
    statement = _approved(more_heads)
    with pytest.raises(FieldErrors) as refused:
        _record(more_heads, statement, tax_rate=Decimal("16"))
    assert refused.value.errors == {"tax_rate": ["税率应为制度规定的税率之一：13%、9%、6%、0%。"]}
    assert not Invoice.objects.exists()


def test_a_rate_the_policy_adds_is_accepted(more_heads) -> None:
    set_policy(more_heads, tax__rates=["13", "9", "6", "3", "0"])
    invoice = _record(more_heads, _approved(more_heads), tax_rate=Decimal("3"))
    assert invoice.tax_amount == Decimal("297.09")


def test_the_order_page_shows_net_tax_and_total(client, more_heads) -> None:
    invoice = _record(more_heads, _approved(more_heads), tax_rate=Decimal("13"))
    client.force_login(more_heads["finance_head"])
    page = client.get(reverse("workbench:order_detail", args=[invoice.statement.order_id])).content.decode()
    assert "价税合计 10,200.00（不含税金额 9,026.55，税率 13%，税额 1,173.45）" in page


def test_the_invoice_form_offers_the_policy_rates_default_first(client, more_heads) -> None:
    statement = _approved(more_heads)
    client.force_login(more_heads["finance_head"])
    page = client.get(reverse("workbench:order_detail", args=[statement.order_id])).content.decode()
    assert '<option value="13" selected>13%</option><option value="9">9%</option>' in page


def test_a_refused_invoice_keeps_the_rate_typed(client, more_heads) -> None:
    statement = _approved(more_heads)
    client.force_login(more_heads["finance_head"])
    response = client.post(
        reverse("billing:billing", args=[statement.order_id, "invoice"]),
        {
            "statement": statement.pk,
            "invoice_type": "special_vat",
            "number": "",
            "amount": "100",
            "tax_rate": "6",
        },
    )
    assert response.status_code == 422
    assert '<option value="6" selected>6%</option>' in response.content.decode()
    assert not Invoice.objects.exists()
