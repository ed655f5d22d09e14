"""Red-letter invoices (红字发票, issue 23 point 2, L-2): finance reverses an issued invoice in full
with a negative invoice of its own number, for a stated reason. The two are linked both ways and
cancel each other in the receivables; money matched to the original is released as the customer's
credit, and the statement can be invoiced again."""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from oms.accounts.models import User
from oms.audit import recorder
from oms.billing import states
from oms.billing.actions.figures import keep_figures
from oms.billing.actions.invoice_step import hand_on
from oms.billing.models import Invoice
from oms.core.errors import ActionError, FieldErrors, NotAllowed
from oms.tracking.actions import collection


@transaction.atomic
def reverse_invoice(
    *, actor: User, invoice: Invoice, number: str, issued_on: date | None, reason: str
) -> Invoice:
    """Issue 23: a red-letter invoice for the whole of `invoice` (negative amount and tax, the
    same rate). Only finance; never twice, never of a red-letter invoice."""
    if not states.in_finance(actor):
        raise NotAllowed(_("只有财务可以开具红字发票。"))
    original = Invoice.objects.select_for_update().select_related("statement__order").get(pk=invoice.pk)
    if original.reverses_id is not None:
        raise ActionError(_("红字发票不能再冲红。"))
    if Invoice.objects.filter(reverses=original).exists():
        raise ActionError(_("发票 %(n)s 已开具红字发票，不能重复冲红。") % {"n": original.number})
    errors: dict[str, str] = {}
    if not number.strip():
        errors["number"] = _("请填写红字发票号码。")
    elif Invoice.objects.filter(number=number.strip()).exists():
        errors["number"] = _("发票号码 %(n)s 已登记过。") % {"n": number.strip()}
    if issued_on is None:
        errors["issued_on"] = _("请填写开票日期。")
    elif issued_on < original.issued_on:
        errors["issued_on"] = _("红字发票的开票日期不能早于原发票（%(d)s）。") % {
            "d": f"{original.issued_on:%Y-%m-%d}"
        }
    if not reason.strip():
        errors["reason"] = _("请填写冲红原因。")
    if errors:
        raise FieldErrors(errors)
    assert issued_on is not None
    red = _create(actor, original, number.strip(), issued_on, reason.strip())
    collection.issued(red, original.statement.order)  # O-1 the collection rate (ADR 0019)
    # Issue 21: both are settled, and what was matched to the original no longer counts as paid.
    keep_figures([original.pk, red.pk])
    # L-2, T-1 (flows): what the red-letter invoice gave back waits on the finance staff again.
    hand_on(original.statement)
    recorder.record(
        actor=actor,
        obj=original.statement.order,
        action="billing.reverse_invoice",
        after={
            "invoice": original.number,
            "red_letter": red.number,
            "amount": red.amount,
            "tax": red.tax_amount,
            "issued_on": issued_on,
        },
        reason=red.reversal_reason,
    )
    return red


def _create(actor: User, original: Invoice, number: str, issued_on: date, reason: str) -> Invoice:
    """The red-letter invoice; a number or a reversal taken meanwhile is refused like one before."""
    try:
        with transaction.atomic():
            return Invoice.objects.create(
                statement=original.statement,
                order_id=original.order_id,
                customer_id=original.customer_id,
                invoice_type=original.invoice_type,
                number=number,
                issued_on=issued_on,
                amount=-original.amount,
                tax_amount=-original.tax_amount,
                tax_rate=original.tax_rate,
                due_date=issued_on,
                instalment=original.instalment,
                reverses=original,
                reversal_reason=reason[:300],
                recorded_by=actor,
            )
    except IntegrityError as exc:
        raise FieldErrors({"number": _("发票号码 %(n)s 已登记过。") % {"n": number}}) from exc
