"""The statement's review by finance (DESIGN 4, L-2)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from oms.accounts.models import DepartmentKind, Role
from oms.billing.models import StatementStatus as B
from oms.core.workflow import Transition, TransitionTable


def in_finance(user: Any, obj: Any = None) -> bool:
    """L-2: finance reviews statements and records invoices."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.department_kind == DepartmentKind.FINANCE or user.role == Role.ADMIN


APPROVE = Transition(
    name="approve_statement",
    label=_("审核通过"),
    source={B.SUBMITTED},
    target=B.APPROVED,
    permission=in_finance,
)
RETURN = Transition(
    name="return_statement",
    label=_("退回"),
    source={B.SUBMITTED},
    target=B.RETURNED,
    permission=in_finance,
    requires_reason=True,
)
STATEMENT = TransitionTable.of("statement", APPROVE, RETURN)
