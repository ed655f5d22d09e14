"""Lifecycles of a spot check (O-2) and a violation report (O-4); a finding's corrective action
follows the improvement action's (feedback.states.IMPROVEMENT)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from oms.engine.workflow import Transition, TransitionTable, raised_by
from oms.supervision import permissions
from oms.supervision.models import ReportStatus as R
from oms.supervision.models import SpotCheckStatus as C

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
    raisers=raised_by,
)
REPORT = TransitionTable.of("violation_report", CLOSE_REPORT)
