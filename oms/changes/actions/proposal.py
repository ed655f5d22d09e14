"""What a change request proposes, checked against the order as it is (I-1).

The new terms and lines are compared with the live order: the aspects touched (for the policy's
rules), the lines and terms touched (for conflicts between open requests) and a summary. The
rules that need the order (what was shipped, the price floor, which lines are its own) live here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from oms.catalog.models import Product
from oms.changes.models import ChangeRequest
from oms.core.money import decimal_input, format_quantity
from oms.customers.models import PaymentTerms
from oms.fulfilment import actions as fulfilment
from oms.orders import actions as order_actions
from oms.orders.models import OrderLine, SalesOrder
from oms.orders.rules import delivery_date_error

CENT = Decimal("0.01")
# I-1: the terms a change may touch, and the aspect (policy rule) each belongs to.
TERM_ASPECTS = {
    "delivery_date": "delivery_date",
    "delivery_place": "delivery_place",
    "payment_terms": "payment_terms",
    "invoice_requirements": "payment_terms",
    "special_requirements": "specs",
    "needs_customisation": "specs",
    "needs_special_packaging": "specs",
    "needs_special_transport": "specs",
}
_BOOLEAN_TERMS = {"needs_customisation", "needs_special_packaging", "needs_special_transport"}


def term_label(name: str) -> str:
    return str(getattr(SalesOrder._meta.get_field(name), "verbose_name", name))


def current_proposal(order: SalesOrder) -> dict[str, Any]:
    """The order's terms and lines in the shape a proposal takes (the change form starts here)."""
    return {
        "terms": {name: getattr(order, name) for name in TERM_ASPECTS},
        "lines": [
            {
                "line": ln.pk,
                "product": ln.product_id,
                "spec": ln.spec,
                "quantity": ln.quantity,
                "unit_price": ln.unit_price,
            }
            for ln in order.lines.order_by("line_no")
        ],
    }


def decimal(value: Any, key: str, name: str, model: type[models.Model] = OrderLine) -> Decimal | None:
    """P-1: the shared parser at the column's digits; an oversized or non-finite value is refused
    naming `key`, empty is None (the caller says what is required)."""
    return decimal_input(value, key=key, model=model, name=name)


# --- the terms ------------------------------------------------------------------------------------


def _clean_term(order: SalesOrder, name: str, value: Any, errors: dict[str, str]) -> Any:
    """One term as the request asks it (typed by oms.changes.forms.terms_values); a problem is
    reported under the term's name."""
    if name == "delivery_date":
        if not isinstance(value, date):
            errors[name] = _("请填写正确的交货日期。")
        elif problem := delivery_date_error(order.order_date, value):
            errors[name] = problem
    elif name == "payment_terms" and value not in PaymentTerms.values:
        errors[name] = _("请选择付款方式。")
    elif name == "delivery_place" and not value:
        errors[name] = _("请填写交货地点。")
    return value


def _clean_terms(order: SalesOrder, terms: Mapping[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    """Every term as it will be: the one asked for, or the order's own where none is."""
    for name in sorted(set(terms) - set(TERM_ASPECTS)):
        errors[name] = _("不能通过变更申请修改这一项。")
    return {
        name: _clean_term(order, name, terms[name], errors) if name in terms else getattr(order, name)
        for name in TERM_ASPECTS
    }


# --- the comparison -------------------------------------------------------------------------------


@dataclass
class Comparison:
    """What a proposal changes of the order, built up term by term and line by line."""

    order: SalesOrder
    errors: dict[str, str]
    terms: dict[str, Any] = field(default_factory=dict)
    lines: list[dict[str, Any]] = field(default_factory=list)
    aspects: set[str] = field(default_factory=set)
    summary: list[dict[str, Any]] = field(default_factory=list)
    touched_lines: set[int] = field(default_factory=set)
    touched_terms: list[str] = field(default_factory=list)

    def result(self) -> dict[str, Any]:
        return {
            "terms": self.terms,
            "lines": self.lines,
            "aspects": sorted(self.aspects),
            "summary": self.summary,
            "touched_lines": sorted(self.touched_lines),
            "touched_terms": self.touched_terms,
        }


def compare(
    order: SalesOrder,
    terms: Mapping[str, Any],
    lines: Sequence[Mapping[str, Any]],
    errors: dict[str, str],
) -> dict[str, Any]:
    """Validate the new terms against the order as it is and describe what changes: the aspects
    (for the policy's rules), the lines and terms touched (for conflicts), and a summary."""
    seen = Comparison(order=order, errors=errors)
    _compare_terms(seen, _clean_terms(order, terms, errors))
    live = {ln.pk: ln for ln in order.lines.select_related("product").order_by("line_no")}
    shipped = fulfilment.shipped_quantities(order)
    kept = _compare_kept_lines(seen, live, shipped, lines)
    _compare_removed_lines(seen, live, shipped, kept)
    _compare_new_lines(seen, [(i, raw) for i, raw in enumerate(lines) if not raw.get("line")])
    if not seen.lines and not any(k == "lines" or k.startswith("lines.") for k in errors):
        errors["lines"] = _("变更后订单至少要有一行明细；要取消整单请提交取消申请。")
    return seen.result()


def _compare_terms(seen: Comparison, clean_terms: dict[str, Any]) -> None:
    order = seen.order
    seen.terms = clean_terms
    seen.touched_terms = [n for n in TERM_ASPECTS if clean_terms[n] != getattr(order, n)]
    for name in seen.touched_terms:
        seen.aspects.add(TERM_ASPECTS[name])
        seen.summary.append(
            {"type": "term", "field": name, "before": getattr(order, name), "after": clean_terms[name]}
        )


def _compare_kept_lines(
    seen: Comparison,
    live: dict[int, OrderLine],
    shipped: Mapping[int, Decimal],
    lines: Sequence[Mapping[str, Any]],
) -> set[int]:
    """The order's own lines the proposal keeps, each with its new quantity, price and spec."""
    kept: set[int] = set()
    floor_ratio = seen.order.policy().intake.price_floor_ratio
    for i, raw in enumerate(lines):
        if not raw.get("line"):
            continue
        line = live.get(int(raw["line"])) if str(raw["line"]).isdigit() else None
        if line is None or line.pk in kept:
            seen.errors[f"lines.{i}.line"] = _("不是这个订单的明细。")
            continue
        kept.add(line.pk)
        edit = _kept_line(seen.errors, i, raw, line, shipped.get(line.pk, Decimal("0")), floor_ratio)
        if edit is not None:
            _note_line_changes(seen, line, edit)
            seen.lines.append(edit)
    return kept


def _kept_line(
    errors: dict[str, str],
    i: int,
    raw: Mapping[str, Any],
    line: OrderLine,
    gone: Decimal,
    floor_ratio: Decimal,
) -> dict[str, Any] | None:
    """One kept line's new values, or None when its quantity or price cannot be taken."""
    quantity = raw.get("quantity")
    # Without a price (an API client, or a user who may not see prices, S-1) the price stays.
    price = raw.get("unit_price")
    price = line.unit_price if price is None else price
    spec = raw.get("spec", line.spec) or ""
    if quantity is None or quantity <= 0:
        errors[f"lines.{i}.quantity"] = _("数量必须大于 0。")
        return None
    if price is None or price < 0:
        errors[f"lines.{i}.unit_price"] = _("单价不能为负数。")
        return None
    if quantity < gone:
        errors[f"lines.{i}.quantity"] = _("第 %(n)s 行已发货 %(s)s，变更后的数量不能少于已发货数量。") % {
            "n": line.line_no,
            "s": format_quantity(gone),
        }
    floor = (line.product.list_price * floor_ratio).quantize(CENT)
    if price != line.unit_price and floor_ratio > 0 and price < floor:
        errors[f"lines.{i}.unit_price"] = _("单价低于最低售价 %(f)s。") % {"f": floor}
    return {"line": line.pk, "quantity": quantity, "unit_price": price, "spec": spec}


def _note_line_changes(seen: Comparison, line: OrderLine, edit: Mapping[str, Any]) -> None:
    for name, aspect in (("quantity", "quantity"), ("unit_price", "price"), ("spec", "specs")):
        before, after = getattr(line, name), edit[name]
        if before != after:
            seen.aspects.add(aspect)
            seen.touched_lines.add(line.pk)
            seen.summary.append(
                {
                    "type": "changed",
                    "line_no": line.line_no,
                    "product": line.product.name,
                    "field": name,
                    "before": before,
                    "after": after,
                }
            )


def _compare_removed_lines(
    seen: Comparison, live: dict[int, OrderLine], shipped: Mapping[int, Decimal], kept: set[int]
) -> None:
    """The order's lines the proposal leaves out are removed; a shipped one cannot be."""
    for pk, line in live.items():
        if pk in kept:
            continue
        if shipped.get(pk):
            seen.errors["lines"] = _("第 %(n)s 行已发货，不能删除。") % {"n": line.line_no}
        seen.aspects.add("lines")
        seen.touched_lines.add(pk)
        seen.summary.append(
            {
                "type": "removed",
                "line_no": line.line_no,
                "product": line.product.name,
                "quantity": line.quantity,
            }
        )


def _compare_new_lines(seen: Comparison, new_rows: list[tuple[int, Mapping[str, Any]]]) -> None:
    """New lines are checked like an order's (order_actions.line_errors); a new line without a price (its
    author may not see prices, S-1) takes the list price."""
    rows = [(i, {k: v for k, v in raw.items() if v not in (None, "")}) for i, raw in new_rows]
    if not rows:
        return
    for key, msgs in order_actions.line_errors([raw for _i, raw in rows]).items():
        parts = key.split(".")
        if len(parts) == 3:
            seen.errors[f"lines.{rows[int(parts[1])][0]}.{parts[2]}"] = msgs[0]
        else:
            seen.errors["lines"] = msgs[0]
    products = Product.objects.in_bulk([raw.get("product") for _i, raw in rows if raw.get("product")])
    for _i, raw in rows:
        product = products.get(raw.get("product"))
        quantity = raw.get("quantity")
        price = raw["unit_price"] if "unit_price" in raw else getattr(product, "list_price", None)
        if product is None or quantity is None or price is None:
            continue
        spec = str(raw.get("spec") or product.spec)[:200]
        seen.aspects.add("lines")
        seen.summary.append(
            {
                "type": "added",
                "product": product.name,
                "spec": spec,
                "quantity": quantity,
                "unit_price": price,
            }
        )
        seen.lines.append(
            {"line": None, "product": product.pk, "quantity": quantity, "unit_price": price, "spec": spec}
        )


def cancellation_proposal(order: SalesOrder) -> dict[str, Any]:
    """J-1: a cancellation touches every line and every term, so it excludes any other request."""
    return {
        "terms": {},
        "lines": [],
        "aspects": ["cancellation"],
        "summary": [{"type": "cancel"}],
        "touched_lines": list(order.lines.values_list("pk", flat=True)),
        "touched_terms": list(TERM_ASPECTS),
    }


def describe(request: ChangeRequest) -> str:
    """A one-line account of what the request changes, for notifications."""
    parts = []
    for item in request.summary:
        if item["type"] == "term":
            parts.append(term_label(item["field"]))
        elif item["type"] == "changed":
            label = {"quantity": _("数量"), "unit_price": _("单价"), "spec": _("规格型号")}[item["field"]]
            parts.append(
                _("第 %(n)s 行%(f)s %(b)s→%(a)s")
                % {"n": item["line_no"], "f": label, "b": item["before"], "a": item["after"]}
            )
        elif item["type"] == "added":
            parts.append(_("新增 %(p)s") % {"p": item["product"]})
        elif item["type"] == "removed":
            parts.append(_("删除第 %(n)s 行") % {"n": item["line_no"]})
        else:
            parts.append(_("取消订单"))
    return "；".join(parts)[:150]
