"""Which inspection releases goods for shipping (K-2, G-3; 002 七1).

Before goods leave, quality has checked them: for every shipped line the latest final inspection
(成品检验) covering that line passed, and no non-conformance notice raised on the line is still
open. The shipment names the inspections that released it; nobody ticks a box instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from oms.catalog.models import Product
from oms.orders.models import OrderLine, SalesOrder
from oms.quality.models import Inspection, NCStatus, NonConformance, Stage


@dataclass
class ShippingRelease:
    """The outcome for a set of lines: the releasing inspection per line, or why they cannot ship."""

    by_line: dict[int, Inspection | None] = field(default_factory=dict)  # None: exempt by policy
    reasons: list[str] = field(default_factory=list)
    blocked_lines: set[int] = field(default_factory=set)

    @property
    def inspections(self) -> list[Inspection]:
        """The distinct releasing inspections, oldest first."""
        seen = {i.pk: i for i in self.by_line.values() if i is not None}
        return sorted(seen.values(), key=lambda i: (i.inspected_at, i.pk))


def ships_without_final_inspection(order: SalesOrder, product: Product) -> bool:
    """K-2, G-3: the one rule of which goods need no final inspection: a stock item (trading goods,
    not produced) when the order's policy exempts stock items (`shipping`, default: it does not).
    Shipping (`shipping_release`) and the hand-offs (`final_inspection_needs`) both ask it."""
    return order.policy().shipping.stock_items_without_final_inspection and product.is_stock_item


def final_inspection_needs(order: SalesOrder) -> tuple[bool, bool]:
    """G-3, G-4, T-1: (some line of the order needs a final inspection before it ships, some line
    ships without one), by `ships_without_final_inspection`. The first decides whether quality is
    asked for a final inspection, the second whether the warehouse may prepare goods without one.
    No query while the policy exempts nothing (the policy is cached per version), one otherwise."""
    if not order.policy().shipping.stock_items_without_final_inspection:
        return True, False
    stock = set(order.lines.values_list("product__is_stock_item", flat=True))
    return (False in stock or not stock), True in stock


def final_inspection_done(order: SalesOrder) -> bool:
    """G-3, G-4, K-2, T-1: every line of the order that needs a final inspection
    (`ships_without_final_inspection`) has one, and its latest passed. Quality's final-inspection
    step ends, and the warehouse is handed the goods, only then: a pass of some lines leaves the
    step open for the others (they are still refused at shipping, line by line). Two queries."""
    lines = list(order.lines.select_related("product"))
    pks = [ln.pk for ln in lines if not ships_without_final_inspection(order, ln.product)]
    latest: dict[int, bool] = {}
    through = Inspection.lines.through
    for line_pk, passed in (
        through.objects.filter(orderline_id__in=pks, inspection__stage=Stage.FINAL)
        .order_by("-inspection__inspected_at", "-inspection_id")
        .values_list("orderline_id", "inspection__passed")
    ):
        latest.setdefault(line_pk, passed)
    return all(latest.get(pk, False) for pk in pks)


def shipping_release(order: SalesOrder, lines: Iterable[OrderLine]) -> ShippingRelease:
    """K-2, G-3: each line ships only if its latest final inspection passed and no non-conformance
    on it is open, unless it ships without a final inspection (`ships_without_final_inspection`);
    an exempt line with a failed inspection or an open notice is still held. Three queries
    whatever the number of lines."""
    wanted = sorted(lines, key=lambda ln: ln.line_no)
    pks = [ln.pk for ln in wanted]
    latest: dict[int, Inspection] = {}
    through = Inspection.lines.through
    for row in (
        through.objects.filter(orderline_id__in=pks, inspection__stage=Stage.FINAL)
        .select_related("inspection__inspector")
        .order_by("-inspection__inspected_at", "-inspection_id")
    ):
        latest.setdefault(row.orderline_id, row.inspection)
    open_ncs: dict[int, list[int]] = {}
    for nc_pk, line_pk in (
        NonConformance.objects.filter(inspection__lines__in=pks)
        .exclude(status=NCStatus.CLOSED)
        .order_by("pk")
        .values_list("pk", "inspection__lines")
    ):
        open_ncs.setdefault(line_pk, []).append(nc_pk)
    products = {ln.pk: ln.product for ln in OrderLine.objects.filter(pk__in=pks).select_related("product")}
    result = ShippingRelease()
    for line in wanted:
        product = products[line.pk]
        label = {"n": line.line_no, "p": product.name}
        blocked = False
        inspection = latest.get(line.pk)
        if inspection is None:
            if not ships_without_final_inspection(order, product):
                result.reasons.append(_("第 %(n)s 行（%(p)s）还没有成品检验记录，不能发货。") % label)
                blocked = True
        elif not inspection.passed:
            result.reasons.append(
                _("第 %(n)s 行（%(p)s）最近一次成品检验（%(t)s）不合格，须处理后重新检验合格才能发货。")
                % {**label, "t": f"#{inspection.pk}"}
            )
            blocked = True
        for nc_pk in open_ncs.get(line.pk, []):
            result.reasons.append(
                _("第 %(n)s 行（%(p)s）的不合格品通知单 #%(nc)s 尚未关闭，不能发货。")
                % {**label, "nc": nc_pk}
            )
            blocked = True
        if blocked:
            result.blocked_lines.add(line.pk)
        else:
            result.by_line[line.pk] = inspection if inspection is not None and inspection.passed else None
    return result
