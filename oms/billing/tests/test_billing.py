"""Settlement statements and invoices (L-1, L-2)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from oms.billing import actions
from oms.billing.models import Invoice, Statement
from oms.core.errors import ActionError, FieldErrors, NotAllowed
from oms.core.money import format_amount
from oms.delivery import actions as delivery
from oms.delivery.tests.test_acceptance import ALL_OK, _shipped
from oms.engine.workflow import TransitionBlocked
from oms.tracking.models import WorkItem

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _accepted(org: dict[str, Any], *parts: str, accept: int | None = None) -> Any:
    """Shipped in parts; the first `accept` shipments (all by default) accepted by the customer."""
    order = _shipped(org, *parts)
    for shipment in list(order.shipments.order_by("number"))[: accept or len(parts)]:
        delivery.record_acceptance(
            actor=org["sales"],
            shipment=shipment,
            result="accepted",
            checks=ALL_OK,
            received_on=date(2026, 12, 10),
            accepted_by_name="张伟",
            signed_note=SimpleUploadedFile("s.pdf", b"%PDF-1.4 s"),
        )
    return order


def _statement(org: dict[str, Any], order: Any, quantity: str, **kwargs: Any) -> Statement:
    args: dict[str, Any] = {
        "actor": org["sales"],
        "order": order,
        "quantities": {order.lines.get().pk: Decimal(quantity)},
        "fees": [("运费", Decimal("200"))],
        "reconciled_with": "张伟",
        "reconciled_on": date(2026, 12, 12),
    }
    args.update(kwargs)
    return actions.prepare_statement(**args)


def test_statement_of_accepted_goods_at_contract_prices_with_fees(more_heads) -> None:
    """L-1, L-2: the line's price, the fee, the total; finance gets the review in its work."""
    order = _accepted(more_heads, "6", "4")
    statement = _statement(more_heads, order, "10")
    assert (statement.goods_amount, statement.fees_amount, statement.total) == (
        Decimal("10000.00"),
        Decimal("200.00"),
        Decimal("10200.00"),
    )
    item = WorkItem.objects.get(object_id=statement.pk, kind="billing.review")
    assert item.assignee == more_heads["finance_head"]


def test_statement_above_the_accepted_quantity_is_refused(more_heads) -> None:
    order = _accepted(more_heads, "6", "4", accept=1)
    with pytest.raises(FieldErrors) as refused:
        _statement(more_heads, order, "7")
    line = order.lines.get()
    assert refused.value.errors == {f"lines.{line.pk}": ["第 1 行最多可结算 6（客户已验收且未结算的数量）。"]}
    assert Statement.objects.count() == 0


def test_quantities_on_a_statement_are_not_billed_twice(more_heads) -> None:
    order = _accepted(more_heads, "10")
    _statement(more_heads, order, "10")
    with pytest.raises(FieldErrors):
        _statement(more_heads, order, "1")
    assert Statement.objects.count() == 1


def test_a_returned_statement_frees_its_quantities(more_heads) -> None:
    order = _accepted(more_heads, "10")
    first = _statement(more_heads, order, "10")
    actions.review_statement(
        actor=more_heads["finance_head"], statement=first, approve=False, comment="运费应由买方承担"
    )
    first.refresh_from_db()
    assert (first.status, first.review_comment) == ("returned", "运费应由买方承担")
    assert _statement(more_heads, order, "10", fees=[]).total == Decimal("10000.00")


def test_returning_needs_a_reason(more_heads) -> None:
    order = _accepted(more_heads, "10")
    statement = _statement(more_heads, order, "10")
    with pytest.raises(TransitionBlocked):
        actions.review_statement(actor=more_heads["finance_head"], statement=statement, approve=False)
    statement.refresh_from_db()
    assert statement.status == "submitted"


def test_only_finance_reviews(more_heads) -> None:
    from oms.engine.workflow import PermissionDenied

    order = _accepted(more_heads, "10")
    statement = _statement(more_heads, order, "10")
    with pytest.raises(PermissionDenied):
        actions.review_statement(actor=more_heads["sales"], statement=statement, approve=True)


