"""Who may write what in an order's tracking ledger and exceptions (H-2, H-3, H-4, S-1). The same
predicate offers the form, gates the page's verb before its input is read and guards the action."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from oms.accounts.models import DepartmentKind, Role
from oms.tracking.models import REPORT_ENTRIES

READ_ONLY_REFUSED = _("审计员只能查看，不能记录跟踪台账或提出、处理异常。")


def can_write_tracking(user: Any) -> bool:
    """H-2, H-4, S-1: a person of the company who may see the order writes its ledger and raises
    its exceptions; an auditor (who sees every order) only reads, a customer's portal login
    writes nothing here. Whether the user sees the order is the page's scope."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "is_customer", False):
        return False
    return getattr(user, "role", "") != Role.AUDITOR


def can_record_entry(user: Any, kind: str) -> bool:
    """H-3: a department's periodic report is written by that department (or, as for production's
    report, an executive or the administrator); any other ledger entry by anyone who may write
    the order's ledger (`can_write_tracking`)."""
    if not can_write_tracking(user):
        return False
    owner = REPORT_ENTRIES.get(kind, (None, ""))[0]
    if owner is None:
        return True
    return getattr(user, "department_kind", "") == owner or getattr(user, "role", "") in {
        Role.EXECUTIVE,
        Role.ADMIN,
    }


def can_resolve(user: Any, exception: Any) -> bool:
    """H-4: the responsible person, a head over the responsible person's department (or the general
    manager, who heads management), an executive or the administrator. P-5 is the engine's: the
    exception's raiser never resolves it (`OrderException.raiser_ids`)."""
    from oms.accounts.permissions import department_tree_ids

    if not can_write_tracking(user):
        return False
    role = getattr(user, "role", "")
    if exception.responsible_id == user.pk or role in {Role.EXECUTIVE, Role.ADMIN}:
        return True
    if role != Role.HEAD:
        return False
    if getattr(user, "department_kind", "") == DepartmentKind.MANAGEMENT:
        return True
    responsible_department = exception.responsible.department_id
    return responsible_department in department_tree_ids(user.department_id)
