"""The preliminary check (B-6, B-7): an order submitted, passed on to review, sent back for
missing information, escalated to management and decided there; each step opens and closes
the work item that waits on the next person (H-5).

Passing the check (or management accepting the order) opens the cross-department review round
as a side effect of the transition, wired in `oms.wiring` (C-1): review is a later stage and
this one does not import it.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.accounts.models import DepartmentKind, User
from oms.accounts.selectors import department_of_kind, executive_in_charge, head_of
from oms.audit import recorder
from oms.core.phrases import phrase
from oms.engine import workflow
from oms.notifications.actions import notify
from oms.orders import checks, states, versions
from oms.orders.links import order_url
from oms.orders.models import SalesOrder
from oms.policy import selectors as policy_selectors
from oms.tracking import actions as tracking
from oms.tracking.actions import outcomes


def _hours(order: SalesOrder) -> Decimal:
    """B-7: every step of the check is due within the order class's time limit."""
    return policy_selectors.time_limit_hours(
        order_class=order.order_class, version=order.policy_version.number
    )


def _open_check(order: SalesOrder, done: tracking.Closing | None = None) -> None:
    """B-6, B-7, T-1: the preliminary check waits on the sales department's head, due by the
    class limit, who is told; `done`: the step the actor just finished, closed with it."""
    what = phrase("初审订单 %(n)s", n=order.number)
    tracking.hand_off(
        target=order,
        order=order,
        kind="order.check",
        title=what,
        message=phrase("请初审订单 %(n)s", n=order.number),
        department=order.department,
        assignee=tracking.decider_for(
            candidate=head_of(order.department), target=order, what=what, url=order_url(order)
        ),
        url=order_url(order),
        event="review",
        hours=_hours(order),
        closing=done,
    )


@transaction.atomic
@recorder.batched
def submit_order(*, actor: User, order: SalesOrder) -> SalesOrder:
    """B-6: submitting starts the preliminary check; its deadline follows the order class (B-7)."""
    now = timezone.now()
    order = workflow.apply(states.SUBMIT, order, actor=actor, changes={"submitted_at": now})
    versions.record_version(order=order, actor=actor, reason=_("提交初审"))
    outcomes.received(order)  # O-1 order timeliness, kept per month (issue 21)
    _open_check(order)
    return order


@transaction.atomic
@recorder.batched
def cancel_draft(*, actor: User, order: SalesOrder, reason: str) -> SalesOrder:
    """B-5: a draft is voided with a reason; it ends cancelled and waits on nobody (H-5)."""
    order = workflow.apply(states.CANCEL_DRAFT, order, actor=actor, reason=reason)
    tracking.end_order_items(order=order, actor=actor, reason=reason)
    return order


@transaction.atomic
@recorder.batched
def pass_check(*, actor: User, order: SalesOrder, reason: str = "") -> SalesOrder:
    """B-6: complete, creditworthy, feasible: on to cross-department review (C); the transition
    opens the review round (C-1, wired in `oms.wiring`)."""
    # The check step closed by the statement that saves the decision (issue 21).
    closing = tracking.closing_along(target=order, actor=actor, outcome=_("初审通过"), kinds=("order.check",))
    return workflow.apply(
        states.PASS_CHECK,
        order,
        actor=actor,
        reason=reason,
        changes={"decided_at": timezone.now()},
        along=closing,
    )


@transaction.atomic
@recorder.batched
def request_info(*, actor: User, order: SalesOrder, reason: str) -> SalesOrder:
    """B-6: missing information sends the order back to the salesperson, who must supplement it."""
    order = workflow.apply(states.REQUEST_INFO, order, actor=actor, reason=reason)
    # T-1: the salesperson is told what to supplement (the check step closed with it).
    tracking.hand_off(
        target=order,
        order=order,
        kind="order.supplement",
        title=phrase("补充订单 %(n)s 的资料：%(r)s", n=order.number, r=reason),
        department=order.department,
        assignee=order.salesperson,
        url=order_url(order),
        event="review",
        hours=_hours(order),
        closing=tracking.Closing(target=order, actor=actor, outcome=_("退回补充"), kinds=("order.check",)),
    )
    return order


@transaction.atomic
@recorder.batched
def complete_info(*, actor: User, order: SalesOrder, reason: str = "") -> SalesOrder:
    """B-6: the supplemented order returns to the preliminary check with a fresh deadline."""
    order = workflow.apply(states.COMPLETE_INFO, order, actor=actor, reason=reason)
    _open_check(
        order, tracking.Closing(target=order, actor=actor, outcome=_("已补充"), kinds=("order.supplement",))
    )
    return order


@transaction.atomic
@recorder.batched
def escalate(*, actor: User, order: SalesOrder, reason: str) -> SalesOrder:
    """B-6: poor credit or a tight delivery date goes to management, who decide whether to accept."""
    order = workflow.apply(
        states.ESCALATE, order, actor=actor, reason=reason, changes={"escalated_by": actor}
    )
    management = department_of_kind(DepartmentKind.MANAGEMENT) or order.department
    executive = tracking.decider_for(
        candidate=executive_in_charge() or head_of(management),
        target=order,
        raisers={*order.raiser_ids(), actor.pk},
        what=phrase("决定是否接单 %(n)s", n=order.number),
        url=order_url(order),
    )
    # T-1: management is told what to decide (the check step closed with it).
    tracking.hand_off(
        target=order,
        order=order,
        kind="order.decision",
        title=phrase("决定是否接单 %(n)s：%(r)s", n=order.number, r=reason),
        department=management,
        assignee=executive,
        url=order_url(order),
        event="review",
        hours=_hours(order),
        closing=tracking.Closing(target=order, actor=actor, outcome=_("上报管理层"), kinds=("order.check",)),
    )
    return order


@transaction.atomic
@recorder.batched
def decide(*, actor: User, order: SalesOrder, accept: bool, reason: str) -> SalesOrder:
    """B-6: management accepts (on to review) or declines the escalated order, with a reason.
    Accepting is management taking the risk the preliminary check refused to pass (poor credit, a
    tight delivery date): the audit trail names the reasons the acceptance overrode. Accepting
    opens the review round (C-1, wired in `oms.wiring`)."""
    order = workflow.apply(
        states.ACCEPT if accept else states.DECLINE,
        order,
        actor=actor,
        reason=reason,
        changes={"decided_at": timezone.now()},
    )
    overridden = checks.blocking_reasons(order) if accept else []
    if overridden:
        recorder.record(
            actor=actor,
            obj=order,
            action="order.risk_accepted",
            after={"overridden": overridden},
            reason=reason,
        )
    tracking.close_items(
        target=order, actor=actor, outcome=_("接单") if accept else _("不接单"), kinds=("order.decision",)
    )
    if not accept:
        # H-5: a declined order ends; nothing of it waits on anyone any more.
        tracking.end_order_items(order=order, actor=actor, reason=_("不接单：%(r)s") % {"r": reason})
        # T-1: the salesperson answers the customer, so they are told the decision and its reason.
        notify(
            event="review",
            recipients=[order.salesperson],
            title=phrase("管理层决定不接单 %(n)s：%(r)s", n=order.number, r=reason),
            url=order_url(order),
        )
    return order