def test_invoices_never_exceed_the_statement(more_heads) -> None:
    order = _accepted(more_heads, "10")
    statement = _statement(more_heads, order, "10")
    finance = more_heads["finance_head"]
    actions.review_statement(actor=finance, statement=statement, approve=True)
    args = {
        "actor": finance,
        "statement": statement,
        "invoice_type": "special_vat",
        "issued_on": date(2026, 12, 15),
    }
    actions.record_invoice(**args, number="04400001", amount=Decimal("6000"), tax_rate=Decimal("13"))
    with pytest.raises(FieldErrors) as refused:
        actions.record_invoice(**args, number="04400002", amount=Decimal("4300"), tax_rate=Decimal("13"))
    assert refused.value.errors == {
        "amount": ["超过结算金额：结算 10200.00，已开票 6000.00，最多还能开 4200.00。"]
    }
    assert Invoice.objects.count() == 1


def _small_invoice(actor: Any, statement: Statement) -> Invoice:
    """An invoice of 100 on the statement, recorded by `actor` (the refusals' test input)."""
    return actions.record_invoice(
        actor=actor,
        statement=statement,
        invoice_type="special_vat",
        number="1",
        issued_on=date(2026, 12, 15),
        amount=Decimal("100"),
        tax_rate=Decimal("0"),
    )


def test_invoice_needs_an_approved_statement(more_heads) -> None:
    order = _accepted(more_heads, "10")
    statement = _statement(more_heads, order, "10")
    with pytest.raises(ActionError) as refused:
        _small_invoice(more_heads["finance_head"], statement)
    assert refused.value.message == "结算清单经财务审核通过后才能开票。"


def test_only_finance_records_invoices(more_heads) -> None:
    order = _accepted(more_heads, "10")
    statement = _statement(more_heads, order, "10")
    actions.review_statement(actor=more_heads["finance_head"], statement=statement, approve=True)
    with pytest.raises(NotAllowed):
        _small_invoice(more_heads["sales"], statement)


def test_statement_and_invoice_through_the_order_page(client, more_heads) -> None:
    order = _accepted(more_heads, "10")
    line = order.lines.get()
    client.force_login(more_heads["sales"])
    client.post(
        reverse("billing:billing", args=[order.pk, "statement"]),
        {
            f"qty-{line.pk}": "10",
            "fee-0-description": "运费",
            "fee-0-amount": "200",
            "reconciled_with": "张伟",
            "reconciled_on": "2026-12-12",
        },
    )
    statement = Statement.objects.get()
    pdf = client.get(reverse("billing:statement_print", args=[statement.pk]) + "?format=pdf")
    assert pdf.content[:4] == b"%PDF"
    client.force_login(more_heads["finance_head"])
    page = client.get(reverse("workbench:order_detail", args=[order.pk])).content.decode()
    assert 'data-testid="approve-statement"' in page
    client.post(reverse("billing:billing", args=[order.pk, "approve"]), {"statement": statement.pk})
    client.post(
        reverse("billing:billing", args=[order.pk, "invoice"]),
        {
            "statement": statement.pk,
            "invoice_type": "ordinary_vat",
            "number": "0001",
            "issued_on": "2026-12-15",
            "amount": "10200",
            "tax_rate": "13",
        },
    )
    assert list(Invoice.objects.values_list("number", "amount")) == [("0001", Decimal("10200.00"))]


def _invoiced(org: dict[str, Any], *, number: str = "0001", issued_on: date = date(2026, 12, 15)) -> Invoice:
    order = _accepted(org, "10")
    statement = _statement(org, order, "10", fees=[])
    actions.review_statement(actor=org["finance_head"], statement=statement, approve=True)
    return actions.record_invoice(
        actor=org["finance_head"],
        statement=statement,
        invoice_type="special_vat",
        number=number,
        issued_on=issued_on,
        amount=Decimal("10000"),
        tax_rate=Decimal("13"),
    )


def test_monthly_terms_fall_due_on_the_due_day_after_the_statement_day(more_heads) -> None:
    """L-3 月结: invoiced 15 Dec, statement day 25 → gathered 25 Dec, due on the 10th of January."""
    customer = more_heads["customer"]
    customer.statement_day, customer.due_day = 25, 10
    customer.save()
    assert _invoiced(more_heads).due_date == date(2027, 1, 10)


def test_invoice_after_the_statement_day_goes_to_the_next_statement(more_heads) -> None:
    customer = more_heads["customer"]
    customer.statement_day, customer.due_day = 10, 20
    customer.save()
    assert _invoiced(more_heads).due_date == date(2027, 2, 20)  # gathered 10 Jan, due 20 Feb


