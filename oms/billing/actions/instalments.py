"""Instalment schedules (L-3 分期付款)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from oms.accounts.models import User
from oms.audit import recorder
from oms.billing import states
from oms.billing.actions._common import CENT, amount_input
from oms.billing.models import Instalment, Invoice
from oms.core.errors import ActionError, FieldErrors, NotAllowed
from oms.customers.models import PaymentTerms
from oms.orders.models import SalesOrder
from oms.orders.permissions import can_renegotiate

Row = tuple[date | None, Decimal | None]


@transaction.atomic
def set_instalments(
    *, actor: User, order: SalesOrder, schedule: Sequence[tuple[date | None, Decimal | None]]
) -> list[Instalment]:
    """L-3 分期付款: the order's schedule of due dates and amounts, adding up to the order's amount.
    A new schedule replaces the old one (kept, marked superseded) until an instalment is invoiced."""
    if not (can_renegotiate(actor, order) or states.in_finance(actor)):
        raise NotAllowed(_("只有销售或财务可以制定分期计划。"))
    if order.payment_terms != PaymentTerms.INSTALMENTS:
        raise ActionError(_("只有分期付款的订单才有分期计划。"))
    current = order.instalments.filter(superseded=False)
    if Invoice.objects.filter(instalment__in=current).exists():
        raise ActionError(_("已按分期计划开票，不能再修改。"))
    rows: list[Row] = [
        (d, amount_input(a, f"schedule.{i}.amount", Instalment, "amount"))
        for i, (d, a) in enumerate(schedule)
        if d is not None or a not in (None, "")
    ]
    _check_schedule(order, rows)
    current.update(superseded=True)
    created = Instalment.objects.bulk_create(
        [
            Instalment(order=order, seq=i + 1, due_date=d, amount=a.quantize(CENT))
            for i, (d, a) in enumerate(rows)
            if d is not None and a is not None
        ]
    )
    recorder.record(
        actor=actor,
        obj=order,
        action="billing.instalments",
        after={"schedule": [[d, a] for d, a in rows]},
    )
    return created


def _check_schedule(order: SalesOrder, rows: list[Row]) -> None:
    """At least two instalments, each dated and positive, in date order without repeats, adding
    up to the order's amount."""
    errors: dict[str, str] = {}
    for i, (due, amount) in enumerate(rows):
        if due is None:
            errors[f"schedule.{i}.due_date"] = _("请填写第 %(n)s 期到期日。") % {"n": i + 1}
        if amount is None or amount <= 0:
            errors[f"schedule.{i}.amount"] = _("第 %(n)s 期金额必须大于 0。") % {"n": i + 1}
    dates = [d for d, _a in rows if d is not None]
    if len(rows) < 2:
        errors["schedule"] = _("分期计划至少两期。")
    elif dates != sorted(dates) or len(set(dates)) != len(dates):
        errors["schedule"] = _("各期到期日须按先后排列且不重复。")
    total = sum((a for _d, a in rows if a is not None), Decimal("0"))
    if not errors and total.quantize(CENT) != order.total_amount:
        errors["schedule"] = _("各期合计 %(t)s 与订单金额 %(o)s 不符。") % {
            "t": total.quantize(CENT),
            "o": order.total_amount,
        }
    if errors:
        raise FieldErrors(errors)
