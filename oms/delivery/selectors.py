"""What the order page shows of delivery and acceptance (K-1..K-3)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oms.delivery.models import Acceptance, AcceptanceResult
from oms.delivery.permissions import can_record
from oms.fulfilment.models import Shipment, ShipmentLine
from oms.orders.models import SalesOrder
from oms.orders.selectors import orders_for
from oms.quality.models import Inspection

ACCEPTANCE_CHECKS = [
    ("appearance_ok", _("外观")),
    ("quantity_ok", _("数量")),
    ("spec_ok", _("规格")),
    ("quality_ok", _("质量")),
]


def deliveries_of(order: SalesOrder, user: Any) -> dict[str, Any]:
    if order.status not in {
        "released",
        "in_production",
        "on_hold",
        "shipped",
        "received",
        "closed",
        "cancelled",
    }:
        return {"deliveries": []}
    shipments = list(
        order.shipments.prefetch_related(
            Prefetch("acceptances", queryset=Acceptance.objects.order_by("-created_at", "-pk")),
            "lines__order_line",
        ).order_by("number")
    )
    rows = [(s, next(iter(s.acceptances.all()), None)) for s in shipments]
    return {
        "deliveries": rows,
        "results": AcceptanceResult.choices,
        "acceptance_checks": ACCEPTANCE_CHECKS,
        "can_record_acceptance": can_record(user, order),
        "today": f"{timezone.localdate():%Y-%m-%d}",
    }


# --- delivery notes, one or several at once (K-2, issue 23 point 9) -----------------------------
NOTES_LIMIT = 50


def shipments_for(user: Any) -> QuerySet[Shipment]:
    """The shipments of the orders the user may see (S-1), newest first."""
    return (
        Shipment.objects.select_related("order__customer", "carrier")
        .filter(order__in=orders_for(user).values("pk"))
        .order_by("-shipped_on", "-pk")
    )


def with_note_contents(shipments: QuerySet[Shipment]) -> QuerySet[Shipment]:
    """What a delivery note prints, read once for any number of notes: lines with their products
    and the final inspections that released them (K-2)."""
    lines = ShipmentLine.objects.select_related("order_line__product").order_by("order_line__line_no")
    inspections = Inspection.objects.select_related("inspector").prefetch_related("lines")
    return shipments.select_related("order__customer", "order__policy_version", "carrier").prefetch_related(
        Prefetch("lines", queryset=lines), Prefetch("released_by", queryset=inspections)
    )


def note_lines(shipment: Shipment) -> list[tuple[ShipmentLine, Inspection | None]]:
    """K-2: each line with the final inspection that released it for this shipment."""
    released = {line.pk: i for i in shipment.released_by.all() for line in i.lines.all()}
    return [(sl, released.get(sl.order_line_id)) for sl in shipment.lines.all()]
