"""Who may see the KPIs, dashboards, assessment and plans (O-1, O-3, Q-1, Q-2, S-1)."""

from __future__ import annotations

from typing import Any

from oms.accounts.permissions import (
    is_admin,
    is_auditor,
    is_executive,
    is_head,
    is_staff_member,
)
from oms.policy.visibility import visible_field_groups

_ANALYSTS = {"supervision", "management", "order_confirmation"}


def can_view_kpis(user: Any) -> bool:
    """O-1, O-3: heads, executives, auditors, the supervision group and management assess."""
    return bool(
        is_head(user)
        or is_executive(user)
        or is_admin(user)
        or is_auditor(user)
        or (is_staff_member(user) and getattr(user, "department_kind", "") in _ANALYSTS)
    )


def can_view_dashboard(user: Any) -> bool:
    """Q-1: the analysis is for those who assess and for sales, who plan."""
    return bool(can_view_kpis(user) or getattr(user, "department_kind", "") in {"sales", "marketing"})


def sees_amounts(user: Any) -> bool:
    """S-1: amounts only to roles that may see prices."""
    return "price" in visible_field_groups(user)


def can_plan(user: Any) -> bool:
    """Q-2: sales (and the production planners who turn plans into capacity) enter plans."""
    return bool(
        is_admin(user)
        or is_executive(user)
        or (
            is_staff_member(user)
            and getattr(user, "department_kind", "") in {"sales", "marketing", "production"}
        )
    )
