"""Who may do what with the archive (M-2, M-3, S-1)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from oms.accounts.permissions import is_admin, is_auditor, is_executive, is_head, is_staff_member
from oms.archive.models import AccessRequest, AccessStatus, ArchiveRecord, ArchiveStatus
from oms.policy.selectors import policy_of_request


def is_keeper(user: Any) -> bool:
    """M-2: the archive's keepers are the departments the policy names (and administrators)."""
    if not is_staff_member(user):
        return False
    return bool(is_admin(user)) or user.department_kind in policy_of_request(user).archive.keeper_departments


def can_browse(user: Any) -> bool:
    """Everyone on the staff may find an archived order in the index (number, customer, dates),
    so as to ask for it; its contents need a grant (M-3)."""
    return bool(is_staff_member(user))


def active_grant(user: Any, record: ArchiveRecord) -> AccessRequest | None:
    """M-3: the user's approved request for this record that has not expired yet."""
    if not is_staff_member(user):
        return None
    return (
        AccessRequest.objects.filter(
            record=record, requester=user, status=AccessStatus.APPROVED, granted_until__gt=timezone.now()
        )
        .order_by("-granted_until")
        .first()
    )


@dataclass(frozen=True)
class Reading:
    """Whether the user may read the record, and on which request (None for a keeper)."""

    allowed: bool
    grant: AccessRequest | None = None


def reading(user: Any, record: ArchiveRecord) -> Reading:
    """M-3: keepers read the archive; anyone else only on an approved, unexpired request.
    Nothing is readable once disposed."""
    if record.status == ArchiveStatus.DISPOSED:
        return Reading(False)
    if is_keeper(user):
        return Reading(True)
    grant = active_grant(user, record)
    return Reading(grant is not None, grant)


def can_read(user: Any, record: ArchiveRecord) -> bool:
    return reading(user, record).allowed


def can_request_access(user: Any, record: ArchiveRecord) -> bool:
    return bool(is_staff_member(user)) and record.status != ArchiveStatus.DISPOSED and not is_keeper(user)


def can_see_access_log(user: Any) -> bool:
    """M-3: auditors, the supervision department and the keepers browse the access log."""
    return (
        bool(is_auditor(user))
        or is_keeper(user)
        or (is_staff_member(user) and user.department_kind == "supervision")
    )


def can_see_retention(user: Any) -> bool:
    """M-2: the retention report and the disposal register: keepers, those who may approve a
    disposal, and those who browse the access log."""
    return is_keeper(user) or can_see_access_log(user) or can_decide_disposal(user)


def can_decide_access(user: Any, request: AccessRequest) -> bool:
    """M-3: the approver named when the request was filed (the requester's department head)."""
    return bool(is_staff_member(user)) and request.approver_id == user.pk


def can_decide_disposal(user: Any, record: ArchiveRecord | None = None) -> bool:
    """M-2: the executive in charge or a head of a keeping department approves a disposal."""
    if not is_staff_member(user):
        return False
    return bool(is_executive(user)) or (bool(is_head(user)) and is_keeper(user)) or bool(is_admin(user))
