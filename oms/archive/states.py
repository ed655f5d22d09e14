"""Lifecycles of an archive record's disposal and of an access request (DESIGN 4, M-2, M-3)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oms.archive import permissions
from oms.archive.models import AccessStatus as A
from oms.archive.models import ArchiveStatus as S
from oms.engine.workflow import Transition, TransitionTable, raised_by


def retention_ended(user: Any, record: Any) -> str | None:
    """M-2: only records whose retention period has ended may be disposed."""
    if record.retention_until >= timezone.localdate():
        return _("保存期限至 %(d)s，尚未届满") % {"d": record.retention_until.isoformat()}
    return None


def _keeper(user: Any, record: Any) -> bool:
    return permissions.is_keeper(user)


REQUEST_DISPOSAL = Transition(
    name="request_disposal",
    label=gettext_lazy("申请销毁"),
    source={S.FILED},
    target=S.DISPOSAL_REQUESTED,
    permission=_keeper,
    guards=(retention_ended,),
    requires_reason=True,
)
APPROVE_DISPOSAL = Transition(
    name="approve_disposal",
    label=gettext_lazy("批准销毁"),
    source={S.DISPOSAL_REQUESTED},
    target=S.DISPOSED,
    permission=permissions.can_decide_disposal,
    guards=(retention_ended,),
    raisers=raised_by,
)
REFUSE_DISPOSAL = Transition(
    name="refuse_disposal",
    label=gettext_lazy("不同意销毁"),
    source={S.DISPOSAL_REQUESTED},
    target=S.FILED,
    permission=permissions.can_decide_disposal,
    requires_reason=True,
    raisers=raised_by,
)
DISPOSAL = TransitionTable.of("archive_disposal", REQUEST_DISPOSAL, APPROVE_DISPOSAL, REFUSE_DISPOSAL)

APPROVE_ACCESS = Transition(
    name="approve_access",
    label=gettext_lazy("批准查阅"),
    source={A.PENDING},
    target=A.APPROVED,
    permission=permissions.can_decide_access,
    raisers=raised_by,
)
REFUSE_ACCESS = Transition(
    name="refuse_access",
    label=gettext_lazy("不批准"),
    source={A.PENDING},
    target=A.REFUSED,
    permission=permissions.can_decide_access,
    requires_reason=True,
    raisers=raised_by,
)
ACCESS = TransitionTable.of("archive_access", APPROVE_ACCESS, REFUSE_ACCESS)