def test_payment_matches_oldest_first_and_keeps_the_rest_as_credit(more_heads) -> None:
    """L-3, L-6: a partial then an over-payment; the surplus stays as the customer's credit."""
    from oms.billing.actions import outstanding, record_payment
    from oms.orders.selectors import customer_exposure

    invoice = _invoiced(more_heads)
    args = {
        "actor": more_heads["finance_head"],
        "customer": more_heads["customer"],
        "currency": "CNY",
        "method": "transfer",
    }
    record_payment(**args, amount=Decimal("4000"), received_on=date(2026, 12, 20), reference="B1")
    assert outstanding(invoice) == Decimal("6000.00")
    record_payment(**args, amount=Decimal("7000"), received_on=date(2026, 12, 28), reference="B2")
    assert outstanding(invoice) == Decimal("0.00")
    exposure = customer_exposure(more_heads["customer"].pk)
    assert (exposure["receivables"], exposure["overdue"]) == (Decimal("0"), Decimal("0"))


@pytest.mark.parametrize(
    ("amount", "currency", "field"),
    [(Decimal("-5"), "CNY", "amount"), (Decimal("100"), "USD", "currency")],
)
def test_bad_payment_is_refused(more_heads, amount: str, currency: str, field: str) -> None:
    from oms.billing.actions import record_payment
    from oms.billing.models import Payment

    with pytest.raises(FieldErrors) as refused:
        record_payment(
            actor=more_heads["finance_head"],
            customer=more_heads["customer"],
            amount=amount,
            currency=currency,
            received_on=date(2026, 12, 20),
            method="transfer",
            reference="B1",
        )
    assert list(refused.value.errors) == [field]
    assert Payment.objects.count() == 0


def test_payment_cannot_settle_another_customers_invoice(more_heads) -> None:
    from oms.billing.actions import record_payment
    from oms.billing.models import Payment
    from oms.customers.tests.factories import CustomerFactory

    invoice = _invoiced(more_heads)
    with pytest.raises(FieldErrors) as refused:
        record_payment(
            actor=more_heads["finance_head"],
            customer=CustomerFactory(),
            amount=Decimal("100"),
            currency="CNY",
            received_on=date(2026, 12, 20),
            method="transfer",
            reference="B1",
            matches=[(invoice.pk, Decimal("100"))],
        )
    assert list(refused.value.errors) == ["matches.0.invoice"]
    assert Payment.objects.count() == 0


def test_ageing_buckets_match_hand_computed_figures(more_heads, client) -> None:
    """L-4: four invoices due 10, 40, 70 and 100 days before the day of the report, one half paid:
    each lands in its bucket; totals add up; the page and the export show them."""
    from datetime import timedelta

    from oms.billing.actions import record_payment
    from oms.billing.receivables import ledger

    today = date(2027, 6, 1)
    invoices = [_invoiced(more_heads, number=f"A{i}") for i in range(1)]
    invoice = invoices[0]
    statement = invoice.statement
    order = statement.order
    # Split the statement's 10000 into four due dates by recording them directly with set dates.
    Invoice.objects.filter(pk=invoice.pk).update(
        amount=Decimal("4000.00"),
        tax_amount=Decimal("0"),
        tax_rate=Decimal("0"),
        due_date=today - timedelta(days=10),
    )
    for number, days, amount in (("A2", 40, "3000"), ("A3", 70, "2000"), ("A4", 100, "1000")):
        Invoice.objects.create(
            statement=statement,
            order=order,
            customer=order.customer,
            invoice_type="special_vat",
            number=number,
            issued_on=today - timedelta(days=days + 5),
            amount=Decimal(amount),
            tax_amount=Decimal("0"),
            tax_rate=Decimal("0"),
            due_date=today - timedelta(days=days),
            recorded_by=more_heads["finance_head"],
        )
    record_payment(
        actor=more_heads["finance_head"],
        customer=more_heads["customer"],
        amount=Decimal("1000"),
        currency="CNY",
        received_on=today,
        method="transfer",
        reference="B9",
        matches=[(Invoice.objects.get(number="A3").pk, Decimal("1000"))],
    )
    (row,) = ledger(more_heads["finance_head"], today=today)
    assert (row.order, row.invoiced, row.received, row.outstanding, row.overdue) == (
        order.number,
        Decimal("10000.00"),
        Decimal("1000.00"),
        Decimal("9000.00"),
        Decimal("9000.00"),
    )
    assert (row.age_0_30, row.age_31_60, row.age_61_90, row.age_over_90) == (
        Decimal("4000.00"),
        Decimal("3000.00"),
        Decimal("1000.00"),
        Decimal("1000.00"),
    )
    client.force_login(more_heads["finance_head"])
    assert client.get(reverse("billing:receivables")).status_code == 200
    export = client.get(reverse("billing:receivables") + "?export=xlsx")
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_payment_through_the_receivables_page(client, more_heads, django_assert_max_num_queries) -> None:
    from oms.billing.actions import outstanding

    invoice = _invoiced(more_heads)
    client.force_login(more_heads["finance_head"])
    with django_assert_max_num_queries(15):
        page = client.get(reverse("billing:receivables")).content.decode()
    assert 'data-testid="record-receipt"' in page
    client.post(
        reverse("billing:receipt"),
        {
            "customer": more_heads["customer"].pk,
            "amount": "2500",
            "currency": "CNY",
            "received_on": "2026-12-20",
            "method": "transfer",
            "reference": "B1",
        },
    )
    assert outstanding(invoice) == Decimal("7500.00")


