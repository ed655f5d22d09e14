"""The finance staff's invoicing step of a statement (L-2, L-3, T-1; flows, point 2).

An approved statement waits on the finance staff until all of its amount is invoiced, not until
its first invoice: under instalment terms (分期付款) the step names the next instalment to invoice
and opens anew, announced, once the one before is invoiced in full; otherwise the one step stays
open while part of the amount is left. A red-letter invoice gives back what it reverses, so the
step reopens. The statement's invoices are summed in the database, red-letter ones included."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import F, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.accounts.models import DepartmentKind, User
from oms.accounts.selectors import department_of_kind
from oms.billing.actions._common import CENT
from oms.billing.models import Instalment, Invoice, Statement
from oms.core.phrases import phrase
from oms.customers.models import PaymentTerms
from oms.policy import selectors as policy_selectors
from oms.tracking import actions as tracking

KIND = "billing.invoice"


def left_to_invoice(statement: Statement) -> Decimal:
    """L-2: the statement's amount not yet invoiced (a red-letter invoice counts negative)."""
    invoiced = Invoice.objects.filter(statement=statement).aggregate(s=Sum("amount"))["s"] or Decimal("0")
    return (statement.total - invoiced).quantize(CENT)


def next_instalment(statement: Statement) -> Instalment | None:
    """L-3: on instalment terms with a schedule, the first instalment not yet invoiced in full."""
    order = statement.order
    if order.payment_terms != PaymentTerms.INSTALMENTS:
        return None
    return (
        Instalment.objects.filter(order=order, superseded=False)
        .annotate(billed=Sum("invoices__amount"))
        .filter(Q(billed__isnull=True) | Q(billed__lt=F("amount")))
        .order_by("seq")
        .first()
    )


def after_invoice(statement: Statement, *, actor: User, invoice: Invoice) -> None:
    """L-2, L-3, T-1: after `invoice`: the step closes once the statement is invoiced in full; an
    invoiced instalment hands the finance staff the next one (announced); a part of an amount
    left keeps the step open as it is."""
    if left_to_invoice(statement) <= 0:
        tracking.close_items(target=statement, actor=actor, outcome=_("已开票"), kinds=(KIND,))
        return
    instalment = invoice.instalment
    if instalment is not None and _billed(instalment) >= instalment.amount:
        done = tracking.Closing(
            target=statement,
            actor=actor,
            outcome=_("第 %(n)s 期已开票") % {"n": instalment.seq},
            kinds=(KIND,),
        )
        hand_on(statement, closing=done)
        return
    hand_on(statement)


def hand_on(statement: Statement, *, closing: tracking.Closing | None = None) -> None:
    """L-2, T-1: the statement's invoicing step waits on the finance staff, who are told: the next
    instalment's, due at the end of its due date (the order class's time limit once that is past),
    or the statement's; kept (and nobody told twice) while one is open. `closing`: the step just
    finished, closed first."""
    finance = department_of_kind(DepartmentKind.FINANCE)
    if finance is None:
        if closing is not None:
            closing.close()
        return
    order = statement.order
    instalment = next_instalment(statement)
    if instalment is None:
        title = phrase(
            "结算清单 %(s)s 已审核通过，请开具发票（订单 %(n)s）", s=statement.number, n=order.number
        )
        due = None
    else:
        title = phrase(
            "结算清单 %(s)s 请开具第 %(i)s 期发票（订单 %(n)s，%(d)s 到期）",
            s=statement.number,
            i=instalment.seq,
            n=order.number,
            d=f"{instalment.due_date:%Y-%m-%d}",
        )
        end = policy_selectors.work_calendar(of=order).end_of_day(instalment.due_date)
        due = end if end > timezone.now() else None
    tracking.hand_off(
        target=statement,
        order=order,
        kind=KIND,
        title=title,
        department=finance,
        assignee=None,
        url=reverse("billing:statement", args=[statement.pk]),
        event="billing",
        due=due,
        once=True,
        closing=closing,
    )


def _billed(instalment: Instalment) -> Decimal:
    return (instalment.invoices.aggregate(s=Sum("amount"))["s"] or Decimal("0")).quantize(CENT)
