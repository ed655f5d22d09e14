"""Lifecycles of a finding (O-2), a spot check and a violation report (O-4)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from oms.core.workflow import Transition, TransitionTable
from oms.supervision import permissions
from oms.supervision.models import FindingStatus as F
from oms.supervision.models import ReportStatus as R
from oms.supervision.models import SpotCheckStatus as C

CORRECT = Transition(
    name="correct",
    label=gettext_lazy("登记整改"),
    source={F.OPEN},
    target=F.CORRECTED,
    permission=permissions.can_correct,
)
VERIFY = Transition(
    name="verify",
    label=gettext_lazy("验证关闭"),
    source={F.CORRECTED},
    target=F.VERIFIED,
    permission=permissions.can_verify,
)
REOPEN = Transition(
    name="reopen",
    label=gettext_lazy("整改不到位"),
    source={F.CORRECTED},
    target=F.OPEN,
    permission=permissions.can_verify,
    requires_reason=True,
)
FINDING = TransitionTable.of("finding", CORRECT, VERIFY, REOPEN)

CLOSE_CHECK = Transition(
    name="close",
    label=gettext_lazy("完成抽查"),
    source={C.OPEN},
    target=C.CLOSED,
    permission=lambda user, check: permissions.can_run_checks(user),
)
SPOT_CHECK = TransitionTable.of("spot_check", CLOSE_CHECK)

CLOSE_REPORT = Transition(
    name="close",
    label=gettext_lazy("办结"),
    source={R.RECEIVED},
    target=R.CLOSED,
    permission=permissions.can_handle_report,
)
REPORT = TransitionTable.of("violation_report", CLOSE_REPORT)
