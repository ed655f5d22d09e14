"""The exception's lifecycle as data (DESIGN 4, H-4)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from oms.engine.workflow import Transition, TransitionTable, raised_by
from oms.tracking.models import ExceptionStatus as E
from oms.tracking.permissions import can_resolve

# H-4, P-5: resolving is a decision on the exception; whoever raised it never takes it, so the
# page, the sweep's reassignment and any later path are refused by the one engine.
RESOLVE = Transition(
    name="resolve_exception",
    label=_("处理完毕"),
    source={E.OPEN},
    target=E.RESOLVED,
    permission=can_resolve,
    requires_reason=True,
    raisers=raised_by,
    related=("responsible",),
)
EXCEPTION = TransitionTable.of("order_exception", RESOLVE, model="tracking.OrderException")
