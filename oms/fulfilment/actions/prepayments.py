"""Prepayments received before release (D-4)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from oms.accounts.models import User
from oms.audit import recorder
from oms.core.errors import FieldErrors, NotAllowed
from oms.fulfilment.models import (
    Prepayment,
)
from oms.fulfilment.permissions import can_record_prepayment
from oms.orders.models import SalesOrder


@transaction.atomic
@recorder.batched
def record_prepayment(
    *, actor: User, order: SalesOrder, amount: Decimal, received_on: date | None, reference: str
) -> Prepayment:
    """D-4: finance records a prepayment that has arrived."""
    if not can_record_prepayment(actor):
        raise NotAllowed(_("只有财务可以登记预付款。"))
    errors = {}
    if amount is None or amount <= 0:
        errors["amount"] = _("金额必须大于 0。")
    if received_on is None:
        errors["received_on"] = _("请填写到账日期。")
    if not reference.strip():
        errors["reference"] = _("请填写凭证号。")
    if errors:
        raise FieldErrors(errors)
    assert received_on is not None
    payment = Prepayment.objects.create(
        order=order, amount=amount, received_on=received_on, reference=reference.strip(), recorded_by=actor
    )
    recorder.record(
        actor=actor,
        obj=order,
        action="prepayment.record",
        after={"amount": amount, "received_on": received_on, "reference": payment.reference},
    )
    return payment
