"""Review rounds and opinions (C-1..C-7), the approval chain (D-1), confirmation (D-2, D-3)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from oms.core.models import OneTimeLink


class RoundStatus(models.TextChoices):
    OPEN = "open", _("评审中")
    PASSED = "passed", _("通过")
    FAILED = "failed", _("未通过")


class ReviewRound(models.Model):
    """One review of an order; a failed round stays on record when the order is re-reviewed (C-6)."""

    order = models.ForeignKey(
        "orders.SalesOrder", verbose_name=_("订单"), on_delete=models.PROTECT, related_name="review_rounds"
    )
    number = models.PositiveIntegerField(_("轮次"))
    mode = models.CharField(_("评审方式"), max_length=20)
    major = models.BooleanField(_("重大订单"), default=False)
    major_reasons = models.JSONField(_("重大订单原因"), default=list, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=RoundStatus.choices, default=RoundStatus.OPEN)
    outcome_reason = models.TextField(_("结论说明"), blank=True)
    customer_caused = models.BooleanField(_("客户原因"), default=False)
    lesson = models.TextField(_("经验教训"), blank=True)
    started_at = models.DateTimeField(_("开始时间"))
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("评审轮次")
        verbose_name_plural = _("评审轮次")
        ordering = ["order", "number"]
        constraints = [models.UniqueConstraint(fields=["order", "number"], name="review_round_unique_number")]

    def __str__(self) -> str:
        return f"{self.order} #{self.number}"


class TaskStatus(models.TextChoices):
    WAITING = "waiting", _("等待前序环节")
    OPEN = "open", _("待评审")
    DONE = "done", _("已评审")
    SKIPPED = "skipped", _("未进行")


class Verdict(models.TextChoices):
    APPROVE = "approve", _("同意")
    APPROVE_WITH_CONDITIONS = "conditions", _("有条件同意")
    REJECT = "reject", _("不同意")


class ReviewTask(models.Model):
    """One department's judgement in a round (C-2, C-5); the chair's task decides a major order (C-4)."""

    round = models.ForeignKey(
        ReviewRound, verbose_name=_("评审轮次"), on_delete=models.PROTECT, related_name="tasks"
    )
    stage = models.PositiveIntegerField(_("环节"))
    department = models.ForeignKey(
        "accounts.Department", verbose_name=_("部门"), on_delete=models.PROTECT, related_name="+"
    )
    department_kind = models.CharField(_("部门类型"), max_length=40)
    is_chair = models.BooleanField(_("委员会主任"), default=False)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("评审人"),
        on_delete=models.PROTECT,
        related_name="review_tasks",
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=TaskStatus.choices, default=TaskStatus.WAITING, db_index=True
    )
    verdict = models.CharField(_("评审意见"), max_length=20, choices=Verdict.choices, blank=True)
    comment = models.TextField(_("意见说明"), blank=True)
    conditions = models.TextField(_("附加条件"), blank=True)
    attachment = models.FileField(_("附件"), upload_to="review/%Y/%m/", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("评审人（实际）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("评审时间"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("评审任务")
        verbose_name_plural = _("评审任务")
        ordering = ["round", "stage", "id"]

    def __str__(self) -> str:
        return f"{self.round.order} · {self.department}"

    def raiser_ids(self) -> set[int | None]:
        """P-5: a review verdict is never given by whoever entered or sells the order (C-5)."""
        return self.round.order.raiser_ids()


class StepStatus(models.TextChoices):
    WAITING = "waiting", _("等待")
    OPEN = "open", _("待审批")
    APPROVED = "approved", _("已同意")
    REJECTED = "rejected", _("已驳回")
    SKIPPED = "skipped", _("未进行")


class ApprovalRole(models.TextChoices):
    """D-1: the signatures a policy's approval tiers may ask for."""

    SALES_HEAD = "sales_head", _("销售部负责人")
    EXECUTIVE = "executive", _("分管领导")
    FINANCE = "finance", _("财务负责人")
    GENERAL_MANAGER = "general_manager", _("总经理")


class ApprovalStep(models.Model):
    """D-1: one signature in the approval chain, in order."""

    order = models.ForeignKey(
        "orders.SalesOrder", verbose_name=_("订单"), on_delete=models.PROTECT, related_name="approval_steps"
    )
    attempt = models.PositiveIntegerField(_("第几次审批"))
    seq = models.PositiveIntegerField(_("顺序"))
    role = models.CharField(_("审批角色"), max_length=30, choices=ApprovalRole.choices)
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        on_delete=models.PROTECT,
        related_name="approval_steps",
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=StepStatus.choices, default=StepStatus.WAITING, db_index=True
    )
    comment = models.TextField(_("审批意见"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("审批步骤")
        verbose_name_plural = _("审批步骤")
        ordering = ["order", "attempt", "seq"]

    def __str__(self) -> str:
        return f"{self.order} {self.role}"

    def raiser_ids(self) -> set[int | None]:
        """P-5: an approval is never signed by whoever entered or sells the order (D-1)."""
        return self.order.raiser_ids()


class ConfirmationLink(OneTimeLink):
    """D-2: a one-time link for the customer to confirm; only the token's hash is kept."""

    order = models.ForeignKey(
        "orders.SalesOrder", on_delete=models.PROTECT, related_name="confirmation_links"
    )

    class Meta:
        verbose_name = _("确认链接")
        verbose_name_plural = _("确认链接")

    def __str__(self) -> str:
        return f"{self.order} {self.expires_at:%Y-%m-%d %H:%M}"


class ModificationRecord(models.Model):
    """D-3: a customer's modification after confirmation, accepted inside the window."""

    order = models.ForeignKey("orders.SalesOrder", on_delete=models.PROTECT, related_name="modifications")
    description = models.TextField(_("修改内容"))
    requested_at = models.DateTimeField(_("申请时间"))
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("确认后修改记录")
        verbose_name_plural = _("确认后修改记录")
        ordering = ["order", "created_at"]

    def __str__(self) -> str:
        return f"{self.order} {self.requested_at:%Y-%m-%d %H:%M}"
