"""Orders, their lines, and inquiries before an order exists (B-1..B-9)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oms.core.models import validate_phone
from oms.core.money import decimal_bounds
from oms.customers.models import PaymentTerms
from oms.orders.indexes import live_indexes
from oms.policy.models import PinnedPolicy


class ConfirmationMethod(models.TextChoices):
    """D-2: how the customer's confirmation reached the order (who acted is `confirmed_by`)."""

    SALES = "sales", _("销售记录")
    LINK = "link", _("客户确认链接")
    PORTAL = "portal", _("客户门户")


class Channel(models.TextChoices):
    """B-1: how the order or inquiry reached the company."""

    PHONE = "phone", _("电话")
    EMAIL = "email", _("邮件")
    FAX = "fax", _("传真")
    MAIL = "mail", _("信函")
    VISIT = "visit", _("客户来访")
    PORTAL = "portal", _("网上门户")
    ECOMMERCE = "ecommerce", _("电商平台")
    MARKETING = "marketing", _("市场线索")
    REFERRAL = "referral", _("合作伙伴推荐")
    TRADE_SHOW = "trade_show", _("展会")
    WALK_IN = "walk_in", _("门店/上门")
    IMPORT = "import", _("批量导入")
    API = "api", _("系统对接")


class OrderStatus(models.TextChoices):
    """DESIGN 4: the order's states; later issues add the rest of the lifecycle."""

    DRAFT = "draft", _("草稿")
    PENDING_CHECK = "pending_check", _("待初审")
    NEEDS_INFO = "needs_info", _("待补充")
    AWAITING_DECISION = "awaiting_decision", _("待管理层决定")
    IN_REVIEW = "in_review", _("评审中")
    REVIEW_FAILED = "review_failed", _("评审未通过")
    IN_APPROVAL = "in_approval", _("审批中")
    AWAITING_CONFIRMATION = "awaiting_confirmation", _("待客户确认")
    CONFIRMED = "confirmed", _("已确认")
    RELEASED = "released", _("已下达")
    IN_PRODUCTION = "in_production", _("生产中")
    SHIPPED = "shipped", _("已发货")
    RECEIVED = "received", _("已签收")
    CLOSED = "closed", _("已关闭")
    ON_HOLD = "on_hold", _("暂停")
    DECLINED = "declined", _("未接单")
    CANCELLED = "cancelled", _("已取消")


OPEN_STATUSES = (
    OrderStatus.PENDING_CHECK,
    OrderStatus.NEEDS_INFO,
    OrderStatus.AWAITING_DECISION,
    OrderStatus.IN_REVIEW,
    OrderStatus.REVIEW_FAILED,
    OrderStatus.IN_APPROVAL,
    OrderStatus.AWAITING_CONFIRMATION,
    OrderStatus.CONFIRMED,
    OrderStatus.RELEASED,
    OrderStatus.IN_PRODUCTION,
    OrderStatus.SHIPPED,
    OrderStatus.RECEIVED,
    OrderStatus.ON_HOLD,
)
# H-6: the overview's risk, kept on the order by `oms.tracking.actions.risk` (issue 21), and the
# archive's mark (M-3), never written by a whole-row save; and the overview's order.
RISK_FIELDS = frozenset({"risk_late", "risk_exceptions", "risk_idle", "kpi_defective", "archived"})
RISK_ORDER = ("-risk_late", "-risk_exceptions", "-risk_idle", "delivery_date", "id")
# States in which sales may still edit the commercial terms directly (B-5, C-6 renegotiation).
EDITABLE_STATUSES = (OrderStatus.DRAFT, OrderStatus.NEEDS_INFO, OrderStatus.REVIEW_FAILED)


class CustomerStage(models.TextChoices):
    """H-1: the five stages the customer and every department see."""

    PLACED = "placed", _("已下单")
    REVIEWED = "reviewed", _("已审核")
    IN_PRODUCTION = "in_production", _("生产中")
    SHIPPED = "shipped", _("已发货")
    RECEIVED = "received", _("已签收")


# Statuses of later stages are named here already so that the stage never goes backwards as the
# lifecycle grows (DESIGN 4 lists them).
_STAGE_OF_STATUS = {
    "awaiting_confirmation": CustomerStage.REVIEWED,
    "confirmed": CustomerStage.REVIEWED,
    "released": CustomerStage.REVIEWED,
    "in_production": CustomerStage.IN_PRODUCTION,
    "on_hold": CustomerStage.IN_PRODUCTION,
    "ready_to_ship": CustomerStage.IN_PRODUCTION,
    "shipped": CustomerStage.SHIPPED,
    "received": CustomerStage.RECEIVED,
    "closed": CustomerStage.RECEIVED,
}


