"""H-1, S-2: an order's audit events as people read them — what was done in words, which fields
changed from what to what, times in local time and figures by the one rule (P-1) — instead of the
recorded action codes, raw JSON and UTC timestamps. The recorded values stay untouched in the log."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _

from oms.core.money import format_amount, format_price, format_quantity
from oms.engine.workflow import TABLES
from oms.orders.models import OrderLine, SalesOrder

# Recorded actions other than transitions, by their code (transitions are labelled by their tables).
ACTIONS: Mapping[str, Any] = {
    "order.create": _("创建订单"),
    "order.update": _("修改订单"),
    "order.risk_accepted": _("管理层接受风险"),
    "approval.start": _("开始审批"),
    "review.start": _("开始评审"),
    "confirmation.link": _("生成客户确认链接"),
    "confirmation.modify": _("客户要求修改"),
    "contract.generate": _("生成合同"),
    "change.link": _("生成客户变更链接"),
    "change.apply": _("执行变更"),
    "change.cancel": _("取消订单"),
    "deadline.escalate": _("超时上报"),
    "tracking.entry": _("跟踪记录"),
    "tracking.end_items": _("结束待办"),
    "prepayment.record": _("登记预付款"),
    "exception.raise": _("登记异常"),
    "shipment.record": _("登记发货"),
    "delivery.link": _("生成客户验收链接"),
    "task.technical_docs": _("技术资料任务"),
    "briefing.record": _("技术交底"),
}
# Recorded keys that are not fields of the order.
KEYS: Mapping[str, Any] = {
    "lines": _("订单明细"),
    "departments": _("评审部门"),
    "major": _("重大订单"),
    "mode": _("评审方式"),
    "round": _("评审轮次"),
    "reason": _("原因"),
}
# Amount fields shown as amounts, price fields as prices, quantity fields as quantities.
_AMOUNTS = {"total_amount", "amount", "credit_limit", "tax_amount"}
_PRICES = {"unit_price", "list_price"}
_QUANTITIES = {"quantity"}


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str


@dataclass(frozen=True)
class Entry:
    event: Any
    action: str
    who: str
    changes: list[Change]


@cache  # the tables are declared at import; read them once, not once per event shown
def _transition_labels() -> dict[str, Any]:
    """The labels themselves stay lazy: each reader sees them in their own language."""
    labels: dict[str, Any] = {}
    for table in TABLES:
        for name, transition in table.transitions.items():
            labels.setdefault(f"transition:{name}", transition.label)
    return labels


def action_label(action: str) -> str:
    if action in ACTIONS:
        return str(ACTIONS[action])
    return str(_transition_labels().get(action, action))


def _label(name: str) -> str:
    if name in KEYS:
        return str(KEYS[name])
    for model in (SalesOrder, OrderLine):
        try:
            return str(getattr(model._meta.get_field(name), "verbose_name", name))
        except FieldDoesNotExist:
            continue
    return name


def _choices(name: str) -> dict[str, str]:
    try:
        field = SalesOrder._meta.get_field(name)
    except FieldDoesNotExist:
        return {}
    return {str(k): str(v) for k, v in (getattr(field, "choices", None) or [])}


def shown(name: str, value: Any, order: SalesOrder | None = None) -> str:
    """One recorded value as a person reads it; with the order, its related records and its
    class by their names where the value is the order's own."""
    if value is None or value == "":
        return "—"
    if order is not None and (named := _named(order, name, value)) is not None:
        return named
    if isinstance(value, bool):
        return str(_("是") if value else _("否"))
    if isinstance(value, list):
        return "；".join(_line(item) if isinstance(item, dict) else shown(name, item) for item in value)
    if isinstance(value, dict):
        return _line(value)
    return _scalar(name, value)


def _scalar(name: str, value: Any) -> str:
    """A figure with the figure rule, a moment in local time, a day, or a choice by its label."""
    text = str(value)
    if name in _AMOUNTS or name in _PRICES or name in _QUANTITIES:
        return _figure(name, text)
    if (moment := _datetime(text)) is not None:
        return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, str) and len(text) == 10 and (day := parse_date(text)) is not None:
        return day.isoformat()
    return _choices(name).get(text, text)


def _figure(name: str, text: str) -> str:
    try:
        number = Decimal(text)
    except InvalidOperation:
        return text
    if name in _AMOUNTS:
        return format_amount(number)
    return format_price(number) if name in _PRICES else format_quantity(number)


def _named(order: SalesOrder, name: str, value: Any) -> str | None:
    if name == "order_class" and value == order.order_class:
        return order.order_class_label()
    try:
        field = SalesOrder._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    if field.many_to_one and getattr(order, f"{name}_id", None) == value:
        return str(getattr(order, name))
    return None


def _datetime(text: str) -> datetime | None:
    if len(text) < 16 or "T" not in text:
        return None
    try:
        moment = parse_datetime(text)
    except ValueError:
        return None
    if moment is None:
        return None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def _line(item: Mapping[str, Any]) -> str:
    """A recorded order line: its product, quantity and price in one phrase."""
    parts = [str(item.get("product_name") or item.get("product") or "")]
    if "quantity" in item:
        parts.append("× " + shown("quantity", item["quantity"]))
    if "unit_price" in item:
        parts.append("@ " + shown("unit_price", item["unit_price"]))
    return " ".join(p for p in parts if p)


def changes(
    before: Mapping[str, Any] | None, after: Mapping[str, Any] | None, order: SalesOrder | None = None
) -> list[Change]:
    """The fields that differ, labelled, old -> new; a field recorded only after is shown as set
    (an empty one is left out: creating an order without a customer reference says nothing)."""
    before, after = before or {}, after or {}
    result = []
    for name in list(after) + [k for k in before if k not in after]:
        old, new = before.get(name), after.get(name)
        if old == new or (name not in before and new in (None, "", [], {})):
            continue
        result.append(
            Change(_label(name), shown(name, old, order) if name in before else "—", shown(name, new, order))
        )
    return result


def entries(events: list[tuple[Any, Any, Any, str]], order: SalesOrder | None = None) -> list[Entry]:
    """(event, before, after, who) — values already redacted for the viewer (S-1) — as entries."""
    return [
        Entry(e, action_label(e.action), who, changes(before, after, order))
        for e, before, after, who in events
    ]
