"""An order's lines built from what the user typed, checked against the catalogue and the
price floor (P-1), with the amounts the order keeps (B-3)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext as _

from oms.catalog.models import Product
from oms.core.money import DecimalInputError, parse_model_decimal
from oms.core.params import MAX_DB_INT
from oms.orders.fingerprint import lines_fingerprint
from oms.orders.models import OrderLine, SalesOrder
from oms.policy import selectors as policy_selectors

CENT = Decimal("0.01")
# P-1: a line's amount and the order's total are computed; their columns keep 16 whole digits,
# and SQLite 15 significant ones, so a computed amount is held to 10^13 (cents kept exactly).
AMOUNT_DIGITS = 13

Errors = dict[str, list[str]]


def _product_id(raw: Mapping[str, Any]) -> Any:
    ref = raw.get("product")
    return ref.pk if isinstance(ref, Product) else ref


def _parse_figures(
    raw: Mapping[str, Any], product: Product, prefix: str, errors: Errors
) -> dict[str, Decimal]:
    """P-1: the column's digits and the sign, checked before anything is computed."""
    parsed: dict[str, Decimal] = {}
    for name, value in (
        ("quantity", raw.get("quantity", "")),
        ("unit_price", raw.get("unit_price", product.list_price)),
    ):
        try:
            parsed[name] = parse_model_decimal(
                OrderLine, name, value, min_value=0, min_exclusive=name == "quantity"
            )
        except DecimalInputError as exc:
            errors.setdefault(f"{prefix}.{name}", []).append(exc.message)
    return parsed


def _build_line(
    order: SalesOrder,
    i: int,
    raw: Mapping[str, Any],
    product: Product | None,
    floor_ratio: Decimal,
    errors: Errors,
) -> OrderLine | None:
    """P-1: one line names an active product, a positive quantity and a price at or above the floor."""
    prefix = f"lines.{i}"
    if product is None:
        errors.setdefault(f"{prefix}.product", []).append(_("产品不存在。"))
        return None
    if not product.active:
        errors.setdefault(f"{prefix}.product", []).append(_("产品 %(p)s 已停产，不能下单。") % {"p": product})
    parsed = _parse_figures(raw, product, prefix, errors)
    if len(parsed) < 2:
        return None
    quantity, unit_price = parsed["quantity"], parsed["unit_price"]
    amount = (quantity * unit_price).quantize(CENT, rounding=ROUND_HALF_UP)
    if amount.adjusted() >= AMOUNT_DIGITS:
        errors.setdefault(f"{prefix}.quantity", []).append(
            _("金额（数量 × 单价）过大，整数部分最多 %(n)s 位。") % {"n": AMOUNT_DIGITS}
        )
        return None
    if floor_ratio > 0 and unit_price < product.list_price * floor_ratio:
        floor = (product.list_price * floor_ratio).quantize(CENT)
        errors.setdefault(f"{prefix}.unit_price", []).append(_("单价低于最低售价 %(f)s。") % {"f": floor})
    return OrderLine(
        order=order,
        line_no=i + 1,
        product=product,
        spec=str(raw.get("spec") or product.spec)[:200],
        quantity=quantity,
        unit=str(raw.get("unit") or product.unit)[:20],
        unit_price=unit_price,
        amount=amount,
    )


_PRODUCT_COLUMNS = ", ".join(f'"{f.column}"' for f in Product._meta.concrete_fields)


def _products(ids: list[int]) -> dict[int, Product]:
    """The lines' products by id, in one statement written out (issue 21: every create and edit
    reads them; the ORM's building of the query cost several times the database's answer)."""
    if not ids:
        return {}
    marks = ", ".join(["%s"] * len(ids))
    # The columns are named, not *: a statement PostgreSQL keeps prepared (ADR 0021) must not
    # change its result's shape when a migration adds a column while the connection lives.
    sql = f'SELECT {_PRODUCT_COLUMNS} FROM "catalog_product" WHERE "id" IN ({marks})'  # noqa: S608 - placeholders only
    return {p.pk: p for p in Product.objects.raw(sql, ids)}


def build_lines(order: SalesOrder, lines: Sequence[Mapping[str, Any]], errors: Errors) -> list[OrderLine]:
    """P-1: each line names an active product, a positive quantity and a price at or above the
    floor; every problem is collected in `errors` under `lines.<i>.<field>`."""
    if not lines:
        errors.setdefault("lines", []).append(_("至少需要一行订单明细。"))
        return []
    wanted = {_product_id(ln) for ln in lines}
    # An id no database integer holds names no product (as the ORM answers it), not an overflow.
    products = _products([p for p in wanted if isinstance(p, int) and 0 < p <= MAX_DB_INT])
    floor_ratio = policy_selectors.policy(of=order).intake.price_floor_ratio  # the order's own version
    built = [
        line
        for i, raw in enumerate(lines)
        if (line := _build_line(order, i, raw, products.get(_product_id(raw)), floor_ratio, errors))
        is not None
    ]
    if sum((ln.amount for ln in built), Decimal("0")).adjusted() >= AMOUNT_DIGITS:
        errors.setdefault("lines", []).append(
            _("订单金额合计过大，整数部分最多 %(n)s 位。") % {"n": AMOUNT_DIGITS}
        )
    return built


def line_errors(lines: Sequence[Mapping[str, Any]]) -> Errors:
    """The lines' problems alone, so a form can show them together with the header's."""
    errors: Errors = {}
    build_lines(SalesOrder(), lines, errors)
    return errors


def lines_snapshot(lines: Sequence[OrderLine]) -> list[dict[str, Any]]:
    """The lines as the audit log records them (B-5)."""
    return [
        {
            "line_no": ln.line_no,
            "product": ln.product_id,
            "spec": ln.spec,
            "quantity": ln.quantity,
            "unit": ln.unit,
            "unit_price": ln.unit_price,
            "amount": ln.amount,
        }
        for ln in lines
    ]


def fingerprint(lines: Sequence[OrderLine]) -> str:
    """B-9: what the duplicate check compares."""
    return lines_fingerprint((ln.product_id, ln.quantity) for ln in lines)
