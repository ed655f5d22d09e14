"""Order versions (I-4): a snapshot of the terms and lines at each point the order's content is
fixed (submission, renegotiation, the customer's modification), and the difference of two."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import Subquery

from oms.audit.models import normalise
from oms.orders.models import TERM_FIELDS, OrderVersion, SalesOrder

TERMS = ("customer_id", "contact_name", "contact_phone", *TERM_FIELDS, "currency", "total_amount")


def _line(ln: Any) -> dict[str, Any]:
    return {
        "line_no": ln.line_no,
        "product": ln.product_id,
        "product_name": ln.product.name,
        "spec": ln.spec,
        "quantity": ln.quantity,
        "unit": ln.unit,
        "unit_price": ln.unit_price,
        "amount": ln.amount,
    }


def _terms(order: SalesOrder, lines: list[dict[str, Any]]) -> dict[str, Any]:
    return normalise({"terms": {f: getattr(order, f) for f in TERMS}, "lines": lines})


def snapshot(order: SalesOrder) -> dict[str, Any]:
    return _terms(order, [_line(ln) for ln in order.lines.select_related("product").order_by("line_no")])


def _last(order: SalesOrder) -> Any:
    return OrderVersion.objects.filter(order_id=order.pk).order_by("-number")


def record_version(*, order: SalesOrder, actor: Any, reason: str) -> OrderVersion | None:
    """Keep a new version when the content differs from the last one kept."""
    # The last version's number and snapshot come with the lines (issue 21: one read less); an
    # order without lines reads it on its own.
    rows = list(
        order.lines.select_related("product")
        .annotate(
            oms_last_number=Subquery(_last(order).values("number")[:1]),
            oms_last_snapshot=Subquery(_last(order).values("snapshot")[:1], output_field=models.JSONField()),
        )
        .order_by("line_no")
    )
    data = _terms(order, [_line(ln) for ln in rows])
    if rows:
        number, last_snapshot = rows[0].oms_last_number, rows[0].oms_last_snapshot
    else:
        last = _last(order).first()
        number, last_snapshot = (last.number, last.snapshot) if last is not None else (None, None)
    if number is not None and last_snapshot == data:
        return None
    # The last kept is the highest number (issue 21: no second read for it).
    user = actor if getattr(actor, "is_authenticated", False) else None
    return OrderVersion.objects.create(
        order=order, number=(number or 0) + 1, snapshot=data, reason=reason[:300], created_by=user
    )


@dataclass
class Diff:
    terms: list[tuple[str, Any, Any]] = field(default_factory=list)
    added: list[dict[str, Any]] = field(default_factory=list)
    removed: list[dict[str, Any]] = field(default_factory=list)
    changed: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.terms or self.added or self.removed or self.changed)


def _key(line: dict[str, Any], by_line_no: bool) -> tuple[Any, ...]:
    # A change request changes lines in place, so the same line number and product is the same
    # line even when its specification changed; older snapshots have no line numbers.
    if by_line_no:
        return (line["line_no"], line["product"])
    return (line["product"], line.get("spec", ""))


def diff(old: dict[str, Any], new: dict[str, Any]) -> Diff:
    """Terms changed, and lines added, removed or changed (matched by product and specification)."""
    result = Diff()
    for name in TERMS:
        before, after = old["terms"].get(name), new["terms"].get(name)
        if before != after:
            result.terms.append((name, before, after))
    by_line_no = all("line_no" in ln for ln in [*old["lines"], *new["lines"]])
    old_lines = {_key(ln, by_line_no): ln for ln in old["lines"]}
    new_lines = {_key(ln, by_line_no): ln for ln in new["lines"]}
    for key, line in new_lines.items():
        if key not in old_lines:
            result.added.append(line)
        elif any(
            old_lines[key].get(f) != line.get(f) for f in ("spec", "quantity", "unit", "unit_price", "amount")
        ):
            result.changed.append((old_lines[key], line))
    result.removed = [line for key, line in old_lines.items() if key not in new_lines]
    return result
