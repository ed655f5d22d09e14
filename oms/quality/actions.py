"""Every write of quality (G-3): plans, inspections, non-conformance, holding and resuming the order."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.accounts.models import DepartmentKind, User
from oms.accounts.selectors import department_of_kind, head_of
from oms.audit import recorder
from oms.core.errors import ActionError, FieldErrors, NotAllowed
from oms.core.phrases import phrase
from oms.engine import workflow
from oms.notifications.actions import notify
from oms.orders.models import OrderStatus, SalesOrder
from oms.policy.selectors import work_calendar
from oms.quality import states
from oms.quality.models import Inspection, InspectionPlan, NonConformance, Stage
from oms.quality.release import final_inspection_done
from oms.tracking import actions as tracking
from oms.tracking.actions import outcomes

_WORKING = {OrderStatus.RELEASED, OrderStatus.IN_PRODUCTION, OrderStatus.ON_HOLD}


def _require_quality(actor: User) -> None:
    if not states.in_quality(actor):
        raise NotAllowed(_("只有质量部门可以做这件事。"))


@transaction.atomic
def set_plan(*, actor: User, order: SalesOrder, items: Sequence[Mapping[str, str]]) -> InspectionPlan:
    """G-3: the inspection plan: items, methods, frequency."""
    _require_quality(actor)
    clean = [
        {
            "item": str(i.get("item", "")).strip(),
            "method": str(i.get("method", "")).strip(),
            "frequency": str(i.get("frequency", "")).strip(),
        }
        for i in items
        if str(i.get("item", "")).strip()
    ]
    if not clean:
        raise FieldErrors({"items": _("至少需要一个检验项目。")})
    names = [i["item"] for i in clean]
    if len(names) != len(set(names)):
        raise FieldErrors({"items": _("检验项目不能重复。")})
    plan, created = InspectionPlan.objects.get_or_create(
        order=order, defaults={"items": clean, "updated_by": actor}
    )
    if not created:
        before = plan.items
        plan.items, plan.updated_by = clean, actor
        plan.version += 1
        plan.save()
    recorder.record(
        actor=actor,
        obj=order,
        action="quality.plan",
        before={} if created else {"items": before},
        after={"items": clean},
    )
    return plan


@transaction.atomic
def record_inspection(
    *,
    actor: User,
    order: SalesOrder,
    stage: str,
    product_id: int,
    results: Mapping[str, str],
    passed: bool,
    notes: str = "",
    severe: bool = False,
    responsible: User | None = None,
    line_ids: Collection[int] | None = None,
) -> Inspection:
    """G-3: every item of the plan is recorded; a failure opens a non-conformance notice, and a
    severe one puts the order on hold until quality closes it. K-2: the inspection covers the
    order's lines of its product (or the given ones of them); a final inspection releases only
    the lines it covers for shipping."""
    _require_quality(actor)
    if order.status not in _WORKING:
        raise ActionError(_("订单下达后才能记录检验。"))
    plan = InspectionPlan.objects.filter(order=order).first()
    if plan is None:
        raise ActionError(_("请先制定检验计划。"))
    _check_stage(stage)
    covered = _covered_lines(order, product_id, line_ids)
    missing = [name for name in plan.item_names() if not str(results.get(name, "")).strip()]
    if missing:
        raise FieldErrors({"results": _("缺少检验计划要求的项目：%(i)s") % {"i": "、".join(missing)}})
    if not passed and not notes.strip():
        raise FieldErrors({"notes": _("不合格时请说明情况。")})
    inspection = Inspection.objects.create(
        order=order,
        stage=stage,
        product_id=product_id,
        passed=passed,
        notes=notes.strip(),
        inspector=actor,
        results={name: str(results[name]).strip() for name in plan.item_names()},
    )
    inspection.lines.set(covered)
    recorder.record(
        actor=actor,
        obj=order,
        action="quality.inspection",
        after={
            "inspection": inspection.pk,
            "stage": stage,
            "passed": passed,
            "lines": [ln.line_no for ln in covered],
            "results": inspection.results,
        },
    )
    if not passed:
        _non_conformance(actor, inspection, severe=severe, responsible=responsible)
    elif stage == Stage.FINAL and final_inspection_done(order):
        _hand_to_warehouse(actor, order)
    return inspection


def _check_stage(stage: str) -> None:
    """G-3: one of the stages; G-1 (flows): not incoming, since a supplier's delivery is inspected
    once, where it is received (`record_incoming`), never recorded a second time here."""
    if stage not in Stage.values:
        raise FieldErrors({"stage": _("请选择检验类别。")})
    if stage == Stage.INCOMING:
        raise FieldErrors({"stage": _("来料检验在采购到货验收时登记，不在这里另记。")})


def _hand_to_warehouse(actor: User, order: SalesOrder) -> None:
    """K-2, G-4, T-1 (issue 23): the final inspection of the order's last line needing one releases
    the goods (`final_inspection_done`): quality's step ends and the warehouse staff see the order
    to reserve, pick, check and pack."""
    tracking.close_items(target=order, actor=actor, outcome=_("成品检验合格"), kinds=("quality.final",))
    warehouse = department_of_kind(DepartmentKind.WAREHOUSE)
    if warehouse is None:
        return
    tracking.hand_off(
        target=order,
        order=order,
        kind="warehouse.prepare",
        title=phrase("订单 %(n)s 成品检验合格，请配货、复核、包装", n=order.number),
        department=warehouse,
        assignee=None,
        url=reverse("workbench:order_detail", args=[order.pk]),
        event="fulfilment",
        once=True,
    )


def warehouse_without_inspection(order: SalesOrder) -> tracking.HandOff | None:
    """G-4, K-2, T-1: goods that ship without a final inspection (stock items the policy exempts,
    `release.final_inspection_needs`) wait on no inspection: the warehouse staff are handed the
    order as soon as it is released, the same step a passed final inspection opens. Made ready
    for the release's one insert; None without a warehouse department."""
    warehouse = department_of_kind(DepartmentKind.WAREHOUSE)
    if warehouse is None:
        return None
    return tracking.prepare_hand_off(
        target=order,
        order=order,
        kind="warehouse.prepare",
        title=phrase("订单 %(n)s 的库存品无需成品检验，请配货、复核、包装", n=order.number),
        department=warehouse,
        assignee=None,
        url=reverse("workbench:order_detail", args=[order.pk]),
        event="fulfilment",
    )


