"""Who may file and hand out an order's controlled documents (E-2, E-4, F-3, M-4). The same
predicate shows the forms, gates the page's verbs and guards the actions."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from oms.accounts.models import DepartmentKind, Role
from oms.accounts.permissions import is_admin
from oms.contracts.models import Distribution
from oms.orders.permissions import can_renegotiate

FILING_REFUSED = _("只有参与订单的业务部门可以上传或分发资料。")

# The departments whose work produces or uses an order's documents: the order's sales side (the
# contract copy, the customer's written notices) and the departments release hands the order to
# (drawings, process documents, procedures, inspection specifications).
FILING_DEPARTMENTS = frozenset(
    {
        DepartmentKind.SALES,
        DepartmentKind.CUSTOMER_SERVICE,
        DepartmentKind.ORDER_CONFIRMATION,
        DepartmentKind.TECHNICAL,
        DepartmentKind.QUALITY,
        DepartmentKind.PRODUCTION,
        DepartmentKind.PROCUREMENT,
    }
)


def can_file_document(user: Any, order: Any) -> bool:
    """E-2, M-4: a new version of a controlled document, or its distribution, comes from the
    departments working on the order; an auditor reads and never writes, a customer's portal
    login files nothing here. Whether the user may see `order` at all is the page's scope (S-1)."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "is_customer", False):
        return False
    if getattr(user, "role", "") == Role.AUDITOR:
        return False
    return is_admin(user) or getattr(user, "department_kind", "") in FILING_DEPARTMENTS


SHARING_REFUSED = _("只有订单的销售可以决定客户能看到哪些资料。")
ACKNOWLEDGING_REFUSED = _("只能签收发给自己的资料。")
BRIEFING_REFUSED = _("技术交底由技术部门记录。")


def can_share_document(user: Any, order: Any) -> bool:
    """H-1, B-8: which of the order's documents the customer sees is the order's sales' choice."""
    return bool(can_renegotiate(user, order))


def can_acknowledge(user: Any, order: Any) -> bool:
    """M-4: someone signs for a document only when one of the order's documents was distributed to
    them (which one is the form's; the action checks it is theirs and not signed already)."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "is_customer", False):
        return False
    return Distribution.objects.filter(document__order=order, recipient_id=user.pk).exists()


def can_record_briefing(user: Any, order: Any = None) -> bool:
    """F-3: the technical briefing is recorded by the technical department (000 四(三)3), an
    executive or the administrator; an auditor reads it."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "is_customer", False):
        return False
    if getattr(user, "role", "") == Role.AUDITOR:
        return False
    return getattr(user, "department_kind", "") == DepartmentKind.TECHNICAL or getattr(user, "role", "") in {
        Role.EXECUTIVE,
        Role.ADMIN,
    }
