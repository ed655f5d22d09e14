"""Change and cancellation requests (I-1..I-4, J-1): what changes, who reviews it, the decision,
the change agreement, and the loss a cancellation costs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from oms.core.models import OneTimeLink
from oms.core.money import decimal_bounds
from oms.review.models import TaskStatus, Verdict


class RequestKind(models.TextChoices):
    CHANGE = "change", _("订单变更")
    CANCELLATION = "cancellation", _("订单取消")


class Source(models.TextChoices):
    """I-1: the customer (through sales, with their written notice) or a department."""

    CUSTOMER = "customer", _("客户提出")
    DEPARTMENT = "department", _("内部部门提出")


class CustomerChannel(models.TextChoices):
    """I-1: how a customer's request reached the company; it is always raised in the
    salesperson's name (`raised_by`), so this says who really asked."""

    SALES = "sales", _("销售代录")
    LINK = "link", _("客户变更链接")
    PORTAL = "portal", _("客户门户")


class RequestStatus(models.TextChoices):
    IN_REVIEW = "in_review", _("部门评审中")
    IN_APPROVAL = "in_approval", _("待领导审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("未通过")
    WITHDRAWN = "withdrawn", _("已撤回")


OPEN_REQUEST_STATUSES = (RequestStatus.IN_REVIEW, RequestStatus.IN_APPROVAL)

ASPECT_LABELS = {
    "lines": _("增减产品"),
    "quantity": _("数量"),
    "price": _("价格"),
    "delivery_date": _("交货日期"),
    "delivery_place": _("交货地点"),
    "specs": _("规格与特殊要求"),
    "payment_terms": _("付款与发票"),
    "cancellation": _("取消订单"),
}


class ChangeRequest(models.Model):
    """I-1 订单变更申请表 / J-1 取消申请: the proposal is kept as it was asked; the order changes
    only when every affected department and the leader have approved (I-2)."""

    order = models.ForeignKey(
        "orders.SalesOrder", verbose_name=_("订单"), on_delete=models.PROTECT, related_name="change_requests"
    )
    number = models.CharField(_("申请编号"), max_length=60, unique=True)
    kind = models.CharField(_("类型"), max_length=20, choices=RequestKind.choices)
    source = models.CharField(_("提出方"), max_length=20, choices=Source.choices)
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=RequestStatus.choices,
        default=RequestStatus.IN_REVIEW,
        db_index=True,
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "accounts.Department", verbose_name=_("申请部门"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("变更原因"))
    impact = models.TextField(_("预计影响"))
    proposal = models.JSONField(_("新条款"), default=dict)
    summary = models.JSONField(_("变更内容"), default=list)
    aspects = models.JSONField(_("变更方面"), default=list)
    touched_lines = models.JSONField(_("涉及的明细行"), default=list)
    touched_terms = models.JSONField(_("涉及的条款"), default=list)
    departments = models.JSONField(_("评审部门"), default=list)
    base_version = models.PositiveIntegerField(_("申请时订单版本"))
    customer_notice = models.FileField(_("客户书面通知"), upload_to="changes/notices/%Y/%m/", blank=True)
    notice_sha256 = models.CharField(max_length=64, blank=True)
    loss_facts = models.JSONField(_("损失评估依据"), default=dict, blank=True)
    loss_amount = models.DecimalField(_("估算损失"), max_digits=18, decimal_places=2, null=True, blank=True)
    loss_notes = models.TextField(_("损失说明"), blank=True)
    decided_at = models.DateTimeField(_("结论时间"), null=True, blank=True)
    decision_reason = models.TextField(_("结论说明"), blank=True)
    result_version = models.PositiveIntegerField(_("变更后订单版本"), null=True, blank=True)
    agreement_number = models.CharField(_("变更协议编号"), max_length=60, blank=True)
    agreement_html = models.TextField(_("变更协议正文"), blank=True)
    agreement_file = models.FileField(
        _("变更协议签字盖章件"), upload_to="changes/agreements/%Y/%m/", blank=True
    )
    agreement_sha256 = models.CharField(max_length=64, blank=True)
    agreement_signed_at = models.DateTimeField(_("协议签订时间"), null=True, blank=True)
    agreement_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    customer_name = models.CharField(_("客户提交人"), max_length=100, blank=True)
    # I-1: for a customer's request, how it came (empty for a department's own request) and the
    # customer's portal login that submitted it (none by link or through sales).
    channel = models.CharField(_("提交方式"), max_length=20, choices=CustomerChannel.choices, blank=True)
    customer_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("客户门户账号"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    explained_at = models.DateTimeField(_("已向客户说明"), null=True, blank=True)
    explanation = models.TextField(_("向客户说明的内容"), blank=True)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True, db_index=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        constraints = [*decimal_bounds("changes_changerequest", loss_amount=(18, 2))]
        verbose_name = _("变更申请")
        verbose_name_plural = _("变更申请")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["order", "status"])]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REQUEST_STATUSES

    @property
    def raiser_display(self) -> str:
        """I-1: who really raised the request and how: the customer's contact in the portal or by
        link (registered in the salesperson's name), the customer through sales, or a
        department's own request."""
        sales = self.raised_by.get_full_name() or self.raised_by.get_username()
        if self.source != Source.CUSTOMER:
            return f"{sales}（{self.department}）"
        values = {"n": self.customer_name, "c": self.order.customer.name, "s": sales}
        if self.channel == CustomerChannel.PORTAL:
            return str(_("客户%(n)s（%(c)s）在客户门户提出，以销售%(s)s 名义登记")) % values
        if self.channel == CustomerChannel.LINK:
            return str(_("客户%(n)s（%(c)s）通过客户变更链接提出，以销售%(s)s 名义登记")) % values
        if self.customer_name:
            return str(_("客户%(n)s（%(c)s）提出，销售%(s)s 代录")) % values
        return str(_("客户（%(c)s）提出，销售%(s)s 代录")) % values

    def aspect_labels(self) -> list[str]:
        return [str(ASPECT_LABELS.get(a, a)) for a in self.aspects]

    def raiser_ids(self) -> set[int | None]:
        """P-5: whoever raised a change or cancellation request never reviews or approves it (I-2, J-1)."""
        return {self.raised_by_id}


