"""Customers' voice (N-1..N-3): complaints walked through the policy's steps, satisfaction surveys
with the administrator's questions, the short question asked when an order closes, and the
improvement actions decided from the answers."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oms.core.models import optional_person
from oms.core.money import decimal_bounds


class ComplaintCategory(models.TextChoices):
    """N-2: what customers complain about (004: product quality, deviation from the sample,
    late delivery; service)."""

    QUALITY = "quality", _("产品质量")
    SAMPLE = "sample", _("与样板不符")
    LATE = "late", _("交货延误")
    SERVICE = "service", _("服务")


class ComplaintStatus(models.TextChoices):
    """N-2: one state per step of the policy (004 客户投诉处理的步骤)."""

    REGISTERED = "registered", _("已登记")
    EVIDENCE = "evidence", _("已收集投诉资料")
    RECEIPT = "receipt", _("已复查收货单")
    INSPECTION = "inspection", _("已复查质检报告")
    WINDOW = "window", _("已复查投诉期限")
    MATERIALS = "materials", _("已收集谈判资料")
    REMEDY = "remedy", _("已开会确定处理方案")
    NEGOTIATED = "negotiated", _("已与客户协商")
    REPORTED = "reported", _("待主管批准")
    APPROVED = "approved", _("已批准，实施中")
    CLOSED = "closed", _("已处理完毕")


class Complaint(models.Model):
    """N-2: a customer complaint (or claim) against an order, handled step by step; each step's
    finding is kept on the complaint and audited."""

    number = models.CharField(_("投诉编号"), max_length=60, unique=True)
    order = models.ForeignKey(
        "orders.SalesOrder", on_delete=models.PROTECT, related_name="complaints", verbose_name=_("订单")
    )
    category = models.CharField(_("投诉类别"), max_length=20, choices=ComplaintCategory.choices)
    description = models.TextField(_("投诉内容"))
    claim_amount = models.DecimalField(_("索赔金额"), max_digits=18, decimal_places=2, default=Decimal("0"))
    complainant = models.CharField(_("投诉人"), max_length=100)
    received_at = models.DateTimeField(_("收到时间"), default=timezone.now, db_index=True)
    answer_due_at = models.DateTimeField(_("答复期限"))
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=ComplaintStatus.choices,
        default=ComplaintStatus.REGISTERED,
        db_index=True,
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人")
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="handled_complaints",
        verbose_name=_("处理人"),
    )
    # Step 1: the customer's evidence (problem samples, the claim).
    evidence_note = models.TextField(_("投诉资料"), blank=True)
    evidence_file = models.FileField(_("投诉资料附件"), upload_to="complaints/%Y/%m/", blank=True)
    # Step 2: did the customer sign the receipt before the goods left?
    receipt_signed = models.BooleanField(_("客户已签收货单"), null=True, blank=True)
    receipt_note = models.TextField(_("收货单复查说明"), blank=True)
    # Step 3: does the factory's inspection report match the complaint?
    inspection_matches = models.BooleanField(_("质检报告与投诉相符"), null=True, blank=True)
    inspection_note = models.TextField(_("质检报告复查说明"), blank=True)
    # Step 4: is the complaint within the contract's complaint/return window?
    within_window = models.BooleanField(_("在投诉/退货期限内"), null=True, blank=True)
    window_note = models.TextField(_("期限复查说明"), blank=True)
    # Step 5: the negotiation materials, as found by the system and confirmed by the handler.
    materials = models.JSONField(_("谈判资料"), default=list, blank=True)
    materials_note = models.TextField(_("谈判资料说明"), blank=True)
    # Step 6: the meeting.
    meeting_note = models.TextField(_("处理会议纪要"), blank=True)
    remedy = models.TextField(_("处理方案"), blank=True)
    proposed_compensation = models.DecimalField(
        _("拟赔付金额"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    # Step 7: negotiation with the customer.
    negotiation_outcome = models.TextField(_("协商结果"), blank=True)
    agreed_compensation = models.DecimalField(
        _("议定赔付金额"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    # Step 8: the report to the head, and the decision.
    report = models.TextField(_("处理报告"), blank=True)
    approver = optional_person(_("审批人"))
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.TextField(_("审批意见"), blank=True)
    # Step 9: carried out.
    execution_note = models.TextField(_("实施情况"), blank=True)
    first_answer_at = models.DateTimeField(_("首次答复时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        constraints = [
            *decimal_bounds(
                "feedback_complaint",
                claim_amount=(18, 2),
                proposed_compensation=(18, 2),
                agreed_compensation=(18, 2),
            )
        ]
        verbose_name = _("客户投诉")
        verbose_name_plural = _("客户投诉")
        ordering = ["-received_at", "-pk"]
        indexes = [models.Index(fields=["status", "handler"])]

    def __str__(self) -> str:
        return self.number

    def raiser_ids(self) -> set[int | None]:
        """P-5: whoever handled the complaint and wrote its report never approves the report (N-2)."""
        return {self.handler_id}


class QuestionKind(models.TextChoices):
    SCORE = "score", _("评分")
    TEXT = "text", _("文字")


class Question(models.Model):
    """N-1: a question of the satisfaction survey, edited by the administrator. A survey copies
    the active questions when it is created, so later edits do not change its answers."""

    text = models.CharField(_("问题"), max_length=200)
    kind = models.CharField(
        _("类型"), max_length=10, choices=QuestionKind.choices, default=QuestionKind.SCORE
    )
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    active = models.BooleanField(_("启用"), default=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("调查问题")
        verbose_name_plural = _("调查问题")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.text


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SENT = "sent", _("调查中")
    CLOSED = "closed", _("已结束")


class Survey(models.Model):
    """N-1: one satisfaction survey of a set of customers over a period: sent, answered,
    analysed, reported; its improvement actions follow it."""

    number = models.CharField(_("调查编号"), max_length=60, unique=True)
    title = models.CharField(_("标题"), max_length=200)
    period_start = models.DateField(_("调查期间自"))
    period_end = models.DateField(_("调查期间至"))
    questions = models.JSONField(_("问题"), default=list)  # [{"key": "q1", "text": ..., "kind": ...}]
    status = models.CharField(
        _("状态"), max_length=10, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("发起人")
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    conclusions = models.TextField(_("调查结论"), blank=True)
    customer_notice = models.TextField(_("告知客户的改进内容"), blank=True)
    notice_at = models.DateTimeField(_("告知客户时间"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("满意度调查")
        verbose_name_plural = _("满意度调查")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class InvitationKind(models.TextChoices):
    SURVEY = "survey", _("满意度调查")
    CLOSING = "closing", _("订单关闭评价")


class Invitation(models.Model):
    """N-1, N-3: one customer's link to a survey, or to the short question asked when one of
    their orders closed. Only the token's hash is kept; the salesperson can issue a new link."""

    kind = models.CharField(_("类型"), max_length=10, choices=InvitationKind.choices)
    survey = models.ForeignKey(
        Survey,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invitations",
        verbose_name=_("调查"),
    )
    order = models.OneToOneField(
        "orders.SalesOrder",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="closing_invitation",
        verbose_name=_("订单"),
    )
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="+", verbose_name=_("客户")
    )
    salesperson = optional_person(_("业务员"))
    token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    expires_at = models.DateTimeField(_("链接失效时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True, db_index=True)
    respondent = models.CharField(_("答卷人"), max_length=100, blank=True)
    comment = models.TextField(_("其他意见"), blank=True)

    class Meta:
        verbose_name = _("调查邀请")
        verbose_name_plural = _("调查邀请")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "customer"], name="feedback_one_invitation_per_customer"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.customer_id}"


