"""Settlement statements reviewed by finance, and the invoices issued against them (L-1, L-2)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from oms.core.money import decimal_bounds

CENT = Decimal("0.01")


class StatementStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待财务审核")
    APPROVED = "approved", _("已审核")
    RETURNED = "returned", _("已退回")


BILLING_STATUSES = (StatementStatus.SUBMITTED, StatementStatus.APPROVED)


class Statement(models.Model):
    """L-1, L-2 结算清单: what was delivered and accepted, at the contract's prices, with fees,
    reconciled with the customer (对账) before finance reviews it. A returned statement stays on
    record; sales prepares a new one."""

    order = models.ForeignKey(
        "orders.SalesOrder", verbose_name=_("订单"), on_delete=models.PROTECT, related_name="statements"
    )
    number = models.CharField(_("结算单号"), max_length=60, unique=True)
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=StatementStatus.choices,
        default=StatementStatus.SUBMITTED,
        db_index=True,
    )
    goods_amount = models.DecimalField(_("货款"), max_digits=18, decimal_places=2)
    fees_amount = models.DecimalField(_("费用"), max_digits=18, decimal_places=2, default=Decimal("0"))
    total = models.DecimalField(_("结算金额"), max_digits=18, decimal_places=2)
    reconciled_with = models.CharField(_("客户对账人"), max_length=100)
    reconciled_on = models.DateField(_("对账日期"))
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("编制人"), on_delete=models.PROTECT, related_name="+"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_comment = models.TextField(_("审核意见"), blank=True)
    created_at = models.DateTimeField(_("编制时间"), auto_now_add=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("结算清单")
        verbose_name_plural = _("结算清单")
        ordering = ["order", "created_at", "id"]
        constraints = [
            *decimal_bounds("billing_statement", goods_amount=(18, 2), fees_amount=(18, 2), total=(18, 2)),
            models.CheckConstraint(condition=models.Q(total__gte=0), name="statement_total_not_negative"),
        ]

    def __str__(self) -> str:
        return self.number

    def raiser_ids(self) -> set[int | None]:
        """P-5: whoever prepared a settlement statement never approves it (L-2)."""
        return {self.prepared_by_id}


class StatementLine(models.Model):
    statement = models.ForeignKey(
        Statement, verbose_name=_("结算清单"), on_delete=models.PROTECT, related_name="lines"
    )
    order_line = models.ForeignKey(
        "orders.OrderLine",
        verbose_name=_("订单明细"),
        on_delete=models.PROTECT,
        related_name="statement_lines",
    )
    quantity = models.DecimalField(
        _("结算数量"), max_digits=16, decimal_places=4, validators=[MinValueValidator(Decimal("0.0001"))]
    )
    unit_price = models.DecimalField(_("单价"), max_digits=16, decimal_places=4)
    amount = models.DecimalField(_("金额"), max_digits=18, decimal_places=2)

    class Meta:
        verbose_name = _("结算明细")
        verbose_name_plural = _("结算明细")
        ordering = ["statement", "order_line__line_no"]
        constraints = [
            *decimal_bounds("billing_statementline", quantity=(16, 4), unit_price=(16, 4), amount=(18, 2)),
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="statement_line_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.statement} {self.order_line_id}"


class StatementFee(models.Model):
    """L-2: fees settled with the goods, such as freight."""

    statement = models.ForeignKey(
        Statement, verbose_name=_("结算清单"), on_delete=models.PROTECT, related_name="fees"
    )
    description = models.CharField(_("费用项目"), max_length=100)
    amount = models.DecimalField(_("金额"), max_digits=18, decimal_places=2)

    class Meta:
        constraints = [*decimal_bounds("billing_statementfee", amount=(18, 2))]
        verbose_name = _("结算费用")
        verbose_name_plural = _("结算费用")

    def __str__(self) -> str:
        return f"{self.statement} {self.description}"


class InvoiceType(models.TextChoices):
    SPECIAL_VAT = "special_vat", _("增值税专用发票")
    ORDINARY_VAT = "ordinary_vat", _("增值税普通发票")
    ELECTRONIC = "electronic", _("全电发票")


class Instalment(models.Model):
    """L-3 分期付款: one due date and amount of an order's payment schedule."""

    order = models.ForeignKey(
        "orders.SalesOrder", verbose_name=_("订单"), on_delete=models.PROTECT, related_name="instalments"
    )
    seq = models.PositiveIntegerField(_("期次"))
    due_date = models.DateField(_("到期日"))
    amount = models.DecimalField(_("金额"), max_digits=18, decimal_places=2)
    superseded = models.BooleanField(_("已被新计划取代"), default=False)

    class Meta:
        verbose_name = _("分期计划")
        verbose_name_plural = _("分期计划")
        ordering = ["order", "seq"]
        constraints = [
            *decimal_bounds("billing_instalment", amount=(18, 2)),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="instalment_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.order} #{self.seq}"


def split_tax(total: Decimal, rate: Decimal) -> tuple[Decimal, Decimal]:
    """L-2 (issue 23): a tax-inclusive total (价税合计, what contracts and statements state) as
    (amount excluding tax, tax) at `rate` percent: the net rounded half-up to the fen, the tax the
    rest, so the two always add up to the total to the fen."""
    net = (total / (1 + rate / 100)).quantize(CENT, rounding=ROUND_HALF_UP)
    return net, total - net


class Invoice(models.Model):
    """L-2: an invoice finance issued against an approved statement; together they never exceed it.
    `amount` is the total including tax (价税合计); `tax_amount` its VAT at `tax_rate`."""

    statement = models.ForeignKey(
        Statement, verbose_name=_("结算清单"), on_delete=models.PROTECT, related_name="invoices"
    )
    # Issue 23: the statement's order's customer, kept on the invoice so that a customer's
    # statement of account reads one index (customer, date) among 10^6 lines.
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("客户"),
        on_delete=models.PROTECT,
        related_name="invoices",
        db_index=False,
    )
    # Issue 21 (L-4): the statement's order, kept on the invoice so that the ledger reads an
    # order's invoices, and checks the scope of an unsettled one, without joining the statements.
    order = models.ForeignKey(
        "orders.SalesOrder", verbose_name=_("订单"), on_delete=models.PROTECT, related_name="invoices"
    )
    invoice_type = models.CharField(_("发票类型"), max_length=20, choices=InvoiceType.choices)
    number = models.CharField(_("发票号码"), max_length=40, unique=True)
    issued_on = models.DateField(_("开票日期"))
    amount = models.DecimalField(_("价税合计"), max_digits=18, decimal_places=2)
    tax_amount = models.DecimalField(_("税额"), max_digits=18, decimal_places=2)
    tax_rate = models.DecimalField(_("税率（%）"), max_digits=5, decimal_places=2)
    due_date = models.DateField(_("应收日期"), db_index=True)
    instalment = models.ForeignKey(
        Instalment,
        verbose_name=_("期次"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="invoices",
    )
    # Issue 23: a red-letter invoice (红字发票) names the invoice it reverses, in full; one each.
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("冲红的原发票"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    reversal_reason = models.CharField(_("冲红原因"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # Issue 21 (L-3, L-4): what is paid of the invoice, kept by every action that matches money to
    # it or reverses it (`oms.billing.actions.figures`), so that the ledger and the collection
    # rate read one row per invoice instead of summing the matches of the whole scope. Each is
    # what `receivables.paid_amount` computes from the matches (`check_invoice_figures`).
    received = models.DecimalField(_("已收金额"), max_digits=18, decimal_places=2, default=Decimal("0"))
    received_on_time = models.DecimalField(
        _("到期前已收金额"), max_digits=18, decimal_places=2, default=Decimal("0")
    )
    # Nothing left to collect: fully paid, or one of a red-letter pair (issue 23). The ledger's
    # open view reads the unsettled invoices through the partial index below.
    settled = models.BooleanField(_("已结清"), default=False)

    class Meta:
        verbose_name = _("发票")
        verbose_name_plural = _("发票")
        ordering = ["statement", "issued_on", "id"]
        indexes = [
            models.Index(fields=["customer", "issued_on"], name="invoice_customer_date"),
            models.Index(
                fields=["due_date", "order"],
                include=["amount", "received", "customer"],
                condition=models.Q(settled=False),
                name="invoice_open",
            ),
            # Issue 21: a customer's unsettled invoices, for a payment, the credit check and the
            # balances kept per customer (`OpenBalance`).
            models.Index(
                fields=["customer"], condition=models.Q(settled=False), name="invoice_open_customer"
            ),
        ]
        constraints = [
            *decimal_bounds(
                "billing_invoice",
                amount=(18, 2),
                tax_amount=(18, 2),
                tax_rate=(5, 2),
                received=(18, 2),
                received_on_time=(18, 2),
            ),
            models.CheckConstraint(
                condition=models.Q(tax_rate__gte=0, tax_rate__lte=100), name="invoice_tax_rate_percent"
            ),
            # An invoice is positive; a red-letter invoice, negative (issue 23).
            models.CheckConstraint(
                condition=models.Q(amount__gt=0, reverses__isnull=True)
                | models.Q(amount__lt=0, reverses__isnull=False),
                name="invoice_amount_sign",
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gt=0, tax_amount__gte=0, tax_amount__lte=models.F("amount"))
                | models.Q(amount__lt=0, tax_amount__lte=0, tax_amount__gte=models.F("amount")),
                name="invoice_tax_within_amount",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_red_letter(self) -> bool:
        return self.reverses_id is not None

    @property
    def net_amount(self) -> Decimal:
        """The amount excluding tax (不含税金额)."""
        return self.amount - self.tax_amount


class OpenBalance(models.Model):
    """Issue 21 (L-4): what the open orders of a customer (those with an unsettled invoice, not
    archived, M-3) owe, per salesperson, department and due date, kept by every billing action
    that changes an invoice's figures and by filing an order (`billing.actions.figures`). The key
    carries what the order scope is decided by (S-1: salesperson and department; an invoiced order
    is past intake, so the departments that work every order see all of them), so the totals a
    user sees add up the rows in their scope exactly; the due date gives the ageing by days past
    due on the day it is read. Recomputed from the invoices, never added to
    (`check_invoice_figures` compares them)."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    salesperson = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey("accounts.Department", on_delete=models.PROTECT, related_name="+")
    due_date = models.DateField()
    # The oldest unsettled due date of these orders (on or before `due_date`'s when unsettled):
    # an order is in the overdue view by it, so the overdue totals add up the rows whose
    # `order_due` is past (issue 21: a row per due date alone could not tell those orders).
    order_due = models.DateField()
    # All the invoices of these orders due that day: their amounts and what is paid of them.
    invoiced = models.DecimalField(max_digits=18, decimal_places=2)
    received = models.DecimalField(max_digits=18, decimal_places=2)
    # What their unsettled invoices still owe.
    owed = models.DecimalField(max_digits=18, decimal_places=2)
    # The orders whose oldest unsettled invoice falls due that day: each open order counts once.
    open_orders = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("未结清应收")
        verbose_name_plural = _("未结清应收")
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "salesperson", "department", "due_date", "order_due"],
                name="open_balance_key",
            ),
            *decimal_bounds("billing_openbalance", invoiced=(18, 2), received=(18, 2), owed=(18, 2)),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.salesperson_id} {self.due_date} {self.owed}"


class UnsettledOrder(models.Model):
    """Issue 21 (L-4): an order with an unsettled invoice that is not archived (M-3), with what
    its scope is decided by (S-1: customer, salesperson, department) and the due date of its
    oldest unsettled invoice, kept with the open balances (`billing.actions.figures`). The
    ledger's open view walks these rows oldest due first, and its overdue view the ones due
    before today: an index range, one row per order, none archived, no invoice read to find them."""

    order = models.OneToOneField(
        "orders.SalesOrder", primary_key=True, on_delete=models.PROTECT, related_name="+"
    )
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    department = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    # The oldest unsettled invoice's due date: before today, the order is overdue.
    due_date = models.DateField()

    class Meta:
        verbose_name = _("未结清订单")
        verbose_name_plural = _("未结清订单")
        indexes = [
            # The ledger's pages in its order (oldest due first), for a scope of every order, of
            # a salesperson, of a department; the customer's, for the keeper's delete.
            models.Index(fields=["due_date", "order"], name="unsettled_order_due"),
            models.Index(fields=["salesperson", "due_date", "order"], name="unsettled_order_person"),
            models.Index(fields=["department", "due_date", "order"], name="unsettled_order_dept"),
            models.Index(fields=["customer"], name="unsettled_order_customer"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.due_date}"


class PaymentMethod(models.TextChoices):
    TRANSFER = "transfer", _("银行转账")
    ACCEPTANCE_BILL = "acceptance_bill", _("承兑汇票")
    CASH = "cash", _("现金")
    OTHER = "other", _("其他")


class Payment(models.Model):
    """L-3, L-6 收款: money received from a customer (date, amount, method), matched to its
    invoices; what is not matched stays as the customer's credit. (Not "receipt": in the glossary
    a receipt is 签收, the customer signing for goods.)"""

    # Issue 23: its own number, from the policy's numbering (收款编号格式).
    number = models.CharField(_("收款编号"), max_length=60, unique=True)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("客户"), on_delete=models.PROTECT, related_name="payments"
    )
    amount = models.DecimalField(_("收款金额"), max_digits=18, decimal_places=2)
    currency = models.CharField(_("币种"), max_length=3)
    received_on = models.DateField(_("收款日期"), db_index=True)
    method = models.CharField(_("收款方式"), max_length=20, choices=PaymentMethod.choices)
    reference = models.CharField(_("凭证号"), max_length=100)
    # D-4 → L-3: a prepayment finance recorded before release becomes a payment once, at invoicing.
    prepayment = models.OneToOneField(
        "fulfilment.Prepayment", null=True, blank=True, on_delete=models.PROTECT, related_name="payment"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "billing_receipt"  # the table keeps its name (issue 22 renamed the model)
        verbose_name = _("收款")
        verbose_name_plural = _("收款")
        ordering = ["customer", "received_on", "id"]
        # Issue 23: a customer's statement of account by date.
        indexes = [models.Index(fields=["customer", "received_on"], name="payment_customer_date")]
        constraints = [
            *decimal_bounds("billing_receipt", amount=(18, 2)),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="receipt_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.customer} {self.received_on} {self.amount}"


class PaymentMatch(models.Model):
    """L-3 核销: part of a payment settling part of an invoice. (Not "allocation": in the glossary
    that is 配货, picking goods in the warehouse.)"""

    payment = models.ForeignKey(
        Payment, verbose_name=_("收款"), on_delete=models.PROTECT, related_name="matches"
    )
    invoice = models.ForeignKey(
        Invoice, verbose_name=_("发票"), on_delete=models.PROTECT, related_name="matches"
    )
    amount = models.DecimalField(_("核销金额"), max_digits=18, decimal_places=2)

    class Meta:
        db_table = "billing_allocation"  # the table keeps its name (issue 22 renamed the model)
        verbose_name = _("收款核销")
        verbose_name_plural = _("收款核销")
        constraints = [
            *decimal_bounds("billing_allocation", amount=(18, 2)),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="allocation_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.payment_id} → {self.invoice}"


class DunningKind(models.TextChoices):
    """L-5: the escalation steps up to legal action."""

    REMINDER = "reminder", _("催款提醒")
    CALL = "call", _("电话催收")
    VISIT = "visit", _("上门催收")
    LEGAL = "legal", _("转法务")


class DunningStep(models.Model):
    """L-5: one step of dunning an overdue invoice, with who (or the system) and when."""

    invoice = models.ForeignKey(
        Invoice, verbose_name=_("发票"), on_delete=models.PROTECT, related_name="dunning_steps"
    )
    kind = models.CharField(_("催收方式"), max_length=20, choices=DunningKind.choices)
    days_overdue = models.PositiveIntegerField(_("逾期天数"))
    note = models.CharField(_("说明"), max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("催收人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("催收记录")
        verbose_name_plural = _("催收记录")
        ordering = ["invoice", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.invoice} {self.kind}"
