"""Filling the contract template (E-1). Printing as PDF is `oms.core.printing` (one implementation
for every printed document); `pdf` and `qr_svg` stay importable from here for old callers."""

from __future__ import annotations

import re
from typing import Any

from django.utils.html import escape, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from oms.core.errors import FieldErrors
from oms.core.money import amount_in_capitals, format_amount, format_price, format_quantity
from oms.core.printing import pdf, qr_svg
from oms.orders.models import SalesOrder

PLACEHOLDER = re.compile(r"{{\s*([a-z_]+)\s*}}")
PLACEHOLDERS = {
    "contract_number": "合同编号",
    "contract_date": "签订日期",
    "order_number": "订单编号",
    "seller_name": "卖方名称",
    "seller_address": "卖方地址",
    "seller_phone": "卖方电话",
    "seller_tax_number": "卖方税号",
    "seller_bank": "卖方开户行及账号",
    "buyer_name": "买方名称",
    "buyer_address": "买方地址",
    "buyer_contact": "买方联系人及电话",
    "buyer_tax_number": "买方税号",
    "buyer_bank": "买方开户行及账号",
    "items_table": "产品明细表",
    "total_amount": "合同金额（小写）",
    "total_amount_capitals": "合同金额（大写）",
    "currency": "币种",
    "delivery_date": "交货日期",
    "delivery_place": "交货地点",
    "quality_standard": "质量标准",
    "payment_terms": "付款方式",
    "special_requirements": "特殊要求",
}

DEFAULT_TEMPLATE = """<h1>购销合同</h1>
<p>合同编号：{{ contract_number }}　　签订日期：{{ contract_date }}　　订单编号：{{ order_number }}</p>
<p>卖方（甲方）：{{ seller_name }}，地址：{{ seller_address }}，电话：{{ seller_phone }}，税号：{{ seller_tax_number }}，开户行及账号：{{ seller_bank }}</p>
<p>买方（乙方）：{{ buyer_name }}，地址：{{ buyer_address }}，联系人：{{ buyer_contact }}，税号：{{ buyer_tax_number }}，开户行及账号：{{ buyer_bank }}</p>
<h2>一、产品名称、规格型号、数量、价格</h2>
{{ items_table }}
<p>合同金额：{{ currency }} {{ total_amount }}（大写：人民币{{ total_amount_capitals }}）</p>
<h2>二、交货时间与地点</h2><p>交货日期：{{ delivery_date }}；交货地点：{{ delivery_place }}。</p>
<h2>三、质量标准</h2><p>{{ quality_standard }}。特殊要求：{{ special_requirements }}</p>
<h2>四、付款方式</h2><p>{{ payment_terms }}。</p>
<h2>五、双方权利与义务</h2><p>甲方按约定的规格、数量、质量和期限交货；乙方按约定验收并付款。</p>
<h2>六、违约责任</h2><p>任何一方未按合同履行的，应承担违约责任并赔偿对方因此造成的损失。</p>
<h2>七、争议解决</h2><p>双方协商解决；协商不成的，提交甲方所在地人民法院诉讼解决。</p>
"""


def check_placeholders(body: str) -> None:
    """A template may only use the known placeholders; the first unknown one is named."""
    unknown = sorted({name for name in PLACEHOLDER.findall(body) if name not in PLACEHOLDERS})
    if unknown:
        raise FieldErrors(
            {"body": _("未知的占位符：%(p)s") % {"p": "、".join("{{ " + u + " }}" for u in unknown)}}
        )


def _items_table(order: SalesOrder) -> SafeString:
    rows = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{} {}</td><td>{}</td><td>{}</td></tr>",
        (
            (
                ln.line_no,
                ln.product.name,
                ln.spec,
                format_quantity(ln.quantity),
                ln.unit,
                format_price(ln.unit_price),
                format_amount(ln.amount),
            )
            for ln in order.lines.select_related("product").order_by("line_no")
        ),
    )
    head = "<tr><th>序号</th><th>产品名称</th><th>规格型号</th><th>数量</th><th>单价</th><th>金额</th></tr>"
    return mark_safe(f'<table class="items">{head}{rows}</table>')  # noqa: S308 - every cell escaped by format_html_join


def values(order: SalesOrder, *, number: str, date: Any) -> dict[str, Any]:
    policy = order.policy()
    company, customer = policy.company, order.customer
    return {
        "contract_number": number,
        "contract_date": f"{date:%Y-%m-%d}",
        "order_number": order.number,
        "seller_name": company.name,
        "seller_address": company.address,
        "seller_phone": company.phone,
        "seller_tax_number": company.tax_number,
        "seller_bank": f"{company.bank_name} {company.bank_account}".strip(),
        "buyer_name": customer.invoice_title or customer.name,
        "buyer_address": customer.address,
        "buyer_contact": f"{order.contact_name} {order.contact_phone}",
        "buyer_tax_number": customer.tax_number,
        "buyer_bank": f"{customer.bank_name} {customer.bank_account}".strip(),
        "items_table": _items_table(order),
        "total_amount": format_amount(order.total_amount),
        "total_amount_capitals": amount_in_capitals(order.total_amount),
        "currency": order.currency,
        "delivery_date": f"{order.delivery_date:%Y-%m-%d}",
        "delivery_place": order.delivery_place,
        "quality_standard": policy.contracts.quality_standard,
        "payment_terms": order.get_payment_terms_display(),
        "special_requirements": "、".join(str(f) for f in order.special_flags())
        + (f" {order.special_requirements}" if order.special_requirements else "")
        or "无",
    }


def fill(body: str, data: dict[str, Any]) -> str:
    """Replace placeholders; values are escaped unless they are prepared HTML (the items table)."""

    def replace(match: re.Match[str]) -> str:
        value = data[match.group(1)]
        return str(value) if isinstance(value, SafeString) else str(escape(str(value)))

    return PLACEHOLDER.sub(replace, body)


__all__ = ["PLACEHOLDERS", "check_placeholders", "fill", "pdf", "qr_svg", "values"]
