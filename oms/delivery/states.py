"""The order's receipt (DESIGN 4, K-3): shipped → received when every shipment is accepted."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from oms.engine.workflow import Transition, TransitionTable
from oms.orders.models import OrderStatus as S


def _recorded(user: Any, order: Any) -> bool:
    # Taken by the system when the last acceptance is recorded, by staff or through the link.
    return bool(getattr(user, "is_authenticated", False) or getattr(user, "is_customer", False))


RECEIVE = Transition(
    name="receive",
    label=_("客户已签收"),
    source={S.SHIPPED},
    target=S.RECEIVED,
    permission=_recorded,
    automatic=True,
)
ORDER_RECEIPT = TransitionTable.of("order_receipt", RECEIVE, model="orders.SalesOrder")
