"""Every write of release and execution (D-4, F-1, F-2, F-4, G-2)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import F, OuterRef, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from oms.accounts.models import Department, DepartmentKind, Role, User
from oms.accounts.selectors import department_of_kind, head_of
from oms.audit import recorder
from oms.catalog.models import StockLevel
from oms.contracts.actions import technical_readiness
from oms.core.errors import ActionError, FieldErrors, NotAllowed
from oms.core.money import format_quantity
from oms.engine import workflow
from oms.fulfilment import states
from oms.fulfilment.models import (
    DepartmentTask,
    DeptTaskStatus,
    Disposition,
    GoodsReceipt,
    Milestone,
    POStatus,
    Prepayment,
    ProgressReport,
    PurchaseLine,
    PurchaseOrder,
    Reservation,
    ReservationStatus,
    Shipment,
    ShipmentLine,
    ShippingMode,
    SupplierDecision,
    TaskKind,
)
from oms.notifications.actions import notify
from oms.orders.models import OrderStatus, SalesOrder
from oms.partners.models import Qualification
from oms.policy import selectors as policy_selectors
from oms.policy.models import PolicyVersion
from oms.policy.schema import PolicyData
from oms.policy.worktime import CalendarMissing
from oms.quality.release import shipping_release
from oms.tracking import actions as tracking
from oms.tracking.models import EntryKind, TrackingEntry, WorkItem, WorkStatus

_TASK_DEPARTMENT = {
    TaskKind.PRODUCTION_PLAN: DepartmentKind.PRODUCTION,
    TaskKind.PURCHASE_PLAN: DepartmentKind.PROCUREMENT,
    TaskKind.QUALITY_PLAN: DepartmentKind.QUALITY,
    TaskKind.TECHNICAL_DOCS: DepartmentKind.TECHNICAL,
    TaskKind.WAREHOUSE_ALLOCATION: DepartmentKind.WAREHOUSE,
    TaskKind.LOGISTICS_PLAN: DepartmentKind.LOGISTICS,
}


@transaction.atomic
@recorder.batched
def record_prepayment(
    *, actor: User, order: SalesOrder, amount: Decimal, received_on: date | None, reference: str
) -> Prepayment:
    """D-4: finance records a prepayment that has arrived."""
    if actor.department_kind != DepartmentKind.FINANCE and actor.role not in {Role.EXECUTIVE, Role.ADMIN}:
        raise NotAllowed(_("只有财务可以登记预付款。"))
    errors = {}
    if amount is None or amount <= 0:
        errors["amount"] = _("金额必须大于 0。")
    if received_on is None:
        errors["received_on"] = _("请填写到账日期。")
    if not reference.strip():
        errors["reference"] = _("请填写凭证号。")
    if errors:
        raise FieldErrors(errors)
    assert received_on is not None
    payment = Prepayment.objects.create(
        order=order, amount=amount, received_on=received_on, reference=reference.strip(), recorded_by=actor
    )
    recorder.record(
        actor=actor,
        obj=order,
        action="prepayment.record",
        after={"amount": amount, "received_on": received_on, "reference": payment.reference},
    )
    return payment


def _department(kind: str) -> Department:
    dept = department_of_kind(kind)
    if dept is None:
        raise ActionError(_("公司没有“%(k)s”类型的部门，无法下达。") % {"k": DepartmentKind(kind).label})
    return dept


def _owner(dept: Department) -> User:
    person = head_of(dept)
    if person is None:
        raise ActionError(_("%(d)s没有部门负责人，无法分派任务。") % {"d": dept})
    return person


def release_order(*, actor: User, order: SalesOrder) -> SalesOrder:
    """F-1 (see _release); a year missing from the working calendar is refused with a clear reason."""
    try:
        return _release(actor=actor, order=order)
    except CalendarMissing as exc:
        raise ActionError(
            _("工作日历没有 %(y)s 年的数据，无法计算各部门的期限；请管理员先维护工作日历。") % {"y": exc.year}
        ) from exc


@transaction.atomic
@recorder.batched
def _release(*, actor: User, order: SalesOrder) -> SalesOrder:
    """F-1: release creates each department's task with a responsible person and a due date (plans
    after release, allocation and logistics before delivery); F-2 production milestones; F-4 the
    customer is told the expected delivery date."""
    order = workflow.apply(states.RELEASE, order, actor=actor)
    policy = order.policy().release
    calendar = policy_selectors.work_calendar(order.policy_version.number)
    now = timezone.now()
    tz = timezone.get_current_timezone()
    end_of_day = time(
        int(order.policy().working_time.office_end[:2]), int(order.policy().working_time.office_end[3:])
    )

    def before_delivery(days: int) -> datetime:
        due = datetime.combine(calendar.working_day_before(order.delivery_date, days), end_of_day, tz)
        return max(due, calendar.add_working_days(now, 1))

    dues = {
        TaskKind.PRODUCTION_PLAN: calendar.add_working_days(now, policy.production_plan_days),
        TaskKind.PURCHASE_PLAN: calendar.add_working_days(now, policy.purchase_plan_days),
        TaskKind.QUALITY_PLAN: calendar.add_working_days(now, policy.quality_plan_days),
        TaskKind.TECHNICAL_DOCS: calendar.add_working_days(now, policy.technical_docs_days),
        TaskKind.WAREHOUSE_ALLOCATION: before_delivery(policy.allocation_days_before_delivery),
        TaskKind.LOGISTICS_PLAN: before_delivery(policy.logistics_days_before_delivery),
    }
    tasks = []
    for kind, due in dues.items():
        dept = _department(_TASK_DEPARTMENT[kind])
        tasks.append(
            DepartmentTask(order=order, kind=kind, department=dept, assignee=_owner(dept), due_at=due)
        )
    # Issue 21: the tasks, then their work items, each in one insert.
    tasks = DepartmentTask.objects.bulk_create(tasks)
    tracking.open_items(
        [
            tracking.new_item(
                target=task,
                kind="release.task",
                title=_("%(k)s：订单 %(n)s") % {"k": task.get_kind_display(), "n": order.number},
                department=task.department,
                assignee=task.assignee,
                calendar=calendar,
                start=now,
                due=task.due_at,
            )
            for task in tasks
        ]
    )
    owners = [task.assignee for task in tasks]
    _milestones(order, policy.milestones, now.date())
    tracking.add_entry(
        actor=actor,
        order=order,
        kind="progress",
        text=_("订单已下达，预计交货日期 %(d)s。") % {"d": f"{order.delivery_date:%Y-%m-%d}"},
    )
    # F-4: the salesperson tells the customer; recording the contact in the ledger closes this step.
    tracking.open_item(
        target=order,
        kind="report.contact",
        department=order.department,
        assignee=order.salesperson,
        calendar=calendar,
        title=_("告知客户订单 %(n)s 已下达，预计交货 %(d)s")
        % {"n": order.number, "d": f"{order.delivery_date:%Y-%m-%d}"},
        days=1,
        start=now,
    )
    notify(
        event="fulfilment",
        recipients=[*owners, order.salesperson],
        title=_("订单 %(n)s 已下达") % {"n": order.number},
        url=f"/orders/{order.pk}/",
    )
    return order


def _milestones(order: SalesOrder, names: list[str], start: date) -> None:
    """F-2: milestones spread evenly from release to the delivery date."""
    span = max((order.delivery_date - start).days, len(names))
    Milestone.objects.bulk_create(
        [
            Milestone(
                order=order,
                seq=i + 1,
                name=name[:60],
                planned_date=start + timedelta(days=span * (i + 1) // len(names)),
            )
            for i, name in enumerate(names)
        ]
    )


@transaction.atomic
@recorder.batched
def complete_task(*, actor: User, task: DepartmentTask, note: str) -> DepartmentTask:
    """F-1: the department marks its plan done, with what it decided. F-3: the technical task is
    done only with its documents distributed and the briefing recorded (the transition's guard);
    it then names them."""
    if not note.strip():
        raise FieldErrors({"note": _("请说明完成情况。")})
    changes: dict[str, Any] = {"note": note.strip(), "done_by": actor, "done_at": timezone.now()}
    docs: list[Any] = []
    if task.kind == TaskKind.TECHNICAL_DOCS:
        docs, changes["briefing"], _missing = technical_readiness(task.order)
    task = workflow.apply(states.COMPLETE_TASK, task, actor=actor, reason=note, changes=changes)
    if docs:
        task.documents.set(docs)
        recorder.record(
            actor=actor,
            obj=task,
            action="task.technical_docs",
            after={"documents": [d.pk for d in docs], "briefing": task.briefing_id},
        )
    tracking.close_items(target=task, actor=actor, outcome=_("已完成"))
    return task


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
    if actor.department_kind != DepartmentKind.PRODUCTION and actor.role not in {Role.EXECUTIVE, Role.ADMIN}:
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
    return report


def shipped_quantities(order: SalesOrder) -> dict[int, Decimal]:
    """G-6: how much of each order line has shipped."""
    rows = (
        ShipmentLine.objects.filter(shipment__order=order).values("order_line_id").annotate(q=Sum("quantity"))
    )
    return {r["order_line_id"]: r["q"] for r in rows}


@transaction.atomic
@recorder.batched
def ship(
    *,
    actor: User,
    order: SalesOrder,
    mode: str,
    shipped_on: date | None,
    quantities: dict[int, Decimal],
    carrier: Any = None,
    route: str = "",
    packaging: str = "",
    tracking_number: str = "",
    confirmed_with: str = "",
    expected_arrival: date | None = None,
    delivery_place: str = "",
    quantity_checked: bool = False,
) -> Any:
    """G-5, G-6: a shipment, whole or partial; never more than what is left; the order is shipped
    when every line has gone. K-1: the delivery time and place are confirmed with the customer's
    contact; K-2: the quantity is checked, and quality has released every shipped line (its latest
    final inspection passed, no open non-conformance on it, G-3): the shipment records the
    releasing inspections, otherwise it is refused with every reason and nothing changes."""
    if actor.department_kind not in {
        DepartmentKind.LOGISTICS,
        DepartmentKind.WAREHOUSE,
    } and actor.role not in {Role.EXECUTIVE, Role.ADMIN}:
        raise NotAllowed(_("只有物流或仓储部门可以登记发货。"))
    locked = SalesOrder.objects.select_for_update().get(pk=order.pk)
    if locked.status not in {OrderStatus.RELEASED, OrderStatus.IN_PRODUCTION}:
        raise ActionError(_("订单下达后、全部发货前才能登记发货。"))
    errors: dict[str, str] = {}
    if mode not in ShippingMode.values:
        errors["mode"] = _("请选择运输方式。")
    if shipped_on is None:
        errors["shipped_on"] = _("请填写发货日期。")
    if mode != ShippingMode.PICKUP and not tracking_number.strip() and mode != ShippingMode.OWN_FLEET:
        errors["tracking_number"] = _("请填写运单号。")
    if not confirmed_with.strip():
        errors["confirmed_with"] = _("请填写与客户确认交货时间和地点的联系人。")
    if expected_arrival is None:
        errors["expected_arrival"] = _("请填写与客户确认的预计到达日期。")
    elif shipped_on is not None and expected_arrival < shipped_on:
        errors["expected_arrival"] = _("预计到达日期不能早于发货日期。")
    if not quantity_checked:
        errors["checks"] = _("发货前须确认数量已核对。")
    if carrier is not None and carrier.qualification != Qualification.QUALIFIED:
        errors["carrier"] = _("承运商 %(c)s 资质不合格。") % {"c": carrier}
    lines = {ln.pk: ln for ln in locked.lines.all()}
    done = shipped_quantities(locked)
    wanted = {pk: q for pk, q in quantities.items() if q}
    if not wanted:
        errors["lines"] = _("请填写本次发货数量。")
    for pk, qty in wanted.items():
        line = lines.get(pk)
        if line is None:
            errors[f"lines.{pk}"] = _("不是这个订单的明细。")
            continue
        left = line.quantity - done.get(pk, Decimal("0"))
        if qty < 0 or qty > left:
            errors[f"lines.{pk}"] = _("第 %(n)s 行最多还能发 %(q)s。") % {
                "n": line.line_no,
                "q": format_quantity(left),
            }
    if errors:
        raise FieldErrors(errors)
    assert shipped_on is not None
    release = shipping_release(locked, [lines[pk] for pk in wanted])
    if release.reasons:
        raise workflow.TransitionBlocked(_("登记发货"), release.reasons)
    number = locked.shipments.count() + 1
    shipment = Shipment.objects.create(
        order=locked,
        number=number,
        mode=mode,
        carrier=carrier,
        route=route.strip(),
        packaging=packaging.strip(),
        tracking_number=tracking_number.strip(),
        shipped_on=shipped_on,
        delivery_place=(delivery_place.strip() or locked.delivery_place)[:255],
        expected_arrival=expected_arrival,
        confirmed_with=confirmed_with.strip()[:100],
        quantity_checked=quantity_checked,
        created_by=actor,
    )
    shipment.released_by.set(release.inspections)
    ShipmentLine.objects.bulk_create(
        [ShipmentLine(shipment=shipment, order_line=lines[pk], quantity=q) for pk, q in wanted.items()]
    )
    for pk, qty in wanted.items():
        _dispatch_stock(locked, actor, lines[pk], qty)
    recorder.record(
        actor=actor,
        obj=locked,
        action="shipment.record",
        after={
            "shipment": number,
            "mode": mode,
            "tracking_number": shipment.tracking_number,
            "lines": {str(lines[pk].line_no): q for pk, q in wanted.items()},
            "released_by": {
                str(lines[pk].line_no): (i.pk if i is not None else None) for pk, i in release.by_line.items()
            },
        },
    )
    remaining = any(
        ln.quantity > done.get(pk, Decimal("0")) + wanted.get(pk, Decimal("0")) for pk, ln in lines.items()
    )
    if not remaining:
        workflow.apply(states.SHIP, locked, actor=actor, reason=_("全部发货"))
    notify(
        event="fulfilment",
        recipients=[locked.salesperson],
        title=_("订单 %(n)s 第 %(b)s 批已发货") % {"n": locked.number, "b": number},
        url=f"/orders/{locked.pk}/",
    )
    return shipment


# --- warehouse (G-4) ---------------------------------------------------------------------------


def _require_warehouse(actor: User) -> None:
    if actor.department_kind != DepartmentKind.WAREHOUSE and actor.role not in {Role.ADMIN}:
        raise NotAllowed(_("只有仓储部门可以操作库存。"))


@transaction.atomic
@recorder.batched
def reserve(
    *, actor: User, order: SalesOrder, line_id: int, stock_level_id: int, quantity: Decimal
) -> Reservation:
    """G-4: hold stock for an order line. The stock row is locked and the database refuses more
    reserved than on hand, so two orders can never hold the same stock."""
    _require_warehouse(actor)
    if order.status not in {OrderStatus.RELEASED, OrderStatus.IN_PRODUCTION}:
        raise ActionError(_("订单下达后才能预留库存。"))
    line = order.lines.filter(pk=line_id).select_related("product").first()
    if line is None:
        raise FieldErrors({"line": _("不是这个订单的明细。")})
    level = (
        StockLevel.objects.select_for_update().filter(pk=stock_level_id, product_id=line.product_id).first()
    )
    if level is None:
        raise FieldErrors({"stock_level": _("该仓库没有这个产品的库存。")})
    held = _held(order, line.pk)
    shipped = shipped_quantities(order).get(line.pk, Decimal("0"))
    errors = {}
    if quantity is None or quantity <= 0:
        errors["quantity"] = _("数量必须大于 0。")
    elif quantity > level.on_hand - level.reserved:
        errors["quantity"] = _("库存不足：可用 %(a)s。") % {
            "a": format_quantity(level.on_hand - level.reserved)
        }
    elif quantity + held + shipped > line.quantity:
        errors["quantity"] = _("超过订单需要：最多还需 %(q)s。") % {
            "q": format_quantity(line.quantity - held - shipped)
        }
    if errors:
        raise FieldErrors(errors)
    level.reserved += quantity
    level.version += 1
    level.save(update_fields=["reserved", "version"])
    reservation = Reservation.objects.create(
        order=order, order_line=line, stock_level=level, quantity=quantity, reserved_by=actor
    )
    recorder.record(
        actor=actor,
        obj=order,
        action="stock.reserve",
        after={"line": line.line_no, "warehouse": level.warehouse_id, "quantity": quantity},
    )
    return reservation


def _held(order: SalesOrder, line_id: int) -> Decimal:
    """Stock still held for a line: reserved and not yet gone (a partly dispatched reservation
    counts only its rest, since what left is counted as shipped)."""
    return order.reservations.filter(order_line_id=line_id).exclude(
        status__in=[ReservationStatus.SHIPPED, ReservationStatus.RELEASED]
    ).aggregate(s=Sum(F("quantity") - F("dispatched")))["s"] or Decimal("0")


@transaction.atomic
@recorder.batched
def release_reservations(
    *, actor: Any, order: SalesOrder, line_id: int, keep: Decimal, reason: str
) -> list[Reservation]:
    """I-3, J-1: give back held stock of a line until at most `keep` stays held, newest first."""
    released = []
    held = _held(order, line_id)
    for res in (
        order.reservations.filter(order_line_id=line_id)
        .exclude(status__in=[ReservationStatus.SHIPPED, ReservationStatus.RELEASED])
        .order_by("-pk")
    ):
        if held <= keep:
            break
        rest = res.quantity - res.dispatched
        level = StockLevel.objects.select_for_update().get(pk=res.stock_level_id)
        level.reserved -= rest
        level.version += 1
        level.save(update_fields=["reserved", "version"])
        released.append(workflow.apply(states.RELEASE_STOCK, res, actor=actor, reason=reason))
        held -= rest
    if released:
        recorder.record(
            actor=actor,
            obj=order,
            action="stock.release",
            after={"line": line_id, "reservations": [r.pk for r in released], "held": held},
            reason=reason,
        )
    return released


@transaction.atomic
@recorder.batched
def pick(*, actor: User, reservation: Reservation) -> Reservation:
    return workflow.apply(states.PICK, reservation, actor=actor, changes={"picked_by": actor})


@transaction.atomic
@recorder.batched
def second_check(*, actor: User, reservation: Reservation, counted: Decimal | None) -> Reservation:
    """G-4: a second person counts the picked goods against the order; a difference is refused,
    and so is a count left empty (a count of 0 is a count, and a difference)."""
    if counted is None:
        raise FieldErrors({"counted": _("请填写复核数量。")})
    if counted != reservation.quantity:
        raise FieldErrors(
            {
                "counted": _("复核数量 %(c)s 与预留数量 %(q)s 不符。")
                % {"c": format_quantity(counted), "q": format_quantity(reservation.quantity)}
            }
        )
    return workflow.apply(states.CHECK, reservation, actor=actor, changes={"checked_by": actor})


@transaction.atomic
@recorder.batched
def pack(*, actor: User, reservation: Reservation, packing: str) -> Reservation:
    if not packing.strip():
        raise FieldErrors({"packing": _("请填写包装说明。")})
    return workflow.apply(states.PACK, reservation, actor=actor, changes={"packing": packing.strip()})


def _dispatch_stock(order: SalesOrder, actor: User, line: Any, quantity: Decimal) -> None:
    """Shipping takes the goods out of stock from the line's packed reservations, oldest first; a
    reservation is dispatched once all of it has gone (a partial shipment leaves the rest held)."""
    left = quantity
    for res in order.reservations.filter(order_line=line, status=ReservationStatus.PACKED).order_by("pk"):
        if left <= 0:
            break
        take = min(left, res.quantity - res.dispatched)
        if take <= 0:
            continue
        level = StockLevel.objects.select_for_update().get(pk=res.stock_level_id)
        level.on_hand -= take
        level.reserved -= take
        level.version += 1
        level.save(update_fields=["on_hand", "reserved", "version"])
        Reservation.objects.filter(pk=res.pk).update(dispatched=res.dispatched + take)
        if res.dispatched + take >= res.quantity:
            workflow.apply(states.DISPATCH, res, actor=actor)
        left -= take


# --- procurement (G-1) -------------------------------------------------------------------------


def shortages(order: SalesOrder) -> list[tuple[Any, Decimal]]:
    """G-1: what stock does not cover for each line's product (the purchase plan's starting point)."""
    needed: dict[int, Decimal] = {}
    products = {}
    for ln in order.lines.select_related("product"):
        needed[ln.product_id] = needed.get(ln.product_id, Decimal("0")) + ln.quantity
        products[ln.product_id] = ln.product
    available = {
        r["product_id"]: (r["h"] or Decimal("0")) - (r["r"] or Decimal("0"))
        for r in StockLevel.objects.filter(product_id__in=needed)
        .values("product_id")
        .annotate(h=Sum("on_hand"), r=Sum("reserved"))
    }
    return [
        (products[pid], qty - available.get(pid, Decimal("0")))
        for pid, qty in needed.items()
        if qty > available.get(pid, Decimal("0"))
    ]


def _require_procurement(actor: User) -> None:
    if actor.department_kind != DepartmentKind.PROCUREMENT and actor.role not in {Role.ADMIN, Role.EXECUTIVE}:
        raise NotAllowed(_("只有采购部门可以做这件事。"))


@transaction.atomic
@recorder.batched
def create_purchase_order(
    *, actor: User, order: SalesOrder, supplier: Any, lines: list[tuple[Any, Decimal, date | None]]
) -> PurchaseOrder:
    """G-1: purchase orders go to qualified suppliers only."""
    _require_procurement(actor)
    if order.status not in {OrderStatus.RELEASED, OrderStatus.IN_PRODUCTION, OrderStatus.ON_HOLD}:
        raise ActionError(_("订单下达后才能采购。"))
    errors: dict[str, str] = {}
    today = timezone.localdate()
    if supplier is None:
        errors["supplier"] = _("请选择供应商。")
    elif (
        supplier.qualification != Qualification.QUALIFIED
        or not supplier.active
        or (supplier.qualified_until is not None and supplier.qualified_until < today)
    ):
        errors["supplier"] = _("供应商 %(s)s 不是合格供应商，不能下采购单。") % {"s": supplier}
    clean = [(p, q, d) for p, q, d in lines if p is not None and q]
    if not clean:
        errors["lines"] = _("请至少填写一行采购明细。")
    for i, (_p, q, d) in enumerate(clean):
        if q <= 0:
            errors[f"lines.{i}.quantity"] = _("数量必须大于 0。")
        if d is None:
            errors[f"lines.{i}.promised_date"] = _("请填写供应商承诺交期。")
    if errors:
        raise FieldErrors(errors)
    po = PurchaseOrder.objects.create(
        order=order, number=order.purchase_orders.count() + 1, supplier=supplier, created_by=actor
    )
    PurchaseLine.objects.bulk_create(
        [
            PurchaseLine(purchase_order=po, product=p, quantity=q, promised_date=d)
            for p, q, d in clean
            if d is not None
        ]
    )
    recorder.record(
        actor=actor,
        obj=order,
        action="purchase.create",
        after={
            "po": po.number,
            "supplier": supplier.pk,
            "lines": [{"product": p.pk, "quantity": q, "promised": d} for p, q, d in clean],
        },
    )
    return po


@transaction.atomic
@recorder.batched
def receive_goods(
    *,
    actor: User,
    line: PurchaseLine,
    received_on: date | None,
    received: Decimal,
    accepted: Decimal,
    disposition: str = "",
    notes: str = "",
) -> GoodsReceipt:
    """G-1: the delivery and its incoming inspection; rejects are returned or exchanged; the purchase
    order stays open until the accepted quantity is complete."""
    if (
        actor.department_kind
        not in {DepartmentKind.QUALITY, DepartmentKind.PROCUREMENT, DepartmentKind.WAREHOUSE}
        and actor.role != Role.ADMIN
    ):
        raise NotAllowed(_("只有质量、采购或仓储部门可以登记到货验收。"))
    locked = PurchaseLine.objects.select_for_update().get(pk=line.pk)
    errors: dict[str, str] = {}
    rejected = received - accepted
    if received_on is None:
        errors["received_on"] = _("请填写到货日期。")
    if received <= 0:
        errors["received"] = _("到货数量必须大于 0。")
    if accepted < 0 or rejected < 0:
        errors["accepted"] = _("合格数量应在 0 与到货数量之间。")
    elif rejected > 0 and disposition not in Disposition.values:
        errors["disposition"] = _("有不合格品时请选择退货或换货。")
    if errors:
        raise FieldErrors(errors)
    assert received_on is not None
    receipt = GoodsReceipt.objects.create(
        line=locked,
        received_on=received_on,
        received=received,
        accepted=accepted,
        rejected=rejected,
        disposition=disposition if rejected > 0 else "",
        notes=notes.strip(),
        inspected_by=actor,
    )
    locked.accepted += accepted
    locked.save(update_fields=["accepted"])
    po = locked.purchase_order
    recorder.record(
        actor=actor,
        obj=po.order,
        action="purchase.receive",
        after={
            "po": po.number,
            "product": locked.product_id,
            "received": received,
            "accepted": accepted,
            "rejected": rejected,
            "disposition": receipt.disposition,
        },
    )
    if all(pl.accepted >= pl.quantity for pl in po.lines.all()):
        workflow.apply(states.CLOSE_PO, po, actor=actor, reason=_("到货合格数量已齐"))
    return receipt


# --- changes and cancellation (I-3, J-1) --------------------------------------------------------

_PLAN_DAYS: dict[str, str] = {
    TaskKind.PRODUCTION_PLAN: "production_plan_days",
    TaskKind.PURCHASE_PLAN: "purchase_plan_days",
    TaskKind.QUALITY_PLAN: "quality_plan_days",
    TaskKind.TECHNICAL_DOCS: "technical_docs_days",
}
_BEFORE_DELIVERY: dict[str, str] = {
    TaskKind.WAREHOUSE_ALLOCATION: "allocation_days_before_delivery",
    TaskKind.LOGISTICS_PLAN: "logistics_days_before_delivery",
}


def _task_due(order: SalesOrder, kind: str, now: datetime) -> datetime:
    """F-1 due dates, counted again from now: plans N working days on, allocation and logistics N
    working days before the (possibly new) delivery date, never earlier than a working day on."""
    policy = order.policy()
    calendar = policy_selectors.work_calendar(order.policy_version.number)
    if kind in _PLAN_DAYS:
        return calendar.add_working_days(now, getattr(policy.release, _PLAN_DAYS[kind]))
    end = policy.working_time.office_end
    due = datetime.combine(
        calendar.working_day_before(order.delivery_date, getattr(policy.release, _BEFORE_DELIVERY[kind])),
        time(int(end[:2]), int(end[3:])),
        timezone.get_current_timezone(),
    )
    return max(due, calendar.add_working_days(now, 1))


@transaction.atomic
@recorder.batched
def adjust_for_change(
    *, actor: Any, order: SalesOrder, departments: list[str], reason: str, delivery_shift_days: int
) -> list[User]:
    """I-3: after an approved change each affected department's plan is back in its hands (a done
    plan is reopened, an open one gets its due date again), allocation and logistics follow a new
    delivery date, and unfinished milestones move with it. Returns the owners to tell."""
    now = timezone.now()
    calendar = policy_selectors.work_calendar(order.policy_version.number)
    owners: list[User] = []
    moved_by_date = {TaskKind.WAREHOUSE_ALLOCATION, TaskKind.LOGISTICS_PLAN} if delivery_shift_days else set()
    for task in order.department_tasks.select_related("department", "assignee"):
        affected = _TASK_DEPARTMENT[TaskKind(task.kind)] in departments
        if task.status == DeptTaskStatus.CANCELLED or not (affected or task.kind in moved_by_date):
            continue
        due = _task_due(order, task.kind, now)
        if task.status == DeptTaskStatus.DONE:
            task = workflow.apply(
                states.REOPEN_TASK, task, actor=actor, reason=reason, changes={"due_at": due}
            )
        else:
            task.due_at, task.version = due, task.version + 1
            task.save(update_fields=["due_at", "version"])
            tracking.close_items(target=task, actor=actor, outcome=reason)
        tracking.open_item(
            target=task,
            kind="release.task",
            title=_("%(k)s：订单 %(n)s（%(r)s）")
            % {"k": task.get_kind_display(), "n": order.number, "r": reason},
            department=task.department,
            assignee=task.assignee,
            calendar=calendar,
            start=now,
            due=due,
        )
        owners.append(task.assignee)
    if delivery_shift_days:
        for m in order.milestones.filter(progress__lt=100):
            m.planned_date += timedelta(days=delivery_shift_days)
            m.save(update_fields=["planned_date", "updated_at"])
    return owners


@transaction.atomic
@recorder.batched
def stop_work(*, actor: Any, order: SalesOrder, reason: str) -> list[User]:
    """J-1: a cancelled order's open tasks stop, its held stock is released, and every open
    purchase order waits for procurement's decision with the supplier. Returns the owners to tell."""
    owners: list[User] = []
    for task in order.department_tasks.filter(status=DeptTaskStatus.OPEN).select_related("assignee"):
        workflow.apply(states.STOP_TASK, task, actor=actor, reason=reason)
        tracking.close_items(target=task, actor=actor, outcome=_("订单已取消"))
        owners.append(task.assignee)
    for line_id in order.reservations.values_list("order_line_id", flat=True).distinct():
        release_reservations(actor=actor, order=order, line_id=line_id, keep=Decimal("0"), reason=reason)
    procurement = department_of_kind(DepartmentKind.PROCUREMENT)
    buyer = head_of(procurement) if procurement else None
    calendar = policy_selectors.work_calendar(order.policy_version.number)
    for po in order.purchase_orders.filter(status=POStatus.OPEN):
        po.supplier_decision = SupplierDecision.PENDING
        po.save(update_fields=["supplier_decision"])
        if procurement is not None:
            tracking.open_item(
                target=po,
                kind="purchase.decision",
                title=_("订单 %(n)s 已取消：请与供应商协商采购单 %(p)s（取消、退货或留作库存）")
                % {"n": order.number, "p": po},
                department=procurement,
                assignee=buyer,
                calendar=calendar,
                days=order.policy().reporting.exception_resolve_days,
            )
    if (
        buyer is not None
        and order.purchase_orders.filter(supplier_decision=SupplierDecision.PENDING).exists()
    ):
        owners.append(buyer)
    return owners


@transaction.atomic
@recorder.batched
def decide_supplier(*, actor: User, po: PurchaseOrder, decision: str, note: str) -> PurchaseOrder:
    """J-1: procurement records what was agreed with the supplier about a cancelled order's
    purchase: cancel it, return what came, or keep the goods as stock (deliveries go on)."""
    _require_procurement(actor)
    locked = PurchaseOrder.objects.select_for_update().select_related("order").get(pk=po.pk)
    if locked.supplier_decision != SupplierDecision.PENDING:
        raise ActionError(_("该采购单不需要或已经做过供应商处理决定。"))
    errors = {}
    if decision not in {SupplierDecision.CANCEL, SupplierDecision.RETURN, SupplierDecision.KEEP_STOCK}:
        errors["decision"] = _("请选择取消采购、退货或留作库存。")
    if not note.strip():
        errors["note"] = _("请说明与供应商协商的结果。")
    if errors:
        raise FieldErrors(errors)
    changes = {
        "supplier_decision": decision,
        "decision_note": note.strip()[:300],
        "decided_by": actor,
        "decided_at": timezone.now(),
    }
    if decision == SupplierDecision.KEEP_STOCK:
        before = {"supplier_decision": locked.supplier_decision}
        for name, value in changes.items():
            setattr(locked, name, value)
        locked.save(update_fields=list(changes))
        recorder.record(
            actor=actor,
            obj=locked.order,
            action="purchase.decision",
            before=before,
            after={"po": locked.number, "decision": decision, "note": locked.decision_note},
        )
    else:
        locked = workflow.apply(states.CANCEL_PO, locked, actor=actor, reason=note.strip(), changes=changes)
        recorder.record(
            actor=actor,
            obj=locked.order,
            action="purchase.decision",
            after={"po": locked.number, "decision": decision, "note": locked.decision_note},
        )
    tracking.close_items(target=locked, actor=actor, outcome=str(SupplierDecision(decision).label))
    return locked


