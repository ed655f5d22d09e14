"""Who may do what with complaints, surveys and improvement actions (N-1..N-3, S-1)."""

from __future__ import annotations

from typing import Any

from oms.accounts.permissions import is_admin, is_auditor, is_executive, is_head, is_staff_member
from oms.policy.selectors import policy_of_request


def handles_complaints(user: Any) -> bool:
    """N-2: the departments the policy names register and handle complaints."""
    if not is_staff_member(user):
        return False
    return (
        bool(is_admin(user)) or user.department_kind in policy_of_request(user).feedback.complaint_departments
    )


def sees_all_complaints(user: Any) -> bool:
    """Complaint handlers' heads, quality (it answers for the product), management, supervision
    and the auditors see every complaint; others those on orders in their scope."""
    return bool(
        is_admin(user)
        or is_auditor(user)
        or is_executive(user)
        or getattr(user, "department_kind", "")
        in {"quality", "supervision", "management", "customer_service"}
        or (is_head(user) and handles_complaints(user))
    )


def can_work_step(user: Any, complaint: Any) -> bool:
    """N-2: the handler walks the steps; a head of a handling department may step in."""
    return bool(
        complaint.handler_id == getattr(user, "pk", None) or (is_head(user) and handles_complaints(user))
    )


def is_approver(user: Any, complaint: Any) -> bool:
    """N-2 step 8: the head the report went to approves it."""
    return bool(complaint.approver_id is not None and complaint.approver_id == getattr(user, "pk", None))


def can_manage_surveys(user: Any) -> bool:
    """N-1: customer service and sales run surveys (the policy's complaint departments), with
    their heads, executives and administrators."""
    return bool(handles_complaints(user) or is_executive(user))


def can_see_surveys(user: Any) -> bool:
    return bool(can_manage_surveys(user) or is_head(user) or is_auditor(user))


def can_raise_action(user: Any) -> bool:
    """N-1, O-2: those who run surveys and complaints, heads, and the supervision group (its
    findings' corrective actions) assign improvement actions."""
    return bool(
        can_manage_surveys(user)
        or is_head(user)
        or (
            is_staff_member(user)
            and not is_auditor(user)  # S-1: an auditor in the supervision group reads only
            and user.department_kind in policy_of_request(user).supervision.departments
        )
    )


def can_edit_questions(user: Any) -> bool:
    """N-1: the administrator edits the survey's questions."""
    return bool(is_admin(user))


def can_finish_action(user: Any, action: Any) -> bool:
    return bool(action.owner_id == getattr(user, "pk", None))


def can_verify_action(user: Any, action: Any) -> bool:
    """N-1: whoever raised it, or a head or executive; never the owner (P-5, the engine keeps
    that rule for every decision: ImprovementAction.raiser_ids)."""
    return bool(action.created_by_id == getattr(user, "pk", None) or is_head(user) or is_executive(user))
