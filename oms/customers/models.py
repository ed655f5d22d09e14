"""Customers (A-1)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from oms.core.models import VersionedModel, validate_phone, validate_tax_number
from oms.core.money import decimal_bounds


class PaymentTerms(models.TextChoices):
    """L-3: the payment terms the policies name."""

    PREPAYMENT = "prepayment", _("预付款")
    ON_DELIVERY = "on_delivery", _("货到付款")
    MONTHLY = "monthly", _("月结")
    INSTALMENTS = "instalments", _("分期付款")


class CustomerGrade(models.TextChoices):
    A = "A", _("A 类（重点）")
    B = "B", _("B 类")
    C = "C", _("C 类")
    D = "D", _("D 类")


class CreditRating(models.TextChoices):
    AAA = "AAA", "AAA"
    AA = "AA", "AA"
    A = "A", "A"
    B = "B", "B"
    C = "C", "C"


class Region(models.Model):
    """The regions a company sells into; a customer's region must be one of them (A-1, Q-1)."""

    code = models.SlugField(_("区域代码"), max_length=20, unique=True)
    name = models.CharField(_("区域名称"), max_length=60)
    country = models.CharField(_("国家/地区"), max_length=60, default="中国")
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("区域")
        verbose_name_plural = _("区域")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Customer(VersionedModel):
    """A-1: one customer with a unique code, kept current, key customers flagged."""

    code = models.CharField(_("客户代码"), max_length=30, unique=True)
    name = models.CharField(_("客户名称"), max_length=200, db_index=True)
    pinyin = models.CharField(_("拼音首字母"), max_length=60, blank=True, db_index=True, editable=False)
    region = models.ForeignKey(
        Region, verbose_name=_("区域"), on_delete=models.PROTECT, related_name="customers"
    )
    address = models.CharField(_("地址"), max_length=255, blank=True)
    phone = models.CharField(_("电话"), max_length=30, blank=True, validators=[validate_phone])
    grade = models.CharField(
        _("客户等级"), max_length=2, choices=CustomerGrade.choices, default=CustomerGrade.C
    )
    is_key = models.BooleanField(_("重点客户"), default=False)
    credit_limit = models.DecimalField(
        _("信用额度"),
        max_digits=16,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    credit_rating = models.CharField(
        _("信用等级"), max_length=3, choices=CreditRating.choices, default=CreditRating.A
    )
    payment_terms = models.CharField(
        _("默认付款方式"), max_length=20, choices=PaymentTerms.choices, default=PaymentTerms.PREPAYMENT
    )
    # L-3 月结: invoices are gathered on the statement day and due on the due day of the next month.
    statement_day = models.PositiveSmallIntegerField(
        _("月结对账日"), default=25, validators=[MinValueValidator(1), MaxValueValidator(28)]
    )
    due_day = models.PositiveSmallIntegerField(
        _("月结付款日（次月）"), default=25, validators=[MinValueValidator(1), MaxValueValidator(28)]
    )
    invoice_title = models.CharField(_("开票抬头"), max_length=200, blank=True)
    tax_number = models.CharField(
        _("纳税人识别号"), max_length=18, blank=True, validators=[validate_tax_number]
    )
    bank_name = models.CharField(_("开户银行"), max_length=100, blank=True)
    bank_account = models.CharField(_("银行账号"), max_length=40, blank=True)
    # 开票信息 (issue 23 point 7): the address and phone printed on a special VAT invoice.
    invoice_address = models.CharField(_("开票地址"), max_length=255, blank=True)
    invoice_phone = models.CharField(_("开票电话"), max_length=30, blank=True, validators=[validate_phone])
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("负责销售"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="customers",
    )
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("所属部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="customers",
    )
    notes = models.TextField(_("备注"), blank=True)
    blocked = models.BooleanField(_("冻结"), default=False, help_text=_("冻结的客户不能下新订单"))
    blocked_reason = models.CharField(_("冻结原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("客户")
        verbose_name_plural = _("客户")
        ordering = ["code"]
        constraints = [
            *decimal_bounds("customers_customer", credit_limit=(16, 2)),
            models.CheckConstraint(
                condition=models.Q(credit_limit__gte=0), name="customer_credit_limit_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Contact(VersionedModel):
    """A person at the customer; contact data is confidential (S-1)."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("客户"), on_delete=models.PROTECT, related_name="contacts"
    )
    name = models.CharField(_("联系人"), max_length=60)
    title = models.CharField(_("职务"), max_length=60, blank=True)
    phone = models.CharField(_("电话"), max_length=30, blank=True, validators=[validate_phone])
    email = models.EmailField(_("邮箱"), blank=True)
    is_primary = models.BooleanField(_("主要联系人"), default=False)

    class Meta:
        verbose_name = _("联系人")
        verbose_name_plural = _("联系人")
        ordering = ["customer", "-is_primary", "name"]

    def __str__(self) -> str:
        return self.name


class PortalAccount(VersionedModel):
    """B-8, H-1, N-3: a customer contact's own login to the customer portal. The user sees only
    this customer's orders; revoking deactivates the login and keeps the record."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登录账号"),
        on_delete=models.PROTECT,
        related_name="portal_account",
    )
    customer = models.ForeignKey(
        Customer, verbose_name=_("客户"), on_delete=models.PROTECT, related_name="portal_accounts"
    )
    contact = models.OneToOneField(
        Contact, verbose_name=_("联系人"), on_delete=models.PROTECT, related_name="portal_account"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("开通人"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("客户门户账号")
        verbose_name_plural = _("客户门户账号")
        ordering = ["customer", "contact"]

    def __str__(self) -> str:
        return f"{self.customer.name} {self.contact.name}"
