"""Typed input of every settlement and invoicing action (L-1..L-6, M-1): amounts parsed by the
shared parser at the column's digits (P-1) and bounded by what is still open where the rule says
so, dates, and the choices the user may pick. The actions keep the rules and check them again
under their row locks."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from oms.billing.models import (
    DunningKind,
    Instalment,
    Invoice,
    InvoiceType,
    Payment,
    PaymentMethod,
    Statement,
    StatementFee,
    StatementLine,
)
from oms.billing.payers import typed_customer
from oms.billing.selectors import tax_rate_choices
from oms.core.forms import ColumnDecimalField
from oms.customers.models import Customer
from oms.orders.models import SalesOrder

FEE_ROWS = 3
SCHEDULE_ROWS = 6


def _date_field(label: Any) -> forms.DateField:
    return forms.DateField(label=label, required=False, widget=forms.DateInput(attrs={"type": "date"}))


# --- statements (L-1, L-2) -----------------------------------------------------------------------


class StatementForm(forms.Form):
    """L-1: per billable order line a quantity of at most what is accepted and not yet settled,
    up to three fees, and who at the customer reconciled it and when."""

    reconciled_with = forms.CharField(label=_("客户对账人"), max_length=100, required=False)
    reconciled_on = _date_field(_("对账日期"))

    def __init__(self, *args: Any, billable: Iterable[tuple[Any, Decimal]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for line, left in billable:
            self.fields[f"qty-{line.pk}"] = ColumnDecimalField(
                StatementLine,
                "quantity",
                label=_("第 %(n)s 行结算数量") % {"n": line.line_no},
                min_value=0,
                max_value=max(left, Decimal("0")),
            )
        for i in range(FEE_ROWS):
            self.fields[f"fee-{i}-description"] = forms.CharField(
                label=_("费用项目"), max_length=100, required=False
            )
            self.fields[f"fee-{i}-amount"] = ColumnDecimalField(
                StatementFee, "amount", label=_("费用金额"), min_value=0
            )
        self.billable = list(billable)

    def typed_rows(self) -> list[tuple[Any, Decimal, str]]:
        """(order line, quantity left, what the user typed for it) for the form shown again."""
        return [(line, left, str(self.data.get(f"qty-{line.pk}", ""))) for line, left in self.billable]

    def typed_fees(self) -> list[tuple[int, str, str]]:
        """(row, description, amount) as typed, for the form shown again."""
        return [
            (i, str(self.data.get(f"fee-{i}-description", "")), str(self.data.get(f"fee-{i}-amount", "")))
            for i in range(FEE_ROWS)
        ]

    def action_input(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "quantities": {int(k[4:]): v for k, v in data.items() if k.startswith("qty-")},
            "fees": [
                (data.get(f"fee-{i}-description", ""), data.get(f"fee-{i}-amount")) for i in range(FEE_ROWS)
            ],
            "reconciled_with": data.get("reconciled_with", ""),
            "reconciled_on": data.get("reconciled_on"),
        }


class ReviewForm(forms.Form):
    """L-2: finance's comment (a return needs one: the transition asks for its reason)."""

    statement = forms.IntegerField(widget=forms.HiddenInput)
    comment = forms.CharField(label=_("审核意见"), max_length=1000, required=False)

    def __init__(self, *args: Any, statement: Statement, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.target_statement = statement


# --- invoices (L-2, L-3) -------------------------------------------------------------------------


def invoiced_of(statement: Statement) -> Decimal:
    """What the statement's invoices already cover."""
    return statement.invoices.aggregate(s=Sum("amount"))["s"] or Decimal("0")


class InvoiceForm(forms.Form):
    """L-2: an invoice of a type finance may pick, within what the statement has left to invoice."""

    statement = forms.IntegerField(widget=forms.HiddenInput)
    invoice_type = forms.ChoiceField(label=_("发票类型"), choices=InvoiceType.choices)
    instalment = forms.ModelChoiceField(label=_("期次"), queryset=Instalment.objects.none(), required=False)
    number = forms.CharField(label=_("发票号码"), max_length=40, required=False)
    issued_on = _date_field(_("开票日期"))
    amount = ColumnDecimalField(Invoice, "amount", min_value=0, min_exclusive=True)
    tax_rate = forms.TypedChoiceField(label=_("税率"), coerce=Decimal, choices=())

    def __init__(self, *args: Any, statement: Statement, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.target_statement = statement
        rate = self.fields["tax_rate"]
        assert isinstance(rate, forms.TypedChoiceField)
        # Issue 23: the rates of the policy in force, as the form shows them (13, 9, 6, 0).
        rate.choices = tax_rate_choices()
        amount = self.fields["amount"]
        assert isinstance(amount, ColumnDecimalField)
        # L-2: never more than the statement has left to invoice (a new dict: fields are copied shallowly).
        amount.limits = {
            **amount.limits,
            "max_value": max(statement.total - invoiced_of(statement), Decimal("0")),
        }
        instalment = self.fields["instalment"]
        assert isinstance(instalment, forms.ModelChoiceField)
        instalment.queryset = statement.order.instalments.filter(superseded=False).order_by("seq")


class ReversalForm(forms.Form):
    """Issue 23: the red-letter invoice reversing one in full: its number, date and why."""

    invoice = forms.IntegerField(widget=forms.HiddenInput)
    number = forms.CharField(label=_("红字发票号码"), max_length=40, required=False)
    issued_on = _date_field(_("开票日期"))
    reason = forms.CharField(label=_("冲红原因"), max_length=300, required=False)

    def __init__(self, *args: Any, invoice: Invoice, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.target_invoice = invoice


class InstalmentsForm(forms.Form):
    """L-3 分期付款: up to six rows of due date and amount."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for i in range(SCHEDULE_ROWS):
            self.fields[f"due-{i}"] = _date_field(_("第 %(n)s 期到期日") % {"n": i + 1})
            self.fields[f"amount-{i}"] = ColumnDecimalField(
                Instalment, "amount", label=_("第 %(n)s 期金额") % {"n": i + 1}, min_value=0
            )

    def typed_rows(self) -> list[tuple[int, str, str]]:
        """(row, due date, amount) as typed, for the form shown again."""
        return [
            (i, str(self.data.get(f"due-{i}", "")), str(self.data.get(f"amount-{i}", "")))
            for i in range(SCHEDULE_ROWS)
        ]

    def schedule(self) -> list[tuple[date | None, Decimal | None]]:
        data = self.cleaned_data
        return [(data.get(f"due-{i}"), data.get(f"amount-{i}")) for i in range(SCHEDULE_ROWS)]


class CloseForm(forms.Form):
    """M-1: why the order closes (optional)."""

    reason = forms.CharField(label=_("原因"), max_length=300, required=False)


# --- payments and dunning (L-3, L-5, L-6) -------------------------------------------------------


class PaymentForm(forms.Form):
    """L-3, L-6: money received from a customer: amount, currency, date, method, voucher. The
    customer is the one the picker's field names (its code, the picked "code name", or an exact
    name: typed without JavaScript too, issue 21), else the one given by key; any customer, as
    the key always allowed."""

    customer = forms.ModelChoiceField(
        label=_("客户"), queryset=Customer.objects.order_by("name"), required=False
    )
    customer_q = forms.CharField(label=_("客户"), max_length=240, required=False)
    amount = ColumnDecimalField(Payment, "amount", min_value=0, min_exclusive=True)
    currency = forms.CharField(label=_("币种"), max_length=3, required=False)
    received_on = _date_field(_("收款日期"))
    method = forms.ChoiceField(label=_("收款方式"), choices=PaymentMethod.choices)
    reference = forms.CharField(label=_("凭证号"), max_length=100, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "customer" in self.errors:
            return data
        # What the field shows decides: a pick fills in its "code name", so a pick edited
        # afterwards can never send the money to the customer picked before.
        if (data.get("customer_q") or "").strip():
            data["customer"] = typed_customer(data["customer_q"])
        if data.get("customer") is None:
            self.add_error("customer", _("请选择客户。"))
        return data


class DunningForm(forms.Form):
    """L-5: the dunning step taken and what came of it."""

    kind = forms.ChoiceField(label=_("催收方式"), choices=DunningKind.choices)
    note = forms.CharField(label=_("催收情况"), max_length=300, required=False)


def statement_of(order: SalesOrder, pk: Any) -> Statement | None:
    """The order's statement a form names (None when it names none of them)."""
    return order.statements.filter(pk=pk if str(pk or "").isdigit() else 0).first()
