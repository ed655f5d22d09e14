"""Who may do what with an order (DESIGN 8). The same predicate shows the button and guards the engine."""

from __future__ import annotations

from typing import Any

from oms.accounts.models import DepartmentKind, Role
from oms.accounts.permissions import department_tree_ids, is_admin


def _kind(user: Any) -> str:
    return getattr(user, "department_kind", "") if getattr(user, "is_authenticated", False) else ""


def can_enter_orders(user: Any) -> bool:
    """B-3: sales, customer service and order confirmation enter orders."""
    return _kind(user) in {
        DepartmentKind.SALES,
        DepartmentKind.CUSTOMER_SERVICE,
        DepartmentKind.ORDER_CONFIRMATION,
    } or is_admin(user)


def is_customer_of(user: Any, order: Any) -> bool:
    """B-8, H-1: a customer's portal login acts on its own company's orders only."""
    if not getattr(user, "is_customer", False):
        return False
    account = getattr(user, "portal_account", None)
    return account is not None and account.active and account.customer_id == order.customer_id


def can_edit_draft(user: Any, order: Any) -> bool:
    if getattr(user, "is_customer", False):
        return False  # a customer's order is theirs to place, then sales' to check and edit
    return order.salesperson_id == user.pk or order.created_by_id == user.pk or can_check(user, order)


def can_submit(user: Any, order: Any) -> bool:
    """B-6, B-8: whoever entered the draft submits it; a customer submits what they placed."""
    if is_customer_of(user, order):
        return bool(order.created_by_id == user.pk)
    return can_edit_draft(user, order)


def can_check(user: Any, order: Any) -> bool:
    """B-6: the preliminary check is sales': the head of the order's sales department (or above),
    the order-confirmation department where the company has one, or an administrator."""
    if not getattr(user, "is_authenticated", False):
        return False
    if is_admin(user) or _kind(user) == DepartmentKind.ORDER_CONFIRMATION:
        return True
    if user.role == Role.HEAD and order.department_id in department_tree_ids(user.department_id):
        return True
    return user.role == Role.EXECUTIVE


def can_complete_info(user: Any, order: Any) -> bool:
    return can_edit_draft(user, order)


def can_decide(user: Any, order: Any) -> bool:
    """B-6: management decides on an escalated order: an executive in charge or the general manager."""
    if not getattr(user, "is_authenticated", False):
        return False
    return (
        user.role == Role.EXECUTIVE
        or (user.role == Role.HEAD and _kind(user) == DepartmentKind.MANAGEMENT)
        or is_admin(user)
    )


def can_handle_inquiry(user: Any, inquiry: Any) -> bool:
    return (
        inquiry.assigned_to_id == user.pk
        or inquiry.received_by_id == user.pk
        or user.role in {Role.HEAD, Role.EXECUTIVE}
        or is_admin(user)
    )


def can_record_inquiry(user: Any) -> bool:
    """B-2: customer service and marketing capture inquiries (sales may too)."""
    return _kind(user) in {
        DepartmentKind.CUSTOMER_SERVICE,
        DepartmentKind.MARKETING,
        DepartmentKind.SALES,
    } or is_admin(user)


def follows_from_verdict(user: Any, order: Any) -> bool:
    """Transitions that close a review round or an approval chain: the verdict that triggers them
    was already authorised by the task's own permission, so the order-level check is only that
    someone is acting."""
    return bool(getattr(user, "is_authenticated", False))


def can_renegotiate(user: Any, order: Any) -> bool:
    """C-6: after a failed review, sales (the salesperson or their head) renegotiates or cancels."""
    return can_edit_draft(user, order) or (
        getattr(user, "is_authenticated", False)
        and user.role == Role.HEAD
        and order.department_id == user.department_id
    )


class CustomerActor:
    """The customer confirming through a one-time link (D-2): not a user, named by what they typed."""

    is_authenticated = False
    is_customer = True

    def __init__(self, name: str) -> None:
        self.name = name

    def __str__(self) -> str:
        return f"客户：{self.name}"


def can_record_confirmation(user: Any, order: Any) -> bool:
    """D-2: sales records the customer's confirmation; the customer may confirm by link or in
    the portal (their own company's orders only)."""
    if isinstance(user, CustomerActor):
        return True  # the link's token names the order
    if getattr(user, "is_customer", False):
        return is_customer_of(user, order)
    return can_renegotiate(user, order)
