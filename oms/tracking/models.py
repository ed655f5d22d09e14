"""What waits on whom, until when (P-2, P-3): one row per pending step, with its deadline."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from oms.core.money import decimal_bounds
from oms.core.phrases import Phrase, as_phrase, shown


class WorkStatus(models.TextChoices):
    OPEN = "open", _("待办")
    DONE = "done", _("已完成")
    CANCELLED = "cancelled", _("已撤销")


# The kinds of pending step, for the analysis of where time goes and any page that names them.
STEP_KINDS = {
    "order.check": _("订单初审"),
    "order.supplement": _("补充订单信息"),
    "order.decision": _("管理层决定是否接单"),
    "order.renegotiate": _("重新协商"),
    "order.confirmation": _("客户确认"),
    "order.exception": _("处理异常"),
    "order.idle": _("订单无进展提醒"),
    "inquiry.followup": _("跟进咨询"),
    "review.task": _("订单评审"),
    "approval.step": _("订单审批"),
    # Issue 23: the hand-offs from the signed-off order to the archive, each in the next actor's work.
    "contract.generate": _("生成合同"),
    "contract.review": _("合同评审"),
    "contract.sign": _("登记合同签订"),
    "order.release": _("下达订单"),
    "production.milestone": _("生产里程碑"),
    "quality.final": _("成品检验"),
    "warehouse.prepare": _("仓库配货"),
    "logistics.ship": _("安排发货"),
    "billing.invoice": _("开具发票"),
    "archive.request": _("审批档案查阅申请"),
    "release.task": _("下达后的部门计划"),
    "report.contact": _("联系客户"),
    "report.production": _("生产进度汇报"),
    "report.procurement": _("采购进度汇报"),
    "report.quality": _("质量检验情况汇报"),
    "purchase.decision": _("取消后采购处理"),
    "quality.nc": _("不合格品处理"),
    "change.task": _("变更评审"),
    "change.explain": _("向客户说明变更"),
    "change.agreement": _("签订变更协议"),
    "billing.review": _("结算清单审核"),
    "dunning.contact": _("催款联系"),
    "dunning.legal": _("转法务"),
    "complaint.step": _("投诉处理"),
    "improvement.action": _("改进措施"),
}


class WorkItem(models.Model):
    """A pending step with one named responsible person or department (P-3) and a due time (P-2).

    The sweeper marks it overdue once and escalates it to the responsible person's superior.
    """

    kind = models.CharField(_("事项"), max_length=40, db_index=True)
    title = models.CharField(_("标题"), max_length=200)
    # The title as a phrase, rendered in the reader's language (issue 23.12); empty for old rows.
    title_phrase = models.JSONField(_("标题（多语言）"), null=True, blank=True, editable=False)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    # The order the step belongs to, whatever its target (a department task, a review task, a
    # change request, an invoice…): ending the order ends its open steps with one indexed lookup.
    # Empty for steps of no order (an inquiry's follow-up).
    order = models.ForeignKey(
        "orders.SalesOrder",
        verbose_name=_("订单"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="work_items",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("负责人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="work_items",
    )
    department = models.ForeignKey(
        "accounts.Department", verbose_name=_("负责部门"), on_delete=models.PROTECT, related_name="work_items"
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=WorkStatus.choices, default=WorkStatus.OPEN, db_index=True
    )
    started_at = models.DateTimeField(_("开始时间"))
    due_at = models.DateTimeField(_("截止时间"), db_index=True)
    overdue = models.BooleanField(_("已超时"), default=False, db_index=True)
    escalated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("已上报给"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="escalated_items",
    )
    escalated_at = models.DateTimeField(_("上报时间"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("提醒时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("完成人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    outcome = models.CharField(_("结果"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("待办事项")
        verbose_name_plural = _("待办事项")
        ordering = ["-overdue", "due_at", "id"]
        indexes = [
            models.Index(fields=["status", "assignee", "due_at"]),
            models.Index(fields=["status", "department", "due_at"]),
            models.Index(fields=["status", "escalated_to", "due_at"]),
            models.Index(fields=["content_type", "object_id", "status"]),
            models.Index(fields=["order", "status"]),
            # The timeliness KPI and the time per step (O-1, Q-1) read finished steps by when
            # they finished (covering on PostgreSQL, as for orders).
            models.Index(
                fields=["status", "closed_at"],
                include=["kind", "started_at", "due_at", "department", "assignee"],
                name="workitem_closed_cover_idx",
            ),
            # Issue 21: the order timeliness KPI (O-1) asks, for a month's orders, which have a
            # late step; only the steps that can be late (open, flagged, or finished after their
            # limit) are indexed, with what the test reads, so the set is read from a small index
            # instead of every step ever taken.
            models.Index(
                fields=["order"],
                include=["status", "due_at", "closed_at", "overdue"],
                condition=Q(overdue=True) | Q(status=WorkStatus.OPEN) | Q(closed_at__gt=F("due_at")),
                name="workitem_late_order_idx",
            ),
            # Issue 21 (H-5): the department queue of "my work" in its order, on open steps only,
            # with the columns its "not mine" filter reads, so that the executive's first 100
            # (and its capped count) walk the index instead of joining and sorting every open
            # step (12 000 at 10^6 orders: 80 ms).
            models.Index(
                fields=["-overdue", "due_at", "id"],
                include=["assignee", "escalated_to", "department"],
                condition=Q(status=WorkStatus.OPEN),
                name="workitem_open_queue_idx",
            ),
            # Issue 21: the read-time part of order timeliness (O-1): steps open past their limit that
            # the sweep has not flagged yet (a minute's worth while it runs).
            models.Index(
                fields=["due_at"],
                include=["order"],
                condition=Q(status=WorkStatus.OPEN, overdue=False),
                name="workitem_open_unflagged_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.shown_title

    @property
    def shown_title(self) -> str:
        """The title in the reader's language (issue 23.12)."""
        return shown(self.title, self.title_phrase)

    @property
    def title_as_phrase(self) -> str | Phrase:
        """The title to quote inside another message, read in that message's reader's language."""
        return as_phrase(self.title, self.title_phrase)


