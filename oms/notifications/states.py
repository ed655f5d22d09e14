"""A delivery's lifecycle as data (DESIGN 4, T-1): queued until the channel accepts it, or until
the attempts the settings allow are used up. Only the sender takes these transitions."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from oms.engine.workflow import Transition, TransitionTable
from oms.notifications.models import OutboundStatus as S

SENDER = "message sender"  # the actor of every delivery transition, as the audit log names it


def by_sender(user: Any, delivery: Any) -> bool:
    """Deliveries are sent by the system's sender, never by a person."""
    return user == SENDER


SEND = Transition(
    name="send",
    label=_("已发送"),
    source={S.QUEUED},
    target=S.SENT,
    permission=by_sender,
    automatic=True,
)
GIVE_UP = Transition(
    name="give_up",
    label=_("发送失败"),
    source={S.QUEUED},
    target=S.FAILED,
    permission=by_sender,
    automatic=True,
)
DELIVERY = TransitionTable.of("delivery", SEND, GIVE_UP)
