"""Products and services (A-2), warehouses and stock levels (A-5)."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from oms.core.models import VersionedModel
from oms.core.money import decimal_bounds


class Product(VersionedModel):
    """A-2: a product or service that order lines refer to."""

    code = models.CharField(_("产品编码"), max_length=40, unique=True)
    name = models.CharField(_("产品名称"), max_length=200, db_index=True)
    pinyin = models.CharField(_("拼音首字母"), max_length=60, blank=True, db_index=True, editable=False)
    spec = models.CharField(_("规格型号"), max_length=200, blank=True)
    unit = models.CharField(_("单位"), max_length=20, default="件")
    list_price = models.DecimalField(
        _("标准售价"),
        max_digits=16,
        decimal_places=4,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    standard_cost = models.DecimalField(
        _("标准成本"),
        max_digits=16,
        decimal_places=4,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    lead_time_days = models.PositiveIntegerField(_("交货周期（天）"), default=0)
    is_stock_item = models.BooleanField(_("库存品"), default=True)
    is_service = models.BooleanField(_("服务"), default=False)
    is_new = models.BooleanField(_("新产品"), default=False, help_text=_("新产品的订单按重大订单评审（C-4）"))

    class Meta:
        verbose_name = _("产品")
        verbose_name_plural = _("产品")
        ordering = ["code"]
        constraints = [
            *decimal_bounds("catalog_product", list_price=(16, 4), standard_cost=(16, 4)),
            models.CheckConstraint(
                condition=models.Q(list_price__gte=0), name="product_list_price_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(standard_cost__gte=0), name="product_standard_cost_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Warehouse(VersionedModel):
    code = models.CharField(_("仓库代码"), max_length=20, unique=True)
    name = models.CharField(_("仓库名称"), max_length=100)
    address = models.CharField(_("地址"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("仓库")
        verbose_name_plural = _("仓库")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class StockLevel(VersionedModel):
    """A-5: quantity on hand and reserved, per product and warehouse."""

    product = models.ForeignKey(
        Product, verbose_name=_("产品"), on_delete=models.PROTECT, related_name="stock_levels"
    )
    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("仓库"), on_delete=models.PROTECT, related_name="stock_levels"
    )
    on_hand = models.DecimalField(
        _("现存量"),
        max_digits=16,
        decimal_places=4,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    reserved = models.DecimalField(
        _("已预留"),
        max_digits=16,
        decimal_places=4,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    safety_stock = models.DecimalField(
        _("安全库存"),
        max_digits=16,
        decimal_places=4,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )

    class Meta:
        verbose_name = _("库存")
        verbose_name_plural = _("库存")
        ordering = ["product__code", "warehouse__code"]
        constraints = [
            *decimal_bounds("catalog_stocklevel", on_hand=(16, 4), reserved=(16, 4), safety_stock=(16, 4)),
            models.UniqueConstraint(
                fields=["product", "warehouse"], name="stock_level_unique_product_warehouse"
            ),
            models.CheckConstraint(condition=models.Q(on_hand__gte=0), name="stock_on_hand_not_negative"),
            models.CheckConstraint(condition=models.Q(reserved__gte=0), name="stock_reserved_not_negative"),
            # G-4: never more reserved than there is; the database refuses it whatever the code does.
            models.CheckConstraint(
                condition=models.Q(reserved__lte=models.F("on_hand")), name="stock_reserved_within_on_hand"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product.code}@{self.warehouse.code}"

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved
