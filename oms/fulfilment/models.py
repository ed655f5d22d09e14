"""Release and execution (D-4, F-1, F-2, G-2): the departments' tasks, production milestones,
progress reports, and prepayments received before release."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from oms.core.money import decimal_bounds


class TaskKind(models.TextChoices):
    """F-1: the work a release creates."""

    PRODUCTION_PLAN = "production_plan", _("生产计划")
    PURCHASE_PLAN = "purchase_plan", _("采购计划")
    QUALITY_PLAN = "quality_plan", _("质量控制计划")
    TECHNICAL_DOCS = "technical_docs", _("技术文件与技术交底")
    WAREHOUSE_ALLOCATION = "warehouse_allocation", _("仓库配货")
    LOGISTICS_PLAN = "logistics_plan", _("物流计划")


class DeptTaskStatus(models.TextChoices):
    OPEN = "open", _("待完成")
    DONE = "done", _("已完成")
    CANCELLED = "cancelled", _("已停止")


class DepartmentTask(models.Model):
    """F-1: one department's part of a released order, with a responsible person and a due date."""

    order = models.ForeignKey(
        "orders.SalesOrder", verbose_name=_("订单"), on_delete=models.PROTECT, related_name="department_tasks"
    )
    kind = models.CharField(_("任务"), max_length=30, choices=TaskKind.choices)
    department = models.ForeignKey(
        "accounts.Department", verbose_name=_("部门"), on_delete=models.PROTECT, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("负责人"), on_delete=models.PROTECT, related_name="+"
    )
    due_at = models.DateTimeField(_("截止时间"))
    status = models.CharField(
        _("状态"), max_length=20, choices=DeptTaskStatus.choices, default=DeptTaskStatus.OPEN
    )
    note = models.TextField(_("完成说明"), blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    # F-3: the technical task is done with these distributed documents and this briefing (技术交底).
    briefing = models.ForeignKey(
        "contracts.Briefing",
        verbose_name=_("技术交底"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="department_tasks",
    )
    documents = models.ManyToManyField(
        "contracts.Document", verbose_name=_("技术文件"), related_name="department_tasks", blank=True
    )
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("部门任务")
        verbose_name_plural = _("部门任务")
        ordering = ["order", "due_at", "id"]
        constraints = [models.UniqueConstraint(fields=["order", "kind"], name="department_task_unique_kind")]

    def __str__(self) -> str:
        return f"{self.order} {self.get_kind_display()}"


class Milestone(models.Model):
    """F-2, G-2: a stage of production with its planned date and the progress reported."""

    order = models.ForeignKey(
        "orders.SalesOrder", verbose_name=_("订单"), on_delete=models.PROTECT, related_name="milestones"
    )
    seq = models.PositiveIntegerField(_("顺序"))
    name = models.CharField(_("里程碑"), max_length=60)
    planned_date = models.DateField(_("计划完成日期"))
    progress = models.PositiveSmallIntegerField(
        _("完成百分比"), default=0, validators=[MaxValueValidator(100)]
    )
    quantity_done = models.DecimalField(
        _("完成数量"),
        max_digits=16,
        decimal_places=4,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("生产里程碑")
        verbose_name_plural = _("生产里程碑")
        ordering = ["order", "seq"]
        constraints = [
            *decimal_bounds("fulfilment_milestone", quantity_done=(16, 4)),
            models.UniqueConstraint(fields=["order", "seq"], name="milestone_unique_seq"),
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="milestone_progress_at_most_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order} {self.name}"


class ProgressReport(models.Model):
    """G-2: a production report on a milestone: percentage, quantity, material issued, notes."""

    milestone = models.ForeignKey(
        Milestone, verbose_name=_("里程碑"), on_delete=models.PROTECT, related_name="reports"
    )
    progress = models.PositiveSmallIntegerField(_("完成百分比"))
    quantity_done = models.DecimalField(_("完成数量"), max_digits=16, decimal_places=4)
    material_issued = models.CharField(_("领料情况"), max_length=300, blank=True)
    notes = models.TextField(_("说明"), blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField(_("汇报时间"), auto_now_add=True)

    class Meta:
        constraints = [*decimal_bounds("fulfilment_progressreport", quantity_done=(16, 4))]
        verbose_name = _("生产进度汇报")
        verbose_name_plural = _("生产进度汇报")
        ordering = ["milestone", "-reported_at"]

    def __str__(self) -> str:
        return f"{self.milestone} {self.progress}%"


class Prepayment(models.Model):
    """D-4: a prepayment received, recorded by finance before the order can be released."""

    order = models.ForeignKey(
        "orders.SalesOrder", verbose_name=_("订单"), on_delete=models.PROTECT, related_name="prepayments"
    )
    amount = models.DecimalField(
        _("金额"), max_digits=18, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    received_on = models.DateField(_("到账日期"))
    reference = models.CharField(_("凭证号"), max_length=100)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("预付款")
        verbose_name_plural = _("预付款")
        ordering = ["order", "received_on"]
        constraints = [
            *decimal_bounds("fulfilment_prepayment", amount=(18, 2)),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="prepayment_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.order} {self.amount}"


class ShippingMode(models.TextChoices):
    """K-1, G-5: how the goods travel."""

    EXPRESS = "express", _("快递")
    FREIGHT = "freight", _("货运")
    PICKUP = "pickup", _("客户自提")
    OWN_FLEET = "own_fleet", _("自有车辆")


class Shipment(models.Model):
    """G-5, G-6: one shipment of an order, whole or partial, with carrier and tracking number."""

    order = models.ForeignKey(
        "orders.SalesOrder", verbose_name=_("订单"), on_delete=models.PROTECT, related_name="shipments"
    )
    number = models.PositiveIntegerField(_("批次"))
    mode = models.CharField(_("运输方式"), max_length=20, choices=ShippingMode.choices)
    carrier = models.ForeignKey(
        "partners.Carrier",
        verbose_name=_("承运商"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    route = models.CharField(_("路线"), max_length=200, blank=True)
    packaging = models.CharField(_("包装"), max_length=200, blank=True)
    tracking_number = models.CharField(_("运单号"), max_length=60, blank=True, db_index=True)
    shipped_on = models.DateField(_("发货日期"))
    # K-1: where and when the goods arrive, as confirmed with the customer's contact.
    delivery_place = models.CharField(_("交货地点"), max_length=255, blank=True)
    expected_arrival = models.DateField(_("预计到达日期"), null=True, blank=True)
    confirmed_with = models.CharField(_("与客户确认人"), max_length=100, blank=True)
    # K-2, G-3: the passed final inspections that released these goods (found by the rule, never a
    # tick box), and the quantity checked before they leave.
    released_by = models.ManyToManyField(
        "quality.Inspection", verbose_name=_("放行检验"), related_name="released_shipments", blank=True
    )
    quantity_checked = models.BooleanField(_("发货前数量已核对"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("发货")
        verbose_name_plural = _("发货")
        ordering = ["order", "number"]
        constraints = [models.UniqueConstraint(fields=["order", "number"], name="shipment_unique_number")]

    def __str__(self) -> str:
        return f"{self.order} #{self.number}"


class ShipmentLine(models.Model):
    shipment = models.ForeignKey(
        Shipment, verbose_name=_("发货"), on_delete=models.PROTECT, related_name="lines"
    )
    order_line = models.ForeignKey(
        "orders.OrderLine",
        verbose_name=_("订单明细"),
        on_delete=models.PROTECT,
        related_name="shipment_lines",
    )
    quantity = models.DecimalField(_("数量"), max_digits=16, decimal_places=4)

    class Meta:
        verbose_name = _("发货明细")
        verbose_name_plural = _("发货明细")
        constraints = [
            *decimal_bounds("fulfilment_shipmentline", quantity=(16, 4)),
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="shipment_line_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.shipment} {self.order_line_id}"


class ReservationStatus(models.TextChoices):
    RESERVED = "reserved", _("已预留")
    PICKED = "picked", _("已拣货")
    CHECKED = "checked", _("已复核")
    PACKED = "packed", _("已包装")
    SHIPPED = "shipped", _("已出库")
    RELEASED = "released", _("已释放")


class Reservation(models.Model):
    """G-4: stock held for an order line in one warehouse; picked, second-checked, packed, shipped."""

    order = models.ForeignKey(
        "orders.SalesOrder", verbose_name=_("订单"), on_delete=models.PROTECT, related_name="reservations"
    )
    order_line = models.ForeignKey(
        "orders.OrderLine", verbose_name=_("订单明细"), on_delete=models.PROTECT, related_name="reservations"
    )
    stock_level = models.ForeignKey(
        "catalog.StockLevel", verbose_name=_("库存"), on_delete=models.PROTECT, related_name="reservations"
    )
    quantity = models.DecimalField(_("数量"), max_digits=16, decimal_places=4)
    dispatched = models.DecimalField(_("已出库数量"), max_digits=16, decimal_places=4, default=Decimal("0"))
    status = models.CharField(
        _("状态"), max_length=20, choices=ReservationStatus.choices, default=ReservationStatus.RESERVED
    )
    reserved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    picked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    packing = models.CharField(_("包装说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("库存预留")
        verbose_name_plural = _("库存预留")
        ordering = ["order", "order_line", "id"]
        constraints = [
            *decimal_bounds("fulfilment_reservation", quantity=(16, 4), dispatched=(16, 4)),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="reservation_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.order} {self.order_line_id} {self.quantity}"


class POStatus(models.TextChoices):
    OPEN = "open", _("执行中")
    CLOSED = "closed", _("已完成")
    CANCELLED = "cancelled", _("已取消")


class SupplierDecision(models.TextChoices):
    """J-1: what happens to a purchase order when its sales order is cancelled."""

    PENDING = "pending", _("待与供应商协商")
    CANCEL = "cancel", _("取消采购")
    RETURN = "return", _("退货")
    KEEP_STOCK = "keep_stock", _("留作库存")


class PurchaseOrder(models.Model):
    """G-1: a purchase order for an order's materials, to a qualified supplier."""

    order = models.ForeignKey(
        "orders.SalesOrder", verbose_name=_("订单"), on_delete=models.PROTECT, related_name="purchase_orders"
    )
    number = models.PositiveIntegerField(_("序号"))
    supplier = models.ForeignKey(
        "partners.Supplier",
        verbose_name=_("供应商"),
        on_delete=models.PROTECT,
        related_name="purchase_orders",
    )
    status = models.CharField(_("状态"), max_length=20, choices=POStatus.choices, default=POStatus.OPEN)
    supplier_decision = models.CharField(
        _("供应商处理"), max_length=20, choices=SupplierDecision.choices, blank=True
    )
    decision_note = models.CharField(_("处理说明"), max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("采购订单")
        verbose_name_plural = _("采购订单")
        ordering = ["order", "number"]
        constraints = [
            models.UniqueConstraint(fields=["order", "number"], name="purchase_order_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.order}-P{self.number}"


class PurchaseLine(models.Model):
    purchase_order = models.ForeignKey(
        PurchaseOrder, verbose_name=_("采购订单"), on_delete=models.PROTECT, related_name="lines"
    )
    product = models.ForeignKey(
        "catalog.Product", verbose_name=_("物料"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.DecimalField(_("采购数量"), max_digits=16, decimal_places=4)
    promised_date = models.DateField(_("供应商承诺交期"))
    accepted = models.DecimalField(_("已验收合格"), max_digits=16, decimal_places=4, default=Decimal("0"))

    class Meta:
        verbose_name = _("采购明细")
        verbose_name_plural = _("采购明细")
        constraints = [
            *decimal_bounds("fulfilment_purchaseline", quantity=(16, 4), accepted=(16, 4)),
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="purchase_line_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.purchase_order} {self.product_id}"


class Disposition(models.TextChoices):
    RETURN = "return", _("退货")
    EXCHANGE = "exchange", _("换货")


class IncomingInspection(models.Model):
    """G-1 来料检验 (到货验收): a supplier's delivery arriving, counted and inspected; rejected goods
    are returned or exchanged. (Not "receipt": in the glossary a receipt is 签收, the customer
    signing for goods.)"""

    line = models.ForeignKey(
        PurchaseLine,
        verbose_name=_("采购明细"),
        on_delete=models.PROTECT,
        related_name="incoming_inspections",
    )
    received_on = models.DateField(_("到货日期"))
    received = models.DecimalField(_("到货数量"), max_digits=16, decimal_places=4)
    accepted = models.DecimalField(_("合格数量"), max_digits=16, decimal_places=4)
    rejected = models.DecimalField(_("不合格数量"), max_digits=16, decimal_places=4)
    disposition = models.CharField(_("不合格处理"), max_length=20, choices=Disposition.choices, blank=True)
    notes = models.CharField(_("说明"), max_length=300, blank=True)
    inspected_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # G-1, G-3 (flows): the quality record this delivery's inspection fed (stage incoming): one
    # inspection, seen by procurement here and by quality among the order's inspections. Empty
    # only for a row the linking migration found no order for (none known).
    inspection = models.OneToOneField(
        "quality.Inspection",
        verbose_name=_("检验记录"),
        on_delete=models.PROTECT,
        related_name="receipt",
        null=True,
        blank=True,
    )

    class Meta:
        db_table = "fulfilment_goodsreceipt"  # the table keeps its name (issue 22 renamed the model)
        constraints = [
            *decimal_bounds("fulfilment_goodsreceipt", received=(16, 4), accepted=(16, 4), rejected=(16, 4))
        ]
        verbose_name = _("到货验收")
        verbose_name_plural = _("到货验收")
        ordering = ["line", "received_on", "id"]

    def __str__(self) -> str:
        return f"{self.line} {self.received_on}"
