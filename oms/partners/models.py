"""Suppliers and carriers with their qualification status (A-3)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from oms.core.models import VersionedModel, validate_phone


class Qualification(models.TextChoices):
    QUALIFIED = "qualified", _("合格")
    PROBATION = "probation", _("考察中")
    DISQUALIFIED = "disqualified", _("不合格")


class Partner(VersionedModel):
    code = models.CharField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=200, db_index=True)
    pinyin = models.CharField(_("拼音首字母"), max_length=60, blank=True, db_index=True, editable=False)
    contact_name = models.CharField(_("联系人"), max_length=60, blank=True)
    phone = models.CharField(_("电话"), max_length=30, blank=True, validators=[validate_phone])
    address = models.CharField(_("地址"), max_length=255, blank=True)
    qualification = models.CharField(
        _("资质状态"), max_length=20, choices=Qualification.choices, default=Qualification.PROBATION
    )
    qualified_until = models.DateField(_("资质有效期至"), null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Supplier(Partner):
    """G-1: only qualified suppliers may receive purchase orders."""

    supplies = models.CharField(_("供应品类"), max_length=200, blank=True)

    class Meta(Partner.Meta):
        verbose_name = _("供应商")
        verbose_name_plural = _("供应商")


class Carrier(Partner):
    """G-5: logistics service providers."""

    service_area = models.CharField(_("服务区域"), max_length=200, blank=True)
    tracking_url = models.CharField(_("运单查询地址"), max_length=255, blank=True)

    class Meta(Partner.Meta):
        verbose_name = _("承运商")
        verbose_name_plural = _("承运商")
