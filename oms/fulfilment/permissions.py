"""Who may do which execution step (F-1, D-4, G-1, G-2, G-4, G-5): one predicate per step, asked
by the action and, before any input is parsed, by the order page's verb (`oms.web.verbs.Gate`)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from oms.accounts.models import DepartmentKind, Role

_SHIPPERS = {DepartmentKind.LOGISTICS, DepartmentKind.WAREHOUSE}
_RECEIVERS = {DepartmentKind.QUALITY, DepartmentKind.PROCUREMENT, DepartmentKind.WAREHOUSE}


def _kind_or_role(user: Any, kinds: Collection[str], roles: Collection[str]) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and (
        getattr(user, "department_kind", "") in kinds or getattr(user, "role", "") in roles
    )


def can_record_prepayment(user: Any, order: Any = None) -> bool:
    """D-4: finance records prepayments (an executive or an administrator too)."""
    return _kind_or_role(user, {DepartmentKind.FINANCE}, {Role.EXECUTIVE, Role.ADMIN})


def can_report_progress(user: Any, order: Any = None) -> bool:
    """G-2: production reports its progress (an executive or an administrator too)."""
    return _kind_or_role(user, {DepartmentKind.PRODUCTION}, {Role.EXECUTIVE, Role.ADMIN})


def can_purchase(user: Any, order: Any = None) -> bool:
    """G-1: procurement raises purchase orders (an executive or an administrator too)."""
    return _kind_or_role(user, {DepartmentKind.PROCUREMENT}, {Role.EXECUTIVE, Role.ADMIN})


def can_receive_goods(user: Any, order: Any = None) -> bool:
    """G-1: quality, procurement or the warehouse record incoming goods (an administrator too)."""
    return _kind_or_role(user, _RECEIVERS, {Role.ADMIN})


def can_handle_stock(user: Any, order: Any = None) -> bool:
    """G-4: the warehouse reserves, picks, checks and packs (an administrator too)."""
    return _kind_or_role(user, {DepartmentKind.WAREHOUSE}, {Role.ADMIN})


def can_ship(user: Any, order: Any = None) -> bool:
    """G-5: logistics or the warehouse record shipments (an executive or an administrator too)."""
    return _kind_or_role(user, _SHIPPERS, {Role.EXECUTIVE, Role.ADMIN})