class ChangeTask(models.Model):
    """I-2: one affected department's opinion, or the leader's approval (the last stage)."""

    request = models.ForeignKey(
        ChangeRequest, verbose_name=_("变更申请"), on_delete=models.PROTECT, related_name="tasks"
    )
    stage = models.PositiveIntegerField(_("环节"))
    department = models.ForeignKey(
        "accounts.Department", verbose_name=_("部门"), on_delete=models.PROTECT, related_name="+"
    )
    department_kind = models.CharField(_("部门类型"), max_length=40)
    is_leader = models.BooleanField(_("领导审批"), default=False)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("评审人"),
        on_delete=models.PROTECT,
        related_name="change_tasks",
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=TaskStatus.choices, default=TaskStatus.WAITING, db_index=True
    )
    verdict = models.CharField(_("评审意见"), max_length=20, choices=Verdict.choices, blank=True)
    comment = models.TextField(_("意见说明"), blank=True)
    conditions = models.TextField(_("附加条件"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("评审时间"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("变更评审任务")
        verbose_name_plural = _("变更评审任务")
        ordering = ["request", "stage", "id"]

    def __str__(self) -> str:
        return f"{self.request} · {self.department}"

    def raiser_ids(self) -> set[int | None]:
        """P-5: the request's raiser gives no opinion on it (I-2)."""
        return self.request.raiser_ids()


class CustomerLink(OneTimeLink):
    """I-1: a one-time link through which the customer asks for a change themselves; only the
    token's hash is kept. What they submit, with their name and the time, is their written notice."""

    order = models.ForeignKey("orders.SalesOrder", on_delete=models.PROTECT, related_name="change_links")
    request = models.ForeignKey(
        ChangeRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("客户变更链接")
        verbose_name_plural = _("客户变更链接")

    def __str__(self) -> str:
        return f"{self.order} {self.expires_at:%Y-%m-%d %H:%M}"
