"""Quality (G-3): the order's inspection plan, inspections, and non-conformance notices."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class InspectionPlan(models.Model):
    """G-3: what is inspected, how, and how often, for one order."""

    order = models.OneToOneField(
        "orders.SalesOrder", verbose_name=_("订单"), on_delete=models.PROTECT, related_name="inspection_plan"
    )
    items = models.JSONField(_("检验项目"), default=list)  # [{"item": ..., "method": ..., "frequency": ...}]
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("检验计划")
        verbose_name_plural = _("检验计划")

    def __str__(self) -> str:
        return f"{self.order} {len(self.items)}"

    def item_names(self) -> list[str]:
        return [str(i.get("item", "")) for i in self.items]


class Stage(models.TextChoices):
    INCOMING = "incoming", _("来料检验")
    IN_PROCESS = "in_process", _("过程检验")
    FINAL = "final", _("成品检验")


class Inspection(models.Model):
    """G-3: one inspection; a pass is the inspection report, a failure opens a non-conformance."""

    order = models.ForeignKey(
        "orders.SalesOrder", verbose_name=_("订单"), on_delete=models.PROTECT, related_name="inspections"
    )
    stage = models.CharField(_("检验类别"), max_length=20, choices=Stage.choices)
    product = models.ForeignKey(
        "catalog.Product", verbose_name=_("产品"), on_delete=models.PROTECT, related_name="+"
    )
    # K-2, G-3: the order lines this inspection covers (by default every line of its product); a
    # final inspection releases exactly these lines for shipping, never another line.
    lines = models.ManyToManyField(
        "orders.OrderLine", verbose_name=_("检验的订单明细"), related_name="inspections", blank=True
    )
    results = models.JSONField(_("检验结果"), default=dict)
    passed = models.BooleanField(_("合格"))
    notes = models.TextField(_("说明"), blank=True)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("检验员"), on_delete=models.PROTECT, related_name="+"
    )
    inspected_at = models.DateTimeField(_("检验时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("检验记录")
        verbose_name_plural = _("检验记录")
        ordering = ["order", "-inspected_at"]

    def __str__(self) -> str:
        return f"{self.order} {self.get_stage_display()}"


class NCStatus(models.TextChoices):
    OPENED = "opened", _("已开立")
    ACTION_DECIDED = "action_decided", _("已定措施")
    VERIFIED = "verified", _("已验证")
    CLOSED = "closed", _("已关闭")


class NonConformance(models.Model):
    """G-3: a non-conformance notice (不合格品通知单) tracked to closure; a severe one holds the order."""

    order = models.ForeignKey(
        "orders.SalesOrder", verbose_name=_("订单"), on_delete=models.PROTECT, related_name="non_conformances"
    )
    inspection = models.ForeignKey(
        Inspection, verbose_name=_("检验记录"), on_delete=models.PROTECT, related_name="non_conformances"
    )
    description = models.TextField(_("不合格情况"))
    severe = models.BooleanField(_("严重（停产）"), default=False)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("责任人"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=NCStatus.choices, default=NCStatus.OPENED, db_index=True
    )
    action = models.TextField(_("处理措施"), blank=True)
    verification = models.TextField(_("验证结果"), blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("不合格品通知单")
        verbose_name_plural = _("不合格品通知单")
        ordering = ["order", "-created_at"]

    def __str__(self) -> str:
        return f"{self.order} NC#{self.pk}"

    def raiser_ids(self) -> set[int | None]:
        """P-5: whoever is responsible for the corrective action never verifies it (G-3)."""
        return {self.responsible_id}
