"""Who may do what in supervision (O-2, O-4)."""

from __future__ import annotations

from typing import Any

from oms.accounts.permissions import is_admin, is_auditor, is_executive, is_head, is_staff_member
from oms.policy.selectors import policy_of_request


def in_group(user: Any) -> bool:
    """O-2: the supervision group: the departments the policy names."""
    return bool(
        is_staff_member(user)
        and getattr(user, "department_kind", "") in policy_of_request(user).supervision.departments
    )


def is_group_head(user: Any) -> bool:
    """O-4: the supervision group's head, the only one to see who filed a report."""
    return bool(in_group(user) and is_head(user))


def can_run_checks(user: Any) -> bool:
    """O-2: the supervision group runs the checks and records their findings. The audit staff
    are its members where the policy names their department: these records are the group's own
    work and change no order, so the auditor's read-only rule (S-1, ADR 0013) is about orders."""
    return bool(in_group(user) or is_admin(user))


def can_see_checks(user: Any) -> bool:
    """Checks and their findings are open to the group, executives and auditors."""
    return bool(can_run_checks(user) or is_executive(user) or is_auditor(user))


def can_report(user: Any) -> bool:
    """O-4: anyone on the staff may report a violation."""
    return bool(is_staff_member(user))


def can_read_reports(user: Any) -> bool:
    """O-4: the supervision group reads reports (administrators too, to support it); none of
    them sees the reporter but the group's head."""
    return bool(in_group(user) or is_admin(user))


def can_handle_report(user: Any, report: Any) -> bool:
    return bool(in_group(user))