class StepStat(models.Model):
    """O-1, Q-1: finished steps per day, kind, department and person: how many, how many within
    their limit, and the working time they took in total. Derived from the work items by the
    periodic sweep (a day is recomputed whole), so the timeliness KPI and the time per step read
    a few thousand rows instead of every step ever taken. Not a business record: it can always
    be rebuilt from the work items."""

    day = models.DateField()  # indexed with the figures (Meta.indexes)
    kind = models.CharField(max_length=40)
    department = models.ForeignKey("accounts.Department", on_delete=models.PROTECT, related_name="+")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    done = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)
    seconds = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("待办统计")
        verbose_name_plural = _("待办统计")
        ordering = ["day", "kind"]
        indexes = [
            # Issue 21: a period's figures (the timeliness KPI, the dashboard's time per step) read
            # from the index alone on PostgreSQL.
            models.Index(
                fields=["day"],
                include=["kind", "department", "assignee", "done", "on_time", "seconds"],
                name="stepstat_day_cover_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.kind} {self.done}"


class OrderKpi(models.TextChoices):
    """The order KPIs (O-1) whose per-month figures are kept at write time (issue 21)."""

    TIMELINESS = "order_timeliness", _("订单处理及时率")
    ACCURACY = "order_accuracy", _("订单准确率")
    CONFIRMATION = "confirmation_accuracy", _("确认准确率")


class OrderOutcome(models.Model):
    """O-1 (issue 21): how one order counts in one KPI of one month, written when the event that
    decides it happens (see `oms.tracking.actions.outcomes`): order timeliness when the order is
    submitted (its order date's month) and turned bad when one of its steps is late; order
    accuracy when a delivery of it is signed for (that month) and turned bad by a rejection or
    qualification, a non-conformance or a complaint. Its sales department and salesperson are
    copied from the order, which never changes them. Not a business record: rebuilt from the
    source rows by `manage.py kpi_figures --rebuild`."""

    order = models.ForeignKey("orders.SalesOrder", on_delete=models.PROTECT, related_name="+")
    kpi = models.CharField(max_length=24, choices=OrderKpi.choices)
    month = models.DateField()
    department = models.ForeignKey("accounts.Department", on_delete=models.PROTECT, related_name="+")
    salesperson = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    good = models.BooleanField()

    class Meta:
        verbose_name = _("订单指标结果")
        verbose_name_plural = _("订单指标结果")
        constraints = [
            models.UniqueConstraint(fields=["order", "kpi", "month"], name="orderoutcome_once"),
        ]
        indexes = [
            # The records behind one salesperson's (or department's) figure of a month.
            models.Index(
                fields=["kpi", "month", "salesperson"],
                include=["department", "order"],
                name="orderoutcome_month_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.kpi} {self.order_id} {self.good}"


class KpiTally(models.Model):
    """O-1 (issue 21): the sums of `OrderOutcome` per KPI, month, sales department and
    salesperson (good ones, all), moved by the same statements that write the outcomes, so that
    a KPI page reads at most one row per salesperson instead of grouping a month's orders."""

    kpi = models.CharField(max_length=24, choices=OrderKpi.choices)
    month = models.DateField()
    department = models.ForeignKey("accounts.Department", on_delete=models.PROTECT, related_name="+")
    salesperson = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    numerator = models.IntegerField(default=0)
    denominator = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("订单指标合计")
        verbose_name_plural = _("订单指标合计")
        constraints = [
            models.UniqueConstraint(
                fields=["kpi", "month", "department", "salesperson"], name="kpitally_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.kpi} {self.numerator}/{self.denominator}"


class CollectionTally(models.Model):
    """O-1 (issue 21): the collection rate's sums per month of the invoices' due date, sales
    department and salesperson (of the invoice's order): what the invoices falling due that month
    amount to, and what was received of them by their due date. Moved by the billing actions
    that issue an invoice or change what was received of it by its due date, in the same
    transaction (`oms.tracking.actions.collection`, ADR 0019), so that the KPI page reads at
    most one row per salesperson instead of every invoice of the month joined to its order.
    Not a business record: rebuilt from the invoices by `manage.py kpi_figures --rebuild`."""

    month = models.DateField()
    department = models.ForeignKey("accounts.Department", on_delete=models.PROTECT, related_name="+")
    salesperson = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    received = models.DecimalField(max_digits=20, decimal_places=2, default=Decimal("0"))
    due = models.DecimalField(max_digits=20, decimal_places=2, default=Decimal("0"))

    class Meta:
        verbose_name = _("回款率合计")
        verbose_name_plural = _("回款率合计")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "department", "salesperson"], name="collectiontally_once"
            ),
            *decimal_bounds("tracking_collectiontally", received=(20, 2), due=(20, 2)),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.received}/{self.due}"


class ConfirmedTally(models.Model):
    """Q-1 (issue 21): the management dashboard's sums of the orders confirmed in a month (not
    cancelled), per customer, salesperson, sales department and month of the order date: how
    many, how much, and the latest order date. Moved by the actions that confirm, modify, change
    or cancel a confirmed order, under the order's lock (`oms.tracking.actions.confirmed`, ADR
    0019), so that the dashboard reads a few thousand rows per month instead of every order.
    Not a business record: rebuilt from the orders by `manage.py kpi_figures --rebuild`."""

    month = models.DateField()
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="+")
    salesperson = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey("accounts.Department", on_delete=models.PROTECT, related_name="+")
    order_month = models.DateField()
    orders = models.IntegerField(default=0)
    amount = models.DecimalField(max_digits=20, decimal_places=2, default=Decimal("0"))
    last = models.DateField(null=True)

    class Meta:
        verbose_name = _("已确认订单合计")
        verbose_name_plural = _("已确认订单合计")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "customer", "salesperson", "department", "order_month"],
                name="confirmedtally_once",
            ),
            *decimal_bounds("tracking_confirmedtally", amount=(20, 2)),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.customer_id} {self.orders} {self.amount}"