class Answer(models.Model):
    """N-1, N-3: one answer to one question; a score is kept with the scale it was given on."""

    invitation = models.ForeignKey(
        Invitation, on_delete=models.PROTECT, related_name="answers", verbose_name=_("邀请")
    )
    question_key = models.CharField(_("问题编号"), max_length=20)
    question_text = models.CharField(_("问题"), max_length=200)
    score = models.PositiveSmallIntegerField(_("评分"), null=True, blank=True)
    scale = models.PositiveSmallIntegerField(_("满分"), default=5)
    text = models.TextField(_("回答"), blank=True)
    answered_at = models.DateTimeField(_("答复时间"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("调查回答")
        verbose_name_plural = _("调查回答")
        ordering = ["invitation", "pk"]

    def __str__(self) -> str:
        return f"{self.question_key}: {self.score if self.score is not None else self.text[:20]}"


class ActionStatus(models.TextChoices):
    OPEN = "open", _("待实施")
    DONE = "done", _("已完成，待验证")
    VERIFIED = "verified", _("已验证")


class ImprovementAction(models.Model):
    """N-1, O-2: an improvement or corrective action decided from a survey, a complaint or a
    supervision finding, owned by one person with a deadline, done, then verified by someone
    else."""

    survey = models.ForeignKey(
        Survey,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("调查"),
    )
    complaint = models.ForeignKey(
        Complaint,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("投诉"),
    )
    origin = models.CharField(_("来源"), max_length=100, blank=True)
    title = models.CharField(_("改进措施"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("负责人")
    )
    due_on = models.DateField(_("完成期限"))
    status = models.CharField(
        _("状态"), max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN, db_index=True
    )
    result = models.TextField(_("实施结果"), blank=True)
    verification = models.TextField(_("验证意见"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("提出人")
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    verified_by = optional_person(_("验证人"))
    verified_at = models.DateTimeField(_("验证时间"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("改进措施")
        verbose_name_plural = _("改进措施")
        ordering = ["status", "due_on", "pk"]

    def __str__(self) -> str:
        return self.title

    def raiser_ids(self) -> set[int | None]:
        """P-5: whoever carries out an improvement action never verifies it (N-1, O-2)."""
        return {self.owner_id}
