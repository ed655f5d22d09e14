"""Order planning (Q-2): a customer's expected orders for a year or a quarter, entered by sales
or estimated from the customer's history (with the method recorded), against what came."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oms.core.money import decimal_bounds


class PlanMethod(models.TextChoices):
    ENTERED = "entered", _("业务员填报")
    ESTIMATED = "estimated", _("按历史估算")


class OrderPlan(models.Model):
    """Q-2: one customer's plan for a year (quarter 0) or a quarter: expected quantity and
    amount, delivery period and factory."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="order_plans", verbose_name=_("客户")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(
        _("季度"), default=0, choices=[(0, _("全年")), (1, "Q1"), (2, "Q2"), (3, "Q3"), (4, "Q4")]
    )
    expected_quantity = models.DecimalField(
        _("预计数量"), max_digits=16, decimal_places=4, default=Decimal("0")
    )
    expected_amount = models.DecimalField(
        _("预计金额"), max_digits=18, decimal_places=2, default=Decimal("0")
    )
    delivery_period = models.CharField(_("交货期"), max_length=100, blank=True)
    factory = models.CharField(_("生产工厂"), max_length=100, blank=True)
    method = models.CharField(
        _("编制方法"), max_length=10, choices=PlanMethod.choices, default=PlanMethod.ENTERED
    )
    basis = models.CharField(_("估算依据"), max_length=300, blank=True)
    note = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("编制人")
    )
    created_at = models.DateTimeField(_("编制时间"), default=timezone.now)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("订单计划")
        verbose_name_plural = _("订单计划")
        ordering = ["-year", "quarter", "customer"]
        constraints = [
            *decimal_bounds("analytics_orderplan", expected_quantity=(16, 4), expected_amount=(18, 2)),
            models.UniqueConstraint(
                fields=["customer", "year", "quarter"], name="analytics_one_plan_per_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer} {self.year}{'' if not self.quarter else f' Q{self.quarter}'}"


class KpiMonth(models.Model):
    """O-3: a closed month's company figure of one KPI, recorded by the periodic sweep once the
    month is over, so that the assessment's trend reads twelve rows instead of recomputing
    months of records. The month's own report still computes its departments from the records."""

    month = models.DateField(_("月份"))
    kpi = models.CharField(_("指标"), max_length=40)
    numerator = models.DecimalField(_("分子"), max_digits=20, decimal_places=4)
    denominator = models.DecimalField(_("分母"), max_digits=20, decimal_places=4)
    computed_at = models.DateTimeField(_("计算时间"), default=timezone.now)

    class Meta:
        verbose_name = _("月度指标")
        verbose_name_plural = _("月度指标")
        ordering = ["-month", "kpi"]
        constraints = [
            *decimal_bounds("analytics_kpimonth", numerator=(20, 4), denominator=(20, 4)),
            models.UniqueConstraint(fields=["month", "kpi"], name="analytics_kpi_month_once"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.kpi}"