class EntryKind(models.TextChoices):
    PROGRESS = "progress", _("进展")
    CONTACT = "contact", _("联系客户")
    PROBLEM = "problem", _("问题")
    RESOLUTION = "resolution", _("解决")
    # H-3 (001 六(三)1): procurement's and quality's periodic reports on a running order.
    PROCUREMENT_REPORT = "procurement_report", _("采购进度汇报")
    QUALITY_REPORT = "quality_report", _("质量检验情况汇报")


# H-3: a ledger entry that is a side's periodic report: who owes it (a department kind; None for
# sales, whose salesperson contacts the customer) and the reminder it answers.
REPORT_ENTRIES: dict[str, tuple[str | None, str]] = {
    EntryKind.CONTACT: (None, "report.contact"),
    EntryKind.PROCUREMENT_REPORT: ("procurement", "report.procurement"),
    EntryKind.QUALITY_REPORT: ("quality", "report.quality"),
}


class TrackingEntry(models.Model):
    """H-2: one line of an order's tracking ledger (跟踪台账)."""

    order = models.ForeignKey(
        "orders.SalesOrder", verbose_name=_("订单"), on_delete=models.PROTECT, related_name="tracking_entries"
    )
    kind = models.CharField(_("类别"), max_length=20, choices=EntryKind.choices)
    text = models.TextField(_("内容"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("跟踪台账")
        verbose_name_plural = _("跟踪台账")
        ordering = ["order", "-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.order} {self.get_kind_display()}"


class ExceptionKind(models.TextChoices):
    """H-4: the exceptions the policies name."""

    DELAY = "delay", _("延误")
    QUALITY = "quality", _("质量问题")
    LOGISTICS = "logistics", _("物流延误")
    SHORTAGE = "shortage", _("缺料")
    EQUIPMENT = "equipment", _("设备故障")
    FORCE_MAJEURE = "force_majeure", _("不可抗力")
    ACCEPTANCE = "acceptance", _("客户验收问题")
    OTHER = "other", _("其他")


class ExceptionStatus(models.TextChoices):
    OPEN = "open", _("处理中")
    RESOLVED = "resolved", _("已解决")


class OrderException(models.Model):
    """H-4: raised by anyone, owned by one responsible person with a deadline, escalated when late,
    resolved with its cause and any contractual liability."""

    order = models.ForeignKey(
        "orders.SalesOrder", verbose_name=_("订单"), on_delete=models.PROTECT, related_name="exceptions"
    )
    kind = models.CharField(_("异常类型"), max_length=20, choices=ExceptionKind.choices)
    description = models.TextField(_("情况说明"))
    status = models.CharField(
        _("状态"), max_length=20, choices=ExceptionStatus.choices, default=ExceptionStatus.OPEN, db_index=True
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提出人"), on_delete=models.PROTECT, related_name="+"
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("负责人"),
        on_delete=models.PROTECT,
        related_name="owned_exceptions",
    )
    due_at = models.DateTimeField(_("处理期限"))
    customer_informed = models.BooleanField(_("已告知客户"), default=False)
    cause = models.TextField(_("原因"), blank=True)
    liability = models.TextField(_("合同责任"), blank=True)
    resolution = models.TextField(_("处理结果"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(_("解决时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("提出时间"), auto_now_add=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("订单异常")
        verbose_name_plural = _("订单异常")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "order"])]

    def __str__(self) -> str:
        return f"{self.order} {self.get_kind_display()}"

    def raiser_ids(self) -> set[int | None]:
        """P-5: whoever raised an exception never resolves it (H-4)."""
        return {self.raised_by_id}
