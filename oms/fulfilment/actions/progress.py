"""Production progress on the milestones (G-2)."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from oms.accounts.models import DepartmentKind, User
from oms.accounts.selectors import department_of_kind
from oms.audit import recorder
from oms.core.errors import ActionError, FieldErrors, NotAllowed
from oms.core.phrases import phrase
from oms.engine import workflow
from oms.fulfilment import states
from oms.fulfilment.models import (
    Milestone,
    ProgressReport,
)
from oms.fulfilment.permissions import can_report_progress
from oms.orders.models import OrderStatus, SalesOrder
from oms.policy import selectors as policy_selectors
from oms.quality.release import final_inspection_needs
from oms.tracking import actions as tracking
from oms.tracking.models import WorkItem


@transaction.atomic
@recorder.batched
def report_progress(
    *,
    actor: User,
    order: SalesOrder,
    milestone: Milestone,
    progress: int,
    quantity_done: Decimal,
    material_issued: str = "",
    notes: str = "",
) -> ProgressReport:
    """G-2: production reports a milestone's progress; the order is in production from the first report."""
    if not can_report_progress(actor):
        raise NotAllowed(_("只有生产部门可以汇报生产进度。"))
    if milestone.order_id != order.pk:
        raise FieldErrors({"milestone": _("该里程碑不属于这个订单。")})
    if order.status == OrderStatus.ON_HOLD:
        raise ActionError(_("订单因质量问题暂停生产，不能汇报进度。"))
    if order.status not in {OrderStatus.RELEASED, OrderStatus.IN_PRODUCTION}:
        raise ActionError(_("订单下达后才能汇报生产进度。"))
    errors = {}
    if not 0 <= progress <= 100:
        errors["progress"] = _("完成百分比应在 0 到 100 之间。")
    if quantity_done is None or quantity_done < 0:
        errors["quantity_done"] = _("完成数量不能为负数。")
    if errors:
        raise FieldErrors(errors)
    if order.status == OrderStatus.RELEASED:
        # F-3: the first report starts production; its guards (the briefing) decide before any write.
        order = workflow.apply(states.START_PRODUCTION, order, actor=actor)
    locked = Milestone.objects.select_for_update().get(pk=milestone.pk)
    before = {"progress": locked.progress, "quantity_done": locked.quantity_done}
    completes = progress == 100 and locked.progress < 100
    locked.progress, locked.quantity_done = progress, quantity_done
    locked.save(update_fields=["progress", "quantity_done", "updated_at"])
    report = ProgressReport.objects.create(
        milestone=locked,
        progress=progress,
        quantity_done=quantity_done,
        material_issued=material_issued.strip(),
        notes=notes.strip(),
        reported_by=actor,
    )
    recorder.record(
        actor=actor,
        obj=order,
        action="production.progress",
        before=before,
        after={
            "milestone": locked.name,
            "progress": progress,
            "quantity_done": quantity_done,
            "notes": report.notes,
        },
    )
    tracking.close_items(target=order, actor=actor, outcome=_("已汇报"), kinds=("report.production",))
    if completes:
        # G-2, T-1: a milestone completes once: a second report at 100 % completes nothing, so it
        # neither closes the next milestone's step nor opens or announces any step again.
        hand_on_production(order, actor=actor)
    return report


def hand_on_production(order: SalesOrder, *, actor: User) -> None:
    """G-2, G-3, T-1 (issue 23): production sees its next unfinished milestone, due at the end of
    its planned date; once every milestone is done, quality sees the final inspection (unless
    no line needs one: the warehouse has had those goods since the release, K-2).

    Each step opens and is announced once: a milestone completed out of order, or reported back
    below 100 % and completed again, finds the step of the next unfinished milestone already
    waiting (the same step: same kind and title) and keeps it; only a step for another milestone
    is closed (`actor`, the reporter) and the next one opened."""
    nxt = Milestone.objects.filter(order=order, progress__lt=100).order_by("seq").first()
    ready = production_hand_off(order, nxt)
    waiting = tracking.waiting_step(target=order, kind="production.milestone")
    if waiting is not None:
        if ready is not None and _same_step(waiting, ready.item):
            return
        tracking.close_items(
            target=order, actor=actor, outcome=_("里程碑已完成"), kinds=("production.milestone",)
        )
    if ready is None:
        return
    if nxt is None and tracking.waiting_step(target=order, kind="quality.final") is not None:
        # T-1: the final inspection is asked for once (a milestone reported back below 100 % and
        # completed again finds it still waiting); the `once` check of `tracking.hand_off`.
        return
    tracking.deliver([ready])


def _same_step(waiting: WorkItem, ready: WorkItem) -> bool:
    """T-1: the waiting step is the one about to be opened (its kind and its title, which names
    the milestone, the order and the planned date)."""
    return (waiting.kind, waiting.title_phrase, waiting.title) == (
        ready.kind,
        ready.title_phrase,
        ready.title,
    )


def production_hand_off(order: SalesOrder, nxt: Milestone | None) -> tracking.HandOff | None:
    """`hand_on_production` made ready, given the order's next unfinished milestone (release,
    which has just written the milestones, passes the first: issue 21)."""
    url = reverse("workbench:order_detail", args=[order.pk])
    if nxt is not None:
        dept = department_of_kind(DepartmentKind.PRODUCTION)
        if dept is None:
            return None
        calendar = policy_selectors.work_calendar(of=order)
        return tracking.prepare_hand_off(
            target=order,
            order=order,
            kind="production.milestone",
            title=phrase(
                "生产里程碑“%(m)s”：订单 %(n)s，计划 %(d)s 完成",
                m=nxt.name,
                n=order.number,
                d=f"{nxt.planned_date:%Y-%m-%d}",
            ),
            department=dept,
            assignee=None,
            url=url,
            event="fulfilment",
            due=calendar.end_of_day(nxt.planned_date),
        )
    dept = department_of_kind(DepartmentKind.QUALITY)
    if dept is None or not final_inspection_needs(order)[0]:
        # G-3: a step nobody must take would wait in quality's work for ever.
        return None
    return tracking.prepare_hand_off(
        target=order,
        order=order,
        kind="quality.final",
        title=phrase("订单 %(n)s 生产已完成，请做成品检验", n=order.number),
        department=dept,
        assignee=None,
        url=url,
        event="quality",
    )
