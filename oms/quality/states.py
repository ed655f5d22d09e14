"""Quality lifecycles (DESIGN 4, G-3): the non-conformance notice, and holding and resuming the order."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oms.accounts.models import DepartmentKind, Role
from oms.contracts.selectors import briefing_before_production
from oms.engine.workflow import Transition, TransitionTable, raised_by
from oms.orders.models import OrderStatus as S
from oms.quality.models import NCStatus as N
from oms.quality.models import NonConformance


def in_quality(user: Any, obj: Any = None) -> bool:
    return getattr(user, "department_kind", "") == DepartmentKind.QUALITY or getattr(user, "role", "") in {
        Role.ADMIN,
        Role.EXECUTIVE,
    }


def responsible_or_quality(user: Any, nc: Any) -> bool:
    return nc.responsible_id == getattr(user, "pk", None) or in_quality(user)


def no_open_severe_nc(user: Any, order: Any) -> str | None:
    """G-3: production resumes only when quality has closed every severe non-conformance."""
    if NonConformance.objects.filter(order=order, severe=True).exclude(status=N.CLOSED).exists():
        return _("仍有未关闭的严重不合格品通知单，不能恢复生产。")
    return None


def briefing_unless_started(user: Any, order: Any) -> str | None:
    """F-3: resuming an order that never started production starts it, so the briefing rule of
    starting production applies (an order already in production before the hold resumes freely)."""
    if order.milestones.filter(reports__isnull=False).exists():
        return None
    return briefing_before_production(user, order)


def _acting(user: Any, obj: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


DECIDE = Transition(
    name="decide_action",
    label=gettext_lazy("确定处理措施"),
    source={N.OPENED},
    target=N.ACTION_DECIDED,
    permission=responsible_or_quality,
    requires_reason=True,
)
VERIFY = Transition(
    name="verify",
    label=gettext_lazy("验证"),
    source={N.ACTION_DECIDED},
    target=N.VERIFIED,
    permission=in_quality,
    requires_reason=True,
    raisers=raised_by,
)
CLOSE = Transition(
    name="close_nc", label=gettext_lazy("关闭"), source={N.VERIFIED}, target=N.CLOSED, permission=in_quality
)
NON_CONFORMANCE = TransitionTable.of("non_conformance", DECIDE, VERIFY, CLOSE)

HOLD = Transition(
    name="hold",
    label=gettext_lazy("暂停生产"),
    source={S.RELEASED, S.IN_PRODUCTION},
    target=S.ON_HOLD,
    permission=_acting,
    automatic=True,
    requires_reason=True,
)
RESUME = Transition(
    name="resume",
    label=gettext_lazy("恢复生产"),
    source={S.ON_HOLD},
    target=S.IN_PRODUCTION,
    permission=in_quality,
    # F-3: a hold cannot be a way into production that skips the technical briefing.
    guards=(no_open_severe_nc, briefing_unless_started),
)
ORDER_QUALITY = TransitionTable.of("order_quality", HOLD, RESUME, model="orders.SalesOrder")