# --- reporting cadence (H-3) -------------------------------------------------------------------


@dataclass(frozen=True)
class ReportStream:
    """H-3: one side's periodic reporting on a running order: the reminder it owes when late,
    the policy setting of its cadence (`policy.reporting.<setting>`, calendar days), when it last
    reported (a subquery on the order), and who owes it: the head of a department of that kind,
    or, without one, the order's salesperson in the order's sales department."""

    kind: str
    setting: str
    last: Callable[[], Subquery]
    department: str | None
    title: str


def _last_entry(kind: str) -> Callable[[], Subquery]:
    return lambda: Subquery(
        TrackingEntry.objects.filter(order=OuterRef("pk"), kind=kind)
        .order_by("-created_at")
        .values("created_at")[:1]
    )


# H-3 (000 六(二)1, 001 六(三)1): one table, one check; a new cadence is one more row here.
REPORT_STREAMS: tuple[ReportStream, ...] = (
    ReportStream(
        kind="report.production",
        setting="production_report_days",
        last=lambda: Subquery(
            ProgressReport.objects.filter(milestone__order=OuterRef("pk"))
            .order_by("-reported_at")
            .values("reported_at")[:1]
        ),
        department=DepartmentKind.PRODUCTION,
        title=gettext_noop("订单 %(n)s 超过 %(d)s 天没有生产进度汇报"),
    ),
    ReportStream(
        kind="report.procurement",
        setting="procurement_report_days",
        last=_last_entry(EntryKind.PROCUREMENT_REPORT),
        department=DepartmentKind.PROCUREMENT,
        title=gettext_noop("订单 %(n)s 超过 %(d)s 天没有采购进度汇报"),
    ),
    ReportStream(
        kind="report.quality",
        setting="quality_report_days",
        last=_last_entry(EntryKind.QUALITY_REPORT),
        department=DepartmentKind.QUALITY,
        title=gettext_noop("订单 %(n)s 超过 %(d)s 天没有质量检验情况汇报"),
    ),
    ReportStream(
        kind="report.contact",
        setting="sales_contact_days",
        last=_last_entry(EntryKind.CONTACT),
        department=None,
        title=gettext_noop("订单 %(n)s 超过 %(d)s 天没有联系客户"),
    ),
)


