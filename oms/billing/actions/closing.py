"""Closing the order (M-1)."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from oms.accounts.models import User
from oms.billing import states
from oms.core.phrases import phrase
from oms.engine import workflow
from oms.notifications.actions import notify
from oms.orders.models import SalesOrder
from oms.tracking import actions as tracking


@transaction.atomic
def close_order(*, actor: User, order: SalesOrder, reason: str = "") -> SalesOrder:
    """M-1: an order closes only when everything is delivered, accepted and paid and its documents
    are complete; otherwise the refusal lists what is missing."""
    order = workflow.apply(states.CLOSE, order, actor=actor, reason=reason)
    # H-5: a closed order waits on nobody: its remaining plans and steps leave everyone's work.
    tracking.end_order_items(order=order, actor=actor, reason=reason or _("订单已关闭"))
    notify(
        event="billing",
        recipients=[order.salesperson],
        title=phrase("订单 %(n)s 已关闭", n=order.number),
        url=reverse("workbench:order_detail", args=[order.pk]),
    )
    return order