# The order's terms as agreed with the customer (B-2 to B-5): one list for the entry form, the
# entry action, the version snapshots and the API (issue 22: one implementation per idea).
TERM_FIELDS = (
    "order_date",
    "channel",
    "order_class",
    "delivery_date",
    "delivery_place",
    "payment_terms",
    "invoice_requirements",
    "needs_customisation",
    "needs_special_packaging",
    "needs_special_transport",
    "special_requirements",
)
# The header as it is entered (B-1 to B-5, B-9): who the customer is and how to reach them, the
# terms, the customer's reference and the original document.
HEADER_FIELDS = (
    "customer",
    "contact_name",
    "contact_phone",
    *TERM_FIELDS,
    "external_ref",
    "original_document",
)


class SalesOrder(PinnedPolicy):
    """B-3: one customer order; its number follows the policy's format (B-4)."""

    number = models.CharField(_("订单编号"), max_length=60, unique=True)
    status = models.CharField(
        _("状态"), max_length=30, choices=OrderStatus.choices, default=OrderStatus.DRAFT, db_index=True
    )
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("客户"), on_delete=models.PROTECT, related_name="orders"
    )
    contact_name = models.CharField(_("联系人"), max_length=60)
    contact_phone = models.CharField(_("联系电话"), max_length=30, validators=[validate_phone])
    order_date = models.DateField(_("下单日期"), db_index=True)
    channel = models.CharField(_("接收渠道"), max_length=20, choices=Channel.choices)
    order_class = models.CharField(_("订单类别"), max_length=20, default="normal")
    delivery_date = models.DateField(_("交货日期"))
    delivery_place = models.CharField(_("交货地点"), max_length=255)
    payment_terms = models.CharField(_("付款方式"), max_length=20, choices=PaymentTerms.choices)
    invoice_requirements = models.CharField(_("发票要求"), max_length=255, blank=True)
    needs_customisation = models.BooleanField(_("定制要求"), default=False)
    needs_special_packaging = models.BooleanField(_("特殊包装"), default=False)
    needs_special_transport = models.BooleanField(_("特殊运输"), default=False)
    special_requirements = models.TextField(_("特殊要求说明"), blank=True)
    currency = models.CharField(_("币种"), max_length=3, default="CNY")
    total_amount = models.DecimalField(_("订单金额"), max_digits=18, decimal_places=2, default=Decimal("0"))
    salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("销售员"),
        on_delete=models.PROTECT,
        related_name="sales_orders",
    )
    department = models.ForeignKey(
        "accounts.Department", verbose_name=_("销售部门"), on_delete=models.PROTECT, related_name="orders"
    )
    original_document = models.FileField(_("客户原始单据"), upload_to="orders/originals/%Y/%m/", blank=True)
    duplicate_reason = models.CharField(_("重复下单说明"), max_length=200, blank=True)
    external_ref = models.CharField(_("客户单号"), max_length=60, blank=True, db_index=True)
    inquiry = models.ForeignKey(
        "orders.Inquiry",
        verbose_name=_("来源咨询"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    decided_at = models.DateTimeField(_("初审完成时间"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    confirmed_by_name = models.CharField(_("确认人"), max_length=100, blank=True)
    confirmation_method = models.CharField(
        _("确认方式"), max_length=20, choices=ConfirmationMethod.choices, blank=True
    )
    # D-2: the login that recorded or gave the confirmation: the salesperson who recorded it, or
    # the customer's own portal login (empty for a one-time link, which has no login).
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmation_evidence = models.FileField(
        _("确认凭证"), upload_to="orders/confirmations/%Y/%m/", blank=True
    )
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("录入人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    # P-5: the checker who escalated the order to management does not decide it too.
    escalated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上报人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    # B-9: what the duplicate check compares (customer + live lines), kept with the order so that
    # the check is one indexed lookup instead of reading the customer's recent orders and lines.
    lines_fingerprint = models.CharField(_("明细指纹"), max_length=32, blank=True, default="", editable=False)

    # H-6 (issue 21): an open overdue step of the order, its open exceptions, an open idleness
    # reminder, kept by tracking's actions and the sweep so that the overview walks an index.
    risk_late = models.BooleanField(_("有超时待办"), default=False, editable=False)
    risk_exceptions = models.PositiveIntegerField(_("未解决异常数"), default=0, editable=False)
    risk_idle = models.BooleanField(_("长期无进展"), default=False, editable=False)
    # O-1 (issue 21): delivered with a problem, kept by `tracking.actions.outcomes` (order accuracy).
    kpi_defective = models.BooleanField(_("有质量问题"), default=False, editable=False)
    # M-3 (issue 21): filed in the archive, kept by `archive.actions.file_order` (`live_indexes`).
    archived = models.BooleanField(_("已归档"), default=False, editable=False)

    class Meta:
        verbose_name = _("订单")
        verbose_name_plural = _("订单")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "lines_fingerprint", "created_at"], name="order_duplicate_idx"),
            # The default ordering, so that the first page of a list never sorts the whole table.
            models.Index(fields=["-created_at", "-id"], name="order_created_id_idx"),
            models.Index(fields=["status", "-created_at"]),
            *live_indexes(),  # issue 21, M-3
            # H-6's overview (issue 21), in its order, on open orders; the scope's columns in the
            # first (PostgreSQL): a head's capped count filters a team with few open orders without
            # reading the rows (90 → 3 ms at 10^5); per salesperson and department for small scopes.
            *[
                models.Index(
                    fields=[*lead, *RISK_ORDER],
                    include=include,
                    condition=models.Q(status__in=OPEN_STATUSES),
                    name=f"order_overview_{name}_idx",
                )
                for lead, include, name in (
                    ((), ["salesperson", "department"], "risk"),
                    (("salesperson",), [], "person"),
                    (("department",), [], "dept"),
                )
            ],
            # The analysis (O-1, Q-1) aggregates orders by confirmation time: on PostgreSQL an
            # index-only scan of these few columns instead of the wide rows (elsewhere a plain
            # index on confirmed_at).
            models.Index(
                fields=["confirmed_at"],
                include=["customer", "salesperson", "department", "total_amount", "order_date", "status"],
                name="order_confirmed_cover_idx",
            ),
        ]
        constraints = [
            *decimal_bounds("orders_salesorder", total_amount=(18, 2)),
            models.CheckConstraint(condition=models.Q(total_amount__gte=0), name="order_total_not_negative"),
            models.CheckConstraint(
                condition=models.Q(delivery_date__gte=models.F("order_date")),
                name="order_delivery_not_before_order_date",
                violation_error_message=_("交货日期不能早于下单日期。"),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    # The engine's save sends the UPDATE of `save(update_fields=…)` itself (issue 21): this save()
    # changes nothing when the fields are given.
    SAVES_UPDATE_FIELDS_AS_DJANGO = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        """A whole-row save of a stored order writes every field but `RISK_FIELDS`: the instance
        may predate the sweep's change or the filing, and writing it back would undo it (H-6, M-3)."""
        if kwargs.get("update_fields") is None and not self._state.adding and not kwargs.get("force_insert"):
            skip = RISK_FIELDS | self.get_deferred_fields()  # as Django: what was not loaded stays
            kwargs["update_fields"] = [
                f.name for f in self._meta.concrete_fields if not f.primary_key and f.attname not in skip
            ]
        super().save(*args, **kwargs)

    @property
    def has_special_requirements(self) -> bool:
        """B-3: flagged so every later step sees it."""
        return (
            self.needs_customisation
            or self.needs_special_packaging
            or self.needs_special_transport
            or bool(self.special_requirements.strip())
        )

    @property
    def confirmation_account(self) -> str:
        """D-2: who really confirmed and how, with the time, for every page and record that shows
        the confirmation: the customer in the portal or by link, or the customer as recorded by
        sales (naming the salesperson)."""
        if self.confirmed_at is None:
            return ""
        when = f"{timezone.localtime(self.confirmed_at):%Y-%m-%d %H:%M}"
        if self.confirmation_method == ConfirmationMethod.PORTAL:
            text = _("客户%(n)s（%(c)s）于 %(t)s 在客户门户确认")
        elif self.confirmation_method == ConfirmationMethod.LINK:
            text = _("客户%(n)s（%(c)s）于 %(t)s 通过客户确认链接确认")
        else:
            text = _("客户%(n)s（%(c)s）确认，销售%(s)s 于 %(t)s 记录")
        recorder = self.confirmed_by
        return str(text) % {
            "n": self.confirmed_by_name,
            "c": self.customer.name,
            "t": when,
            "s": (recorder.get_full_name() or recorder.get_username()) if recorder else "",
        }

    @property
    def customer_stage(self) -> str:
        """H-1: placed until approved, reviewed once approved, then production, shipment, receipt."""
        return str(_STAGE_OF_STATUS.get(self.status, CustomerStage.PLACED))

    @property
    def customer_stage_label(self) -> str:
        return str(CustomerStage(self.customer_stage).label)

    def customer_stages(self) -> list[tuple[str, Any, bool]]:
        """(code, label, reached) for the stepper shown to departments and the customer."""
        codes = list(CustomerStage.values)
        reached = codes.index(self.customer_stage)
        return [(code, label, i <= reached) for i, (code, label) in enumerate(CustomerStage.choices)]

    def order_class_label(self) -> str:
        """B-7: the class's name in the policy version the order runs under."""
        for rule in self.policy().order_classes:
            if rule.code == self.order_class:
                return rule.shown_label
        return self.order_class

    def special_flags(self) -> list[Any]:
        flags = []
        if self.needs_customisation:
            flags.append(_("定制"))
        if self.needs_special_packaging:
            flags.append(_("特殊包装"))
        if self.needs_special_transport:
            flags.append(_("特殊运输"))
        return flags

    def raiser_ids(self) -> set[int | None]:
        """P-5: whoever entered the order and its salesperson never check or approve it."""
        return {self.created_by_id, self.salesperson_id}


class LiveLineManager(models.Manager["OrderLine"]):
    def get_queryset(self) -> models.QuerySet[OrderLine]:
        return super().get_queryset().filter(removed=False)


class OrderLine(models.Model):
    """B-3: product, spec, quantity, unit, unit price and amount. A line removed from a draft is
    kept (removed=True) so nothing a user entered is lost."""

    order = models.ForeignKey(
        SalesOrder, verbose_name=_("订单"), on_delete=models.PROTECT, related_name="lines"
    )
    line_no = models.PositiveIntegerField(_("行号"))
    product = models.ForeignKey(
        "catalog.Product", verbose_name=_("产品"), on_delete=models.PROTECT, related_name="order_lines"
    )
    spec = models.CharField(_("规格型号"), max_length=200, blank=True)
    quantity = models.DecimalField(
        _("数量"), max_digits=16, decimal_places=4, validators=[MinValueValidator(Decimal("0.0001"))]
    )
    unit = models.CharField(_("单位"), max_length=20)
    unit_price = models.DecimalField(
        _("单价"), max_digits=16, decimal_places=4, validators=[MinValueValidator(Decimal("0"))]
    )
    amount = models.DecimalField(_("金额"), max_digits=18, decimal_places=2)
    removed = models.BooleanField(_("已删除"), default=False)

    all_objects = models.Manager()
    objects = LiveLineManager()

    class Meta:
        verbose_name = _("订单明细")
        verbose_name_plural = _("订单明细")
        ordering = ["order", "line_no"]
        base_manager_name = "all_objects"
        default_manager_name = "objects"
        constraints = [
            *decimal_bounds("orders_orderline", quantity=(16, 4), unit_price=(16, 4), amount=(18, 2)),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="order_line_quantity_positive"),
            models.CheckConstraint(
                condition=models.Q(unit_price__gte=0), name="order_line_price_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}#{self.line_no}"


class InquiryStatus(models.TextChoices):
    OPEN = "open", _("待分配")
    HANDED_OVER = "handed_over", _("跟进中")
    CONVERTED = "converted", _("已转订单")
    CLOSED = "closed", _("已关闭")


class Inquiry(models.Model):
    """B-2: an inquiry or lead captured by customer service or marketing, handed to sales."""

    status = models.CharField(
        _("状态"), max_length=20, choices=InquiryStatus.choices, default=InquiryStatus.OPEN, db_index=True
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("客户"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inquiries",
    )
    prospect_name = models.CharField(_("潜在客户名称"), max_length=200, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=60)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True, validators=[validate_phone])
    channel = models.CharField(_("接收渠道"), max_length=20, choices=Channel.choices)
    content = models.TextField(_("咨询内容"))
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("接待人"), on_delete=models.PROTECT, related_name="+"
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("跟进销售"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inquiries",
    )
    close_reason = models.CharField(_("关闭原因"), max_length=200, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("咨询")
        verbose_name_plural = _("咨询")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return str(_("咨询 #%(n)s %(c)s") % {"n": self.pk, "c": self.customer or self.prospect_name})

    @property
    def department(self) -> Any:
        return self.assigned_to.department if self.assigned_to_id and self.assigned_to else None


class OrderVersion(models.Model):
    """I-4: every version of the order's terms and lines, kept; differences can be shown."""

    order = models.ForeignKey(
        SalesOrder, verbose_name=_("订单"), on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(_("版本号"))
    snapshot = models.JSONField(_("内容"))
    reason = models.CharField(_("原因"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("订单版本")
        verbose_name_plural = _("订单版本")
        ordering = ["order", "number"]
        constraints = [
            models.UniqueConstraint(fields=["order", "number"], name="order_version_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.order} v{self.number}"
