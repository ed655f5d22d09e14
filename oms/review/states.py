"""The lifecycles of review tasks, rounds and approval steps, as data (DESIGN 4).

Most of these transitions are taken by the system as a consequence of a decision already
authorised (an opinion closes a task and may close the round), so their permission is that
someone is acting; the decisions themselves check who may take them.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from oms.engine.workflow import Transition, TransitionTable, raised_by
from oms.review.models import RoundStatus as R
from oms.review.models import StepStatus as P
from oms.review.models import TaskStatus as T


def _acting(user: Any, obj: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


OPEN_TASK = Transition(
    # The assignee: opening the task puts it in their work and tells them (issue 21).
    related=("round__order", "department", "assignee"),
    name="open_task",
    label=_("开始评审"),
    source={T.WAITING},
    target=T.OPEN,
    permission=_acting,
    automatic=True,
)
DECIDE_TASK = Transition(
    related=("round__order", "department"),
    name="decide_task",
    label=_("给出评审意见"),
    source={T.OPEN},
    target=T.DONE,
    permission=_acting,
    automatic=True,
    raisers=raised_by,
)
SKIP_TASK = Transition(
    related=("round__order", "department"),
    name="skip_task",
    label=_("不再评审"),
    source={T.WAITING, T.OPEN},
    target=T.SKIPPED,
    permission=_acting,
    automatic=True,
)
TASK = TransitionTable.of("review_task", OPEN_TASK, DECIDE_TASK, SKIP_TASK)

PASS_ROUND = Transition(
    related=("order",),
    name="pass_round",
    label=_("本轮通过"),
    source={R.OPEN},
    target=R.PASSED,
    permission=_acting,
    automatic=True,
)
FAIL_ROUND = Transition(
    related=("order",),
    name="fail_round",
    label=_("本轮未通过"),
    source={R.OPEN},
    target=R.FAILED,
    permission=_acting,
    automatic=True,
)
ROUND = TransitionTable.of("review_round", PASS_ROUND, FAIL_ROUND)

OPEN_STEP = Transition(
    # The approver and their department: opening the step puts it in their work (issue 21).
    related=("order", "approver__department"),
    name="open_step",
    label=_("开始审批"),
    source={P.WAITING},
    target=P.OPEN,
    permission=_acting,
    automatic=True,
)
APPROVE_STEP = Transition(
    related=("order",),
    name="approve_step",
    label=_("同意"),
    source={P.OPEN},
    target=P.APPROVED,
    permission=_acting,
    automatic=True,
    raisers=raised_by,
)
REJECT_STEP = Transition(
    related=("order",),
    name="reject_step",
    label=_("驳回"),
    source={P.OPEN},
    target=P.REJECTED,
    permission=_acting,
    requires_reason=True,
    automatic=True,
    raisers=raised_by,
)
SKIP_STEP = Transition(
    related=("order",),
    name="skip_step",
    label=_("不再审批"),
    source={P.WAITING},
    target=P.SKIPPED,
    permission=_acting,
    automatic=True,
)
STEP = TransitionTable.of("approval_step", OPEN_STEP, APPROVE_STEP, REJECT_STEP, SKIP_STEP)