def record_incoming(
    *,
    actor: User,
    order: SalesOrder,
    product_id: int,
    counts: Mapping[str, str],
    passed: bool,
    notes: str = "",
) -> Inspection:
    """G-1, G-3 (flows, point 3): the quality record of a supplier's delivery, written by the
    incoming inspection that received it (`fulfilment.actions.receive_goods`, which decides who may
    and links it), so the delivery is inspected once and both quality and procurement see it. It
    covers no order line (the goods are bought material) and so releases nothing for shipping;
    rejected goods are returned or exchanged by the receipt (G-1), not by a non-conformance."""
    inspection = Inspection.objects.create(
        order=order,
        stage=Stage.INCOMING,
        product_id=product_id,
        passed=passed,
        notes=notes.strip(),
        inspector=actor,
        results=dict(counts),
    )
    recorder.record(
        actor=actor,
        obj=order,
        action="quality.inspection",
        after={"inspection": inspection.pk, "stage": Stage.INCOMING, "passed": passed, "results": counts},
    )
    return inspection


def _covered_lines(order: SalesOrder, product_id: int, line_ids: Collection[int] | None) -> list[Any]:
    """K-2: the order's lines of the inspected product, or the given ones of them."""
    product_lines = list(order.lines.filter(product_id=product_id).order_by("line_no"))
    if not product_lines:
        raise FieldErrors({"product": _("该产品不在这个订单里。")})
    covered = [ln for ln in product_lines if line_ids is None or ln.pk in set(line_ids)]
    if not covered:
        raise FieldErrors({"lines": _("请选择本次检验的该产品订单明细。")})
    return covered


def _non_conformance(actor: User, inspection: Inspection, *, severe: bool, responsible: User | None) -> None:
    """G-3: a failed inspection opens a non-conformance notice in the work of whoever is
    responsible (production's head unless named); a severe one puts the order on hold."""
    order = inspection.order
    notes = inspection.notes
    owner = responsible or _production_head() or actor
    nc = NonConformance.objects.create(
        order=order, inspection=inspection, description=notes, severe=severe, responsible=owner
    )
    outcomes.defective(order.pk)  # O-1 order accuracy (issue 21)
    assert owner.department is not None
    tracking.open_item(
        target=nc,
        kind="quality.nc",
        title=phrase("处理不合格品：订单 %(n)s", n=order.number),
        department=owner.department,
        assignee=owner,
        calendar=work_calendar(order.policy_version.number),
        days=order.policy().reporting.exception_resolve_days,
    )
    notify(
        event="quality",
        recipients=[owner, order.salesperson],
        title=phrase("订单 %(n)s 检验不合格", n=order.number),
        url=reverse("workbench:order_detail", args=[order.pk]),
    )
    if severe and order.status != OrderStatus.ON_HOLD:
        workflow.apply(states.HOLD, order, actor=actor, reason=_("严重不合格，停产：%(d)s") % {"d": notes})


def _production_head() -> User | None:
    production = department_of_kind(DepartmentKind.PRODUCTION)
    return head_of(production) if production else None


@transaction.atomic
def decide_action(*, actor: User, nc: NonConformance, action: str) -> NonConformance:
    return workflow.apply(states.DECIDE, nc, actor=actor, reason=action, changes={"action": action.strip()})


@transaction.atomic
def verify(*, actor: User, nc: NonConformance, verification: str) -> NonConformance:
    return workflow.apply(
        states.VERIFY, nc, actor=actor, reason=verification, changes={"verification": verification.strip()}
    )


@transaction.atomic
def close(*, actor: User, nc: NonConformance) -> NonConformance:
    nc = workflow.apply(states.CLOSE, nc, actor=actor, changes={"closed_at": timezone.now()})
    tracking.close_items(target=nc, actor=actor, outcome=_("已关闭"))
    return nc


@transaction.atomic
def resume(*, actor: User, order: SalesOrder, reason: str = "") -> SalesOrder:
    """G-3: production resumes only once every severe non-conformance is closed."""
    return workflow.apply(states.RESUME, order, actor=actor, reason=reason)


def statistics(*, year: int) -> list[dict[str, Any]]:
    """G-3: inspections and failures per product and month, counted in the database."""
    rows = (
        Inspection.objects.filter(inspected_at__year=year)
        .annotate(month=TruncMonth("inspected_at"))
        .values("product__code", "product__name", "month")
        .annotate(total=Count("id"), failed=Count("id", filter=Q(passed=False)))
        .order_by("month", "product__code")
    )
    return [dict(r) for r in rows]
