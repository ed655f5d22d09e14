"""Who may write what in an order's tracking ledger (H-2, H-3)."""

from __future__ import annotations

from typing import Any

from oms.accounts.models import Role
from oms.tracking.models import REPORT_ENTRIES


def can_record_entry(user: Any, kind: str) -> bool:
    """H-3: a department's periodic report is written by that department (or, as for production's
    report, an executive or the administrator); any other ledger entry by anyone who sees the order."""
    owner = REPORT_ENTRIES.get(kind, (None, ""))[0]
    if owner is None:
        return True
    return getattr(user, "department_kind", "") == owner or getattr(user, "role", "") in {
        Role.EXECUTIVE,
        Role.ADMIN,
    }
