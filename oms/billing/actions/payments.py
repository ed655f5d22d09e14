"""Payments (收款) and their matching to invoices (核销, L-3, L-6): finance records money received and matches
it to the customer's invoices, as given or the oldest due first; what is left over stays as the
customer's credit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.accounts.models import User
from oms.audit import recorder
from oms.billing import states
from oms.billing.actions._common import CENT, amount_input
from oms.billing.actions.figures import keep_figures
from oms.billing.models import Invoice, Payment, PaymentMatch, PaymentMethod
from oms.core.errors import FieldErrors, NotAllowed
from oms.policy import actions as policy_actions
from oms.policy import selectors as policy_selectors

Plan = list[tuple[Invoice, Decimal]]


@transaction.atomic
def record_payment(
    *,
    actor: User,
    customer: Any,
    amount: Decimal | None,
    currency: str,
    received_on: date | None,
    method: str,
    reference: str,
    matches: Sequence[tuple[int, Decimal | None]] | None = None,
) -> Payment:
    """L-3, L-6: finance records money received and matches it to the customer's invoices: as
    given, or the oldest due first. Partial payments leave the rest outstanding; what is left
    over stays as the customer's credit."""
    if not states.in_finance(actor):
        raise NotAllowed(_("只有财务可以登记收款。"))
    value = amount_input(amount, "amount", Payment, "amount")
    _check_payment(value, currency, received_on, method, reference)
    assert value is not None and received_on is not None
    value = value.quantize(CENT)
    open_invoices = _unsettled(customer)
    plan = (
        _oldest_first(open_invoices, value)
        if matches is None
        else _as_given(customer, open_invoices, matches, value)
    )
    payment = Payment.objects.create(
        number=payment_number(),
        customer=customer,
        amount=value,
        currency=currency,
        received_on=received_on,
        method=method,
        reference=reference.strip()[:100],
        recorded_by=actor,
    )
    PaymentMatch.objects.bulk_create(
        [PaymentMatch(payment=payment, invoice=inv, amount=part) for inv, part in plan]
    )
    keep_figures(inv.pk for inv, _part in plan)  # issue 21: what is now paid of each
    recorder.record(
        actor=actor,
        obj=customer,
        action="billing.receipt",
        after={
            "number": payment.number,
            "amount": value,
            "received_on": received_on,
            "method": method,
            "reference": payment.reference,
            "allocations": [[inv.number, part] for inv, part in plan],
            "credit": value - sum((p for _i, p in plan), Decimal("0")),
        },
    )
    return payment


def _unsettled(customer: Any) -> list[Invoice]:
    """Issue 21: only the customer's unsettled invoices can take money (its partial index), locked,
    oldest due first; each locked row's kept `received` is what its matches add up to
    (`keep_figures`)."""
    rows = Invoice.objects.select_for_update().filter(customer=customer, settled=False)
    return list(rows.order_by("due_date", "pk"))


def payment_number() -> str:
    """Issue 23: the next payment number in the policy's format (收款编号格式)."""
    return policy_actions.next_number(
        fmt=policy_selectors.policy().numbering.payment, when=timezone.localdate(), key="payment"
    )


def _check_payment(
    value: Decimal | None, currency: str, received_on: date | None, method: str, reference: str
) -> None:
    """A positive amount in the company's currency, a date, a known method, a voucher number."""
    errors: dict[str, str] = {}
    if value is None or value <= 0:
        errors["amount"] = _("收款金额必须大于 0。")
    company_currency = policy_selectors.policy().currency
    if currency != company_currency:
        errors["currency"] = _("币种 %(c)s 不是本公司的结算币种 %(k)s。") % {
            "c": currency or "—",
            "k": company_currency,
        }
    if received_on is None:
        errors["received_on"] = _("请填写收款日期。")
    if method not in PaymentMethod.values:
        errors["method"] = _("请选择收款方式。")
    if not reference.strip():
        errors["reference"] = _("请填写凭证号。")
    if errors:
        raise FieldErrors(errors)


def _oldest_first(open_invoices: list[Invoice], value: Decimal) -> Plan:
    """L-3: the money settles what is owed, the invoice due first first, until it is used up."""
    plan: Plan = []
    left = value
    for invoice in open_invoices:
        owed = _owed(invoice)
        if left <= 0:
            break
        if owed > 0:
            take = min(owed, left)
            plan.append((invoice, take))
            left -= take
    return plan


def _owed(invoice: Invoice) -> Decimal:
    """What a locked unsettled invoice still owes: `receivables.outstanding` from the figure kept
    on it instead of its matches (an unsettled invoice is never one of a red-letter pair)."""
    return invoice.amount - invoice.received


def _as_given(
    customer: Any,
    open_invoices: list[Invoice],
    matches: Sequence[tuple[int, Decimal | None]],
    value: Decimal,
) -> Plan:
    """L-6: the matching finance gave: the customer's own invoices, each part positive and within
    what the invoice still owes, together within the payment."""
    by_id = {i.pk: i for i in open_invoices}
    errors: dict[str, str] = {}
    plan: Plan = []
    for i, (invoice_id, raw) in enumerate(matches):
        part = amount_input(raw, f"matches.{i}.amount", PaymentMatch, "amount")
        target = by_id.get(int(invoice_id))
        if target is None:
            found = Invoice.objects.filter(pk=invoice_id).values_list("customer_id", "number").first()
            if found is not None and found[0] == customer.pk:  # the customer's, settled already
                errors[f"matches.{i}.amount"] = _("发票 %(n)s 只剩 %(o)s 未收。") % {
                    "n": found[1],
                    "o": "0.00",
                }
            else:
                errors[f"matches.{i}.invoice"] = (
                    _("发票不属于客户 %(c)s，不能核销。") % {"c": customer} if found else _("发票不存在。")
                )
        elif part is None or part <= 0:
            errors[f"matches.{i}.amount"] = _("核销金额必须大于 0。")
        elif part > _owed(target):
            errors[f"matches.{i}.amount"] = _("发票 %(n)s 只剩 %(o)s 未收。") % {
                "n": target.number,
                "o": _owed(target),
            }
        else:
            plan.append((target, part.quantize(CENT)))
    if not errors and sum((p for _i, p in plan), Decimal("0")) > value:
        errors["matches"] = _("核销合计超过收款金额。")
    if errors:
        raise FieldErrors(errors)
    return plan
