"""After a failed review: sales renegotiates (or cancels), and records why it failed (C-6)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from oms.accounts.models import User
from oms.audit import recorder
from oms.core.errors import ActionError, NotAllowed
from oms.core.phrases import phrase
from oms.engine import workflow
from oms.notifications.actions import notify
from oms.orders import states
from oms.orders.models import SalesOrder
from oms.orders.permissions import can_renegotiate
from oms.policy import selectors as policy_selectors
from oms.review.actions.people import order_url
from oms.review.models import ReviewRound, RoundStatus
from oms.tracking import actions as tracking
from oms.tracking.actions import confirmed


def open_renegotiation(order: SalesOrder, reason: str) -> None:
    """C-6: the reasons go to sales, who renegotiate and resubmit, or cancel."""
    tracking.open_item(
        target=order,
        kind="order.renegotiate",
        title=phrase("订单 %(n)s 未通过：%(r)s", n=order.number, r=reason),
        department=order.department,
        assignee=order.salesperson,
        calendar=policy_selectors.work_calendar(order.policy_version.number),
        hours=policy_selectors.time_limit_hours(
            order_class=order.order_class, version=order.policy_version.number
        ),
    )
    notify(
        event="review",
        recipients=[order.salesperson],
        title=phrase("订单 %(n)s 未通过：%(r)s", n=order.number, r=reason),
        url=order_url(order),
    )


@transaction.atomic
@recorder.batched
def record_failure_cause(*, actor: User, rnd: ReviewRound, customer_caused: bool, lesson: str) -> ReviewRound:
    """C-6: failures caused by the customer are recorded as lessons."""
    if not can_renegotiate(actor, rnd.order):
        raise NotAllowed(_("只有销售可以记录失败原因。"))
    if rnd.status != RoundStatus.FAILED:
        raise ActionError(_("只有未通过的评审才能记录失败原因。"))
    before = {"customer_caused": rnd.customer_caused, "lesson": rnd.lesson}
    rnd.customer_caused, rnd.lesson = customer_caused, lesson.strip()
    rnd.version += 1
    rnd.save(update_fields=["customer_caused", "lesson", "version"])
    recorder.record(
        actor=actor,
        obj=rnd.order,
        action="review.failure_cause",
        before=before,
        after={"customer_caused": customer_caused, "lesson": rnd.lesson, "round": rnd.number},
    )
    return rnd


@transaction.atomic
@recorder.batched
def cancel_after_review(*, actor: User, order: SalesOrder, reason: str) -> SalesOrder:
    """C-6: after a failed review the order may be cancelled instead of renegotiated; it ends, and
    every open step of it (the renegotiation, any review or approval step) is withdrawn (H-5)."""
    order = workflow.apply(states.CANCEL_AFTER_REVIEW, order, actor=actor, reason=reason)
    confirmed.cancelled(order)  # Q-1 the dashboard's sums (ADR 0019)
    tracking.end_order_items(order=order, actor=actor, reason=reason)
    return order