def check_reporting(now: datetime | None = None) -> int:
    """H-3: each side reports on a running order at the cadence its policy version sets (an
    important order more often, see `Reporting`); a report missing for longer than that, counted
    from the last one or else from the release, becomes one reminder in the work of whoever owes
    it, due within the policy's working days, and the deadline sweeper escalates it to their
    superior when that passes. Idempotent: one open reminder per order and kind; the report
    closes it. Returns how many reminders this run opened."""
    now = now or timezone.now()
    ct = ContentType.objects.get_for_model(SalesOrder)
    opened = 0
    running = [OrderStatus.RELEASED, OrderStatus.IN_PRODUCTION]
    open_reminders = set(
        WorkItem.objects.filter(
            content_type=ct, status=WorkStatus.OPEN, kind__in=[s.kind for s in REPORT_STREAMS]
        ).values_list("object_id", "kind")
    )
    owners: dict[str, tuple[Department, User | None] | None] = {}
    for stream in REPORT_STREAMS:
        if stream.department is not None:
            dept = department_of_kind(stream.department)
            # A company without such a department owes no such report.
            owners[stream.kind] = (dept, head_of(dept)) if dept is not None else None
    for version in PolicyVersion.objects.filter(
        pk__in=SalesOrder.objects.filter(status__in=running).values("policy_version")
    ):
        rules = PolicyData.model_validate(version.data).reporting
        calendar = policy_selectors.work_calendar(version.number)
        orders = (
            SalesOrder.objects.filter(policy_version=version, status__in=running)
            .annotate(**{f"last_{i}": s.last() for i, s in enumerate(REPORT_STREAMS)})
            .select_related("department", "salesperson", "customer", "policy_version")
        )
        for order in orders:
            important = (rules.important_key_customers and order.customer.is_key) or (
                rules.important_special_requirements and order.has_special_requirements
            )
            for i, stream in enumerate(REPORT_STREAMS):
                if (order.pk, stream.kind) in open_reminders:
                    continue
                if stream.department is None:
                    owner: tuple[Department, User | None] | None = (order.department, order.salesperson)
                else:
                    owner = owners[stream.kind]
                if owner is None:
                    continue
                days = rules.cadence_days(getattr(rules, stream.setting), important=important)
                last = getattr(order, f"last_{i}") or order.updated_at  # since the release
                if now - last < timedelta(days=days):
                    continue
                tracking.open_item(
                    target=order,
                    kind=stream.kind,
                    title=_(stream.title) % {"n": order.number, "d": days},
                    department=owner[0],
                    assignee=owner[1],
                    calendar=calendar,
                    days=rules.missing_report_days,
                    start=now,
                )
                open_reminders.add((order.pk, stream.kind))
                opened += 1
    return opened