def test_instalments_must_add_up_to_the_order(more_heads) -> None:
    from oms.billing.models import Instalment
    from oms.intake.tests.fixtures import confirmed_order

    order = confirmed_order(more_heads, payment_terms="instalments")
    with pytest.raises(FieldErrors) as refused:
        actions.set_instalments(
            actor=more_heads["sales"],
            order=order,
            schedule=[(date(2027, 1, 1), Decimal("500")), (date(2027, 2, 1), Decimal("500"))],
        )
    assert refused.value.errors == {"schedule": ["各期合计 1000.00 与订单金额 2000.00 不符。"]}
    assert Instalment.objects.count() == 0


def test_legal_escalation_after_the_policy_threshold_and_the_reminder_notice(client, more_heads) -> None:
    """L-5: past legal_after_days finance gets the decision; the reminder notice prints as PDF."""
    from datetime import datetime, time, timedelta

    from django.utils import timezone

    invoice = _invoiced(more_heads)
    when = timezone.make_aware(datetime.combine(invoice.due_date + timedelta(days=95), time(9)))
    actions.check_dunning(when)
    legal = WorkItem.objects.get(kind="dunning.legal")
    assert legal.assignee == more_heads["finance_head"]
    assert list(invoice.dunning_steps.values_list("days_overdue", flat=True)) == [60]
    Invoice.objects.filter(pk=invoice.pk).update(due_date=timezone.localdate() - timedelta(days=95))
    client.force_login(more_heads["finance_head"])
    pdf = client.get(reverse("billing:reminder", args=[more_heads["customer"].pk]) + "?format=pdf")
    assert pdf.content[:4] == b"%PDF"


def test_what_closure_still_needs_hides_the_sums_from_roles_without_prices(more_heads) -> None:
    """M-1, S-1: production sees that money is outstanding, not how much; finance sees the sum."""
    from oms.billing.selectors import billing_of

    invoice = _invoiced(more_heads)
    order = invoice.statement.order
    owed = f"还有 {invoice.amount} 未收款"
    assert owed in billing_of(order, more_heads["finance_head"])["closure_missing"]
    shown = billing_of(order, more_heads["prod"])["closure_missing"]
    assert ("还有未收款的金额" in shown, owed in shown) == (True, False)


def test_receivables_page_prints_the_first_rows_and_totals_all(client, more_heads, monkeypatch) -> None:
    """Issue 21: a ledger of half a million rows is not printed; the totals still cover them."""
    from oms.billing import views

    monkeypatch.setattr(views, "LEDGER_ROWS", 0)
    invoice = _invoiced(more_heads)
    client.force_login(more_heads["finance_head"])
    page = client.get(reverse("billing:receivables")).content.decode()
    assert ('data-testid="receivables-more"' in page, invoice.statement.order.number in page) == (True, False)
    assert format_amount(invoice.amount) in page  # the totals row


def test_the_legal_decision_is_announced_to_the_finance_head(more_heads) -> None:
    """L-5, T-1: past legal_after_days the finance head is told to decide on legal action."""
    from datetime import datetime, time, timedelta

    from django.utils import timezone

    from oms.notifications.models import Notification

    invoice = _invoiced(more_heads)
    threshold = invoice.statement.order.policy().dunning.legal_after_days
    actions.check_dunning(
        timezone.make_aware(datetime.combine(invoice.due_date + timedelta(days=95), time(9)))
    )
    told = Notification.objects.filter(recipient=more_heads["finance_head"], title__contains="法务")
    assert list(told.values_list("title", flat=True)) == [
        f"发票 {invoice.number} 逾期超过 {threshold} 天：决定是否转法务"
    ]
