"""The exception's lifecycle as data (DESIGN 4, H-4)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from oms.accounts.models import Role
from oms.engine.workflow import Transition, TransitionTable
from oms.tracking.models import ExceptionStatus as E


def can_resolve(user: Any, exception: Any) -> bool:
    """The responsible person, or a head or executive above them."""
    if not getattr(user, "is_authenticated", False):
        return False
    return exception.responsible_id == user.pk or user.role in {Role.HEAD, Role.EXECUTIVE, Role.ADMIN}


RESOLVE = Transition(
    name="resolve_exception",
    label=_("处理完毕"),
    source={E.OPEN},
    target=E.RESOLVED,
    permission=can_resolve,
    requires_reason=True,
)
EXCEPTION = TransitionTable.of("order_exception", RESOLVE)
