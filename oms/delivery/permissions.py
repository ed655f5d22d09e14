"""Who may record the customer's acceptance of a shipment (K-3); read by the action it guards and
by the order page that offers the form."""

from __future__ import annotations

from typing import Any

from oms.accounts.models import DepartmentKind, Role
from oms.orders.models import SalesOrder
from oms.orders.permissions import can_renegotiate


def can_record(user: Any, order: SalesOrder) -> bool:
    """K-3: the order's sales, customer service or logistics record what the customer found."""
    if not getattr(user, "is_authenticated", False):
        return False
    return (
        can_renegotiate(user, order)
        or user.department_kind in {DepartmentKind.CUSTOMER_SERVICE, DepartmentKind.LOGISTICS}
        or user.role == Role.ADMIN
    )
