"""Supervision (O-2, O-4): spot checks of a random, reproducible sample of orders against the
policy's checklist, findings with corrective actions, and violation reports whose reporter only
the supervision group's head may see."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SpotCheckStatus(models.TextChoices):
    OPEN = "open", _("检查中")
    CLOSED = "closed", _("已完成")


class SpotCheck(models.Model):
    """O-2: one spot check (抽查): the period, the sample size and the seed that drew it, so that
    anyone can draw the same sample again from the same orders."""

    number = models.CharField(_("抽查编号"), max_length=60, unique=True)
    title = models.CharField(_("标题"), max_length=200)
    period_start = models.DateField(_("订单确认期间自"))
    period_end = models.DateField(_("订单确认期间至"))
    sample_size = models.PositiveIntegerField(_("样本量"))
    seed = models.BigIntegerField(_("随机种子"))
    population = models.PositiveIntegerField(_("总体订单数"))
    checks = models.JSONField(_("检查项目"), default=list)
    status = models.CharField(
        _("状态"), max_length=10, choices=SpotCheckStatus.choices, default=SpotCheckStatus.OPEN, db_index=True
    )
    summary = models.TextField(_("检查结论"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("检查人")
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    closed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("抽查")
        verbose_name_plural = _("抽查")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class SpotCheckItem(models.Model):
    """O-2: one sampled order with the checklist as the system found it in the records (`found`)
    and as the inspector confirmed it (`verdicts`: pass, fail or n/a per check)."""

    spot_check = models.ForeignKey(
        SpotCheck, on_delete=models.PROTECT, related_name="items", verbose_name=_("抽查")
    )
    order = models.ForeignKey(
        "orders.SalesOrder", on_delete=models.PROTECT, related_name="+", verbose_name=_("订单")
    )
    found = models.JSONField(_("系统预检结果"), default=dict)  # {code: {"ok": bool|None, "detail": str}}
    verdicts = models.JSONField(_("检查结论"), default=dict)  # {code: "pass" | "fail" | "na"}
    note = models.TextField(_("说明"), blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    checked_at = models.DateTimeField(_("检查时间"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("抽查订单")
        verbose_name_plural = _("抽查订单")
        ordering = ["spot_check", "pk"]
        constraints = [models.UniqueConstraint(fields=["spot_check", "order"], name="supervision_item_once")]

    def __str__(self) -> str:
        return f"{self.spot_check_id} · {self.order_id}"


class Finding(models.Model):
    """O-2: a finding of a check. Its corrective action is an improvement action (owner,
    deadline, escalation, verification), the same as the improvements decided from surveys and
    complaints."""

    spot_check = models.ForeignKey(
        SpotCheck,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="findings",
        verbose_name=_("抽查"),
    )
    item = models.ForeignKey(
        SpotCheckItem, on_delete=models.PROTECT, null=True, blank=True, related_name="findings"
    )
    order = models.ForeignKey(
        "orders.SalesOrder",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("订单"),
    )
    check_code = models.CharField(_("检查项目"), max_length=40, blank=True)
    description = models.TextField(_("问题描述"))
    action = models.OneToOneField(
        "feedback.ImprovementAction", on_delete=models.PROTECT, related_name="+", verbose_name=_("整改措施")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("提出人")
    )
    created_at = models.DateTimeField(_("提出时间"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("检查发现")
        verbose_name_plural = _("检查发现")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.description[:40]


class ReportStatus(models.TextChoices):
    RECEIVED = "received", _("已受理")
    CLOSED = "closed", _("已办结")


class ViolationReport(models.Model):
    """O-4: a report of a violation (举报). Who filed it is kept for the supervision group's head
    alone: every page and export shows the report without it."""

    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    order_number = models.CharField(_("涉及订单"), max_length=60, blank=True)
    subject = models.CharField(_("举报事项"), max_length=200)
    description = models.TextField(_("情况说明"))
    created_at = models.DateTimeField(_("举报时间"), default=timezone.now, db_index=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.RECEIVED, db_index=True
    )
    outcome = models.TextField(_("处理结果"), blank=True)
    substantiated = models.BooleanField(_("举报属实"), null=True, blank=True)
    handled_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("违规举报")
        verbose_name_plural = _("违规举报")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.subject

    def raiser_ids(self) -> set[int | None]:
        """P-5: nobody handles a report they filed (O-4)."""
        return {self.reporter_id}
